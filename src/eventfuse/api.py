"""The JSON API and the web page, served by ``eventfuse serve`` as ``create_app(options)``.

Thin routes over the functions the CLI uses too: :func:`eventfuse.query.query_events` filters,
:mod:`eventfuse.export` renders, :func:`eventfuse.engines.local.run` ingests. Reads are open;
writes need a bearer token (see :mod:`eventfuse.web.security`). OpenAPI: ``/docs``,
``/openapi.json``.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.security import HTTPBearer
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from eventfuse import __version__
from eventfuse.acled import outlet_domain
from eventfuse.errors import InputError
from eventfuse.export import ExportContext, ExportReport
from eventfuse.query import (
    EventQuery,
    FilterError,
    SortKey,
    checked_country,
    checked_type,
    query_events,
    query_events_page,
)
from eventfuse.records import Article, Event, to_dict
from eventfuse.settings import Options
from eventfuse.store import ArticleFilter, Store, open_store
from eventfuse.web.errors import ERROR_RESPONSES, ApiError, install_error_handlers
from eventfuse.web.feed import changes_router
from eventfuse.web.security import install_security, read_body_limited, require_token
from eventfuse.web.spans import mention_spans

TOKEN_ENV = "EVENTFUSE_TOKEN"
# Declares the write token in the OpenAPI (the docs page's Authorize button); require_token checks.
WRITE_TOKEN = HTTPBearer(
    scheme_name=TOKEN_ENV, auto_error=False,
    description=f"Writes (POST) need `Authorization: Bearer <token>`, the token being the value "
    f"of ${TOKEN_ENV} when `eventfuse serve` started. Without it set, writes are refused (401).",
)
STATIC_DIR = Path(__file__).resolve().parent / "web" / "static"
MAX_PAGE = 1000
ExportFormat = Literal["csv", "geojson", "json", "jsonl", "parquet"]
# Content-Type of a posted article -> file name whose suffix guides the format sniffer.
UPLOAD_NAMES: dict[str, str] = {
    "text/html": "upload.html",
    "application/xhtml+xml": "upload.html",
    "application/json": "upload.jsonl",
    "application/x-ndjson": "upload.jsonl",
    "application/jsonl": "upload.jsonl",
    "text/plain": "upload.txt",
}
# Types a body may be posted as (besides none, which is sniffed): text, HTML, JSON Lines, feeds,
# WARC. Anything else (an image, a PDF, octet-stream) is refused with 415 before it is read.
UPLOAD_TYPES = frozenset({*UPLOAD_NAMES, "application/xml", "application/rss+xml",
                          "application/atom+xml", "application/rdf+xml", "application/warc",
                          "application/x-warc"})


@dataclass(frozen=True, slots=True)
class AppState:
    options: Options
    store: Store
    token: str | None
    # The pipeline's fuse step reads then rewrites the events of its scope: one POST at a time.
    write_lock: threading.Lock


def create_app(
    options: Options, *, token: str | None = None, store: Store | None = None
) -> FastAPI:
    """The API and page over ``store`` (default: ``open_store(options.db)``).

    ``token``: the bearer token writes need; default ``$EVENTFUSE_TOKEN``. With neither, every
    write is refused with 401.
    """
    owns_store = store is None
    state = AppState(
        options=options,
        store=store if store is not None else open_store(options.db),
        token=token if token is not None else (os.environ.get(TOKEN_ENV) or None),
        write_lock=threading.Lock(),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if owns_store:
            state.store.close()

    app = FastAPI(
        title="eventfuse",
        version=__version__,
        description="Fused news events with per-claim provenance.",
        docs_url=None,  # the stock page loads scripts from a CDN; ours serves vendored ones
        redoc_url=None,
        lifespan=lifespan,
        responses=ERROR_RESPONSES,
    )
    install_error_handlers(app)
    install_security(app, options.max_file_bytes)
    _add_read_routes(app, state)
    # /api/changes, /feeds/events.atom
    app.include_router(changes_router(state.store, options.feed_entries))
    _add_write_routes(app, state)
    _add_page_routes(app)
    return app


# --- query parameters ---------------------------------------------------------------------------


def event_query(
    start: Annotated[dt.date | None, Query(description="Events ending on/after this day")] = None,
    end: Annotated[dt.date | None, Query(description="Events starting on/before this day")] = None,
    type: Annotated[str | None, Query(description="PLOVER category, e.g. PROTEST")] = None,
    country: Annotated[str | None, Query(description="ISO 3166 code or country name")] = None,
    actor: Annotated[str | None, Query(description="Substring of an actor's name")] = None,
    q: Annotated[str | None, Query(description="Text search in places, actors, quotes")] = None,
    disputed: Annotated[bool, Query(description="Only events whose sources disagree")] = False,
    sort: Annotated[SortKey, Query(description="date, -date, sources, -sources or id")] = "date",
) -> EventQuery:
    try:
        checked = (checked_type(type) if type else None,
                   checked_country(country) if country else None)
    except FilterError as exc:
        raise ApiError(422, str(exc)) from exc
    return EventQuery(
        since=start, until=end, type=checked[0], country=checked[1], actor=actor or None,
        text=q or None, disputed=disputed or None, sort=sort,
    )


Filters = Annotated[EventQuery, Depends(event_query)]


# --- read routes ----------------------------------------------------------------------------------


def _add_read_routes(app: FastAPI, state: AppState) -> None:
    store = state.store

    @app.get("/api/health", tags=["meta"])
    def health() -> dict[str, Any]:
        """Liveness plus row counts of the store."""
        return {"ok": True, "version": __version__, "counts": store.counts(),
                "writes_enabled": bool(state.token)}

    @app.get("/api/events", tags=["events"])
    def list_events(
        filters: Filters,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> dict[str, Any]:
        """Events matching the filters, sorted, one page at a time; ``total`` counts all pages.
        The store filters, sorts, pages and counts in SQL: only the page's events are read."""
        # One read: the total counts the state the page was read from, even while a run writes.
        page, total = query_events_page(store, replace(filters, limit=limit, offset=offset))
        articles = _articles_of(store, page)
        return {"ok": True, "total": total, "limit": limit, "offset": offset,
                "events": [event_json(e, articles) for e in page]}

    @app.get("/api/events/{event_id}", tags=["events"])
    def get_event(event_id: str) -> dict[str, Any]:
        """One event with every source's version of every field (DESIGN §5)."""
        event = store.get_event(event_id)
        if event is None:
            raise ApiError(404, f"no event with id {event_id!r}")
        articles = _articles_of(store, [event])
        return {**event_json(event, articles),
                "evidence_spans": event_spans(store, event, articles)}

    @app.get("/api/articles", tags=["articles"])
    def list_articles(
        outlet: Annotated[str | None, Query(description="Outlet name or web domain")] = None,
        q: Annotated[str | None, Query(description="Text search in titles and texts")] = None,
        start: Annotated[dt.date | None, Query(description="Published on/after this day")] = None,
        end: Annotated[dt.date | None, Query(description="Published on/before this day")] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> dict[str, Any]:
        """Stored articles, newest first, without their texts (``/api/articles/{id}`` has it);
        ``total`` counts all pages. The store filters, sorts, pages and counts in SQL: only
        the page's articles are read."""
        where = ArticleFilter(outlet=outlet or None, text=q or None, since=start, until=end)
        page, total = store.articles_page(where, limit=limit, offset=offset)
        return {"ok": True, "total": total, "limit": limit,
                "offset": offset, "articles": [article_summary(a) for a in page]}

    @app.get("/api/articles/{article_id}", tags=["articles"])
    def get_article(article_id: str) -> dict[str, Any]:
        """Clean text, embedded posts, and the mentions found in it with their spans."""
        article = store.get_article(article_id)
        if article is None:
            raise ApiError(404, f"no article with id {article_id!r}")
        mentions = store.get_mentions([article_id])
        events = store.events_for_mentions([m.id for m in mentions])
        return {
            **article_json(article),
            "mentions": [to_dict(m) for m in mentions],
            "spans": mention_spans(mentions, len(article.text)),
            "events": [{"id": e.id, "type": e.type} for e in events],
        }

    @app.get("/api/export.{fmt}", tags=["export"])
    def export(fmt: ExportFormat, filters: Filters) -> Response:
        """The filtered events as CSV (ACLED's columns in its codebook order, then PLOVER's),
        GeoJSON (every event; null geometry where unplaced), JSON, JSON Lines or Parquet."""
        from eventfuse.export import store_context

        events = query_events(store, filters)
        articles = _articles_of(store, events)
        context = store_context(store, events, articles)
        body, media_type, report = render_export(fmt, events, articles, context)
        headers = {"Content-Disposition": f'attachment; filename="events.{fmt}"',
                   "X-Eventfuse-Events": str(report.events)}
        if report.unplaced:
            headers["X-Eventfuse-Unplaced"] = str(report.unplaced)
        if report.left_out:
            headers["X-Eventfuse-Left-Out"] = str(report.left_out)
        return Response(body, media_type=media_type, headers=headers)


def event_spans(
    store: Store, event: Event, articles: Mapping[str, Article]
) -> dict[str, list[dict[str, Any]]]:
    """Per source article, every span its mentions of ``event`` were read from."""
    members = set(event.mention_ids)
    mentions = [m for m in store.get_mentions(sorted(articles)) if m.id in members]
    return {
        article_id: mention_spans([m for m in mentions if m.article_id == article_id],
                                  len(article.text))
        for article_id, article in articles.items()
    }


def _articles_of(store: Store, events: list[Event]) -> dict[str, Article]:
    ids = {s.article_id for e in events for s in e.sources}
    return {a.id: a for a in store.get_articles(sorted(ids))} if ids else {}


# --- write routes ---------------------------------------------------------------------------------


def _add_write_routes(app: FastAPI, state: AppState) -> None:
    @app.post("/api/articles", tags=["articles"], status_code=201,
              dependencies=[Depends(WRITE_TOKEN)], openapi_extra={
        "requestBody": {"required": True, "content": {
            "text/plain": {"schema": {"type": "string"}},
            "text/html": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "object"}},
        }},
    })
    async def post_article(request: Request) -> JSONResponse:
        """Ingest one text, HTML or JSON/JSON Lines body (never fetches URLs it names), run
        extraction and fusion, and return the events it touched. Needs the bearer token."""
        require_token(request, state.token)
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type and not (content_type.startswith("text/") or content_type in UPLOAD_TYPES):
            raise ApiError(415, f"unsupported Content-Type {content_type!r}: post text, HTML, "
                                "JSON Lines, an RSS/Atom feed or WARC")
        body = await read_body_limited(request, state.options.max_file_bytes)
        result = await run_in_threadpool(ingest_body, state, body, content_type)
        return JSONResponse(result, status_code=201 if result["added"] else 200)


def ingest_body(state: AppState, body: bytes, content_type: str) -> dict[str, Any]:
    """Run the local pipeline on one posted body; the events of its articles come back."""
    from eventfuse.engines.local import run
    from eventfuse.ingest import read_bytes

    if not body.strip():
        raise ApiError(422, "empty body: post the article's text, HTML or JSON")
    name = UPLOAD_NAMES.get(content_type, "upload")
    items = read_bytes(body, name, state.options)
    errors = [i for i in items if isinstance(i, InputError)]
    articles = [i for i in items if isinstance(i, Article)]
    if not articles:
        reason = "; ".join(e.reason for e in errors) or "no article found in the body"
        raise ApiError(422, f"could not read the body: {reason}")
    with state.write_lock:
        report = run(items, state.store, state.options, count=False)  # not reported
        mentions = state.store.get_mentions([a.id for a in articles])
        events = state.store.events_for_mentions([m.id for m in mentions])
    lookup = _articles_of(state.store, events)
    return {
        "ok": True,
        "articles": [a.id for a in articles],
        "added": report.ingest.added,
        "already_stored": report.ingest.already_stored,
        "mentions": len(mentions),
        "errors": [e.reason for e in errors],
        "events": [event_json(e, lookup) for e in events],
    }


# --- page ---------------------------------------------------------------------------------------


def _add_page_routes(app: FastAPI) -> None:
    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    @app.get("/docs", include_in_schema=False)
    def docs() -> FileResponse:
        return FileResponse(STATIC_DIR / "docs.html", headers={"Cache-Control": "no-cache"})

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")


# --- rendering ------------------------------------------------------------------------------------


def article_summary(article: Article) -> dict[str, Any]:
    """An article in a list: its metadata, its outlet's display name, its length in words."""
    data = article_json(article)
    data.pop("text")
    data.pop("posts")
    data["outlet_name"] = article.outlet or outlet_domain(article.url)
    data["words"] = len(article.text.split())
    return data


def article_json(article: Article) -> dict[str, Any]:
    """An article as the API returns it (metadata, clean text, embedded posts)."""
    data: dict[str, Any] = to_dict(article)
    keys = ("id", "url", "outlet", "title", "published", "published_source", "language", "text",
            "posts", "copy_of", "source_id")
    return {key: data[key] for key in keys}


def event_json(event: Event, articles: Mapping[str, Article]) -> dict[str, Any]:
    """The event JSON shared with ``eventfuse events --format json``."""
    from eventfuse.export import event_to_json

    return event_to_json(event, articles)


EXPORT_MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "geojson": "application/geo+json",
    "json": "application/json",
    "jsonl": "application/x-ndjson",
    "parquet": "application/vnd.apache.parquet",
}


def render_export(
    fmt: ExportFormat, events: list[Event], articles: Mapping[str, Article],
    context: ExportContext | None = None,
) -> tuple[bytes, str, ExportReport]:
    """(body, media type, report) of ``events`` in ``fmt``, by the writers ``eventfuse events``
    uses."""
    import io
    import tempfile

    from eventfuse.export import write_events

    if fmt == "parquet":  # binary, written by pyarrow to a file
        with tempfile.TemporaryDirectory(prefix="eventfuse-export-") as scratch:
            path = Path(scratch) / "events.parquet"
            report = write_events(fmt, events, articles, path, context)
            return path.read_bytes(), EXPORT_MEDIA_TYPES[fmt], report
    out = io.StringIO()
    report = write_events(fmt, events, articles, out, context)
    return out.getvalue().encode("utf-8"), EXPORT_MEDIA_TYPES[fmt], report
