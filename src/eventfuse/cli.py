"""The ``eventfuse`` command: thin commands over importable functions that return data."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, NoReturn, TextIO

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from eventfuse import __version__
from eventfuse.errors import EventfuseError, InputError
from eventfuse.records import Article, to_dict
from eventfuse.settings import Options, load_options

err_console = Console(stderr=True)


def out_console() -> Console:
    """Tables stay readable when piped: rich would otherwise wrap them at 80 columns."""
    return Console() if sys.stdout.isatty() else Console(width=160)


class Context:
    def __init__(self, db: str | None, quiet: bool, overrides: dict[str, Any]) -> None:
        self.quiet = quiet
        self.db_given = db is not None
        self.options = load_options({"db": db, **overrides})
        # --workers' default (every core) yields to n_process set by --set or the environment.
        self.workers_given = ("n_process" in overrides
                              or "EVENTFUSE_N_PROCESS" in os.environ)

    def open_store(self) -> Any:
        from eventfuse.store import open_store

        return open_store(self.options.db)

    def open_existing_store(self) -> Any:
        """The store of a read command: a missing SQLite file is an error, never created."""
        self.require_existing_db()
        return self.open_store()

    def require_existing_db(self) -> None:
        db = self.options.db
        if _is_file_db(db) and not Path(db).exists():
            raise click.ClickException(
                f"no database at {db}: create it with `eventfuse --db {db} run PATH`, or point "
                "--db / $EVENTFUSE_DB at an existing one")


def _is_file_db(db: str) -> bool:
    return db != ":memory:" and not db.lower().startswith(("postgres://", "postgresql"))


pass_ctx = click.make_pass_decorator(Context)


def _set_db(click_ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        obj = click_ctx.find_object(Context)
        if obj is not None:
            obj.options = dataclasses.replace(obj.options, db=value)
            obj.db_given = True


# `eventfuse run PATH --db DB` reads as naturally as `eventfuse --db DB run PATH`: accept both.
DB = click.option(
    "--db", expose_value=False, callback=_set_db, help="SQLite path or postgresql:// URL."
)


def _set_workers(click_ctx: click.Context, _param: click.Parameter, value: int | None) -> None:
    obj = click_ctx.find_object(Context)
    if obj is not None and (value is not None or not obj.workers_given):
        workers = value if value is not None else (os.cpu_count() or 1)
        obj.options = dataclasses.replace(obj.options, n_process=workers)


def _set_first_pass(click_ctx: click.Context, _param: click.Parameter, value: bool | None) -> None:
    obj = click_ctx.find_object(Context)
    if obj is not None and value is not None:
        obj.options = dataclasses.replace(obj.options, first_pass=value)


FIRST_PASS = click.option(
    "--first-pass/--no-first-pass", default=None, expose_value=False, callback=_set_first_pass,
    help="Run the full spaCy pipeline only on the sentences that can hold an event (the rest: "
    "NER only) [default: the first_pass setting].",
)

WORKERS = click.option(
    "--workers", type=click.IntRange(min=1), expose_value=False, callback=_set_workers,
    help="Processes parsing and extracting articles (each parses and runs the rules on its "
    "batches; Spark: local cores) [default: one per core, or the n_process setting].",
)


class _Group(click.Group):
    """Turns eventfuse's own errors into one clear line instead of a traceback."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """The ``eventfuse`` script's call (and ``python -m eventfuse``'s): the command, then out
        without the interpreter's teardown. With the model, gazetteer and lexicons loaded,
        freeing their millions of objects one by one at exit cost a run about a second of one
        core after its work was done; the operating system reclaims the memory at once. By then
        a command has closed its stores and files (context managers) and joined its processes;
        output and logs are flushed first. ``CliRunner`` and other in-process callers call
        ``main.main(...)``, and ``standalone_mode=False`` returns: both keep a normal exit."""
        if not kwargs.get("standalone_mode", True):
            return self.main(*args, **kwargs)
        try:
            self.main(*args, **kwargs)
            code: object = 0
        except SystemExit as exc:  # standalone mode always ends here
            code = exc.code
        _exit_at_once(code)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EventfuseError as exc:
            raise click.ClickException(str(exc)) from exc


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="eventfuse")
@click.option("--db", envvar="EVENTFUSE_DB", help="SQLite path or postgresql:// URL.")
@click.option("--quiet", "-q", is_flag=True, help="Print only results and errors.")
@click.option("--max-file-bytes", type=int, help="Refuse inputs larger than this.")
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="NAME=VALUE",
    help="Any setting of eventfuse.settings (limits, thresholds), e.g. --set max_text_chars=50000.",
)
@click.pass_context
def main(
    ctx: click.Context,
    db: str | None,
    quiet: bool,
    max_file_bytes: int | None,
    settings: tuple[str, ...],
) -> None:
    """eventfuse: news articles in, a fused event dataset with per-claim provenance out."""
    overrides: dict[str, Any] = {}
    for item in settings:
        name, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--set")
        overrides[name.strip()] = value.strip()
    overrides["max_file_bytes"] = max_file_bytes
    try:
        ctx.obj = Context(db, quiet, overrides)
    except EventfuseError as exc:
        raise click.ClickException(str(exc)) from exc


# --- reading inputs ----------------------------------------------------------------------------


def _read(
    paths: Sequence[str], options: Options, outlet_from_folder: bool = False,
    follow_links: bool = False,
) -> Iterator[Article | InputError]:
    from eventfuse.ingest import read_sources

    stdin = sys.stdin.buffer if "-" in paths else None
    yield from read_sources(paths, options, stdin=stdin, outlet_from_folder=outlet_from_folder,
                            follow_links=follow_links)


def _report_errors(errors: Sequence[InputError]) -> None:
    for error in errors:
        err_console.print(f"[red]error[/red] {error}", markup=True, highlight=False, soft_wrap=True)


@contextmanager
def _progress(quiet: bool) -> Iterator[Callable[[str, int], None] | None]:
    if quiet or not sys.stderr.isatty():
        yield None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        tasks: dict[str, Any] = {}

        def advance(step: str, done: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=None)
            bar.advance(tasks[step], done)

        yield advance


INPUTS = click.argument("paths", nargs=-1, required=True)
OUTLET_FROM_FOLDER = click.option(
    "--outlet-from-folder", is_flag=True, help="Use each file's folder name as its outlet."
)


ALLOW_PRIVATE = click.option(
    "--allow-private", is_flag=True,
    help="Also fetch private, loopback and link-local addresses (testing your own server).",
)


@main.command()
@INPUTS
@OUTLET_FROM_FOLDER
@ALLOW_PRIVATE
@click.option("--follow-links", is_flag=True,
              help="In folders, also read links that point outside the folder.")
@DB
@pass_ctx
def ingest(
    ctx: Context, paths: tuple[str, ...], outlet_from_folder: bool, allow_private: bool,
    follow_links: bool,
) -> None:
    """Read articles from files, folders, globs, - (stdin) or http(s) URLs of pages and feeds,
    and store them once (a URL's updated page is stored as a revision)."""
    from eventfuse.engines.local import ingest_articles
    from eventfuse.fetch.sources import is_url

    urls = [p for p in paths if is_url(p)]
    files = [p for p in paths if not is_url(p)]
    errors: list[InputError] = []
    with ctx.open_store() as store, _progress(ctx.quiet) as progress:
        if files:
            report = ingest_articles(
                _read(files, ctx.options, outlet_from_folder, follow_links), store, ctx.options,
                progress,
            )
            errors += report.errors
            if not ctx.quiet:
                click.echo(
                    f"read {report.read} articles: {report.added} new, {report.already_stored} "
                    f"already stored, {report.copies} wire copies; {len(report.errors)} inputs "
                    "failed"
                )
        if urls:
            errors += _ingest_urls(ctx, store, urls, allow_private)
    _report_errors(errors)
    if errors:
        sys.exit(1)


def _ingest_urls(
    ctx: Context, store: Any, urls: Sequence[str], allow_private: bool
) -> list[InputError]:
    from eventfuse.fetch.client import Fetcher, load_policy
    from eventfuse.fetch.sources import Source, ingest_source

    errors: list[InputError] = []
    with Fetcher(load_policy(ctx.options, allow_private=allow_private)) as fetcher:
        for url in urls:
            outcome = ingest_source(Source(url), fetcher, store, ctx.options)
            errors += outcome.errors
            if not ctx.quiet:
                state = "not modified" if outcome.not_modified else (
                    f"{len(outcome.added)} new, {len(outcome.revised)} revised, "
                    f"{outcome.seen} already stored")
                click.echo(f"{url}: {state}")
    return errors


# --- watching, change feed ---------------------------------------------------------------------


@main.command()
@click.argument("sources_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--every", default="15m", show_default=True, help="Poll interval: 90s, 15m, 1h.")
@click.option("--once", is_flag=True, help="Poll once and exit.")
@ALLOW_PRIVATE
@DB
@pass_ctx
def watch(ctx: Context, sources_file: Path, every: str, once: bool, allow_private: bool) -> None:
    """Poll the feeds and sites of SOURCES_FILE (YAML list of {url, outlet}, or lines
    "URL [outlet]"); ingest, extract and fuse what is new; log what changed. Ctrl-C stops."""
    from eventfuse.fetch.client import load_policy
    from eventfuse.fetch.sources import parse_source_list
    from eventfuse.watch import parse_interval
    from eventfuse.watch import watch as watch_sources

    sources = parse_source_list(sources_file.read_text(encoding="utf-8"), str(sources_file))
    if not sources:
        raise click.ClickException(f"{sources_file}: no source URL in the file")
    interval = parse_interval(every)

    def log(line: str) -> None:
        if not ctx.quiet or line.startswith("error"):
            err_console.print(line, markup=False, highlight=False, soft_wrap=True)

    with ctx.open_store() as store:
        reports = watch_sources(sources, store, ctx.options,
                                load_policy(ctx.options, allow_private=allow_private),
                                every_seconds=interval, once=once, log=log)
    if once and reports and reports[-1].errors and not reports[-1].added:
        sys.exit(1)


@main.command()
@click.option("--since", help="Only changes after this UTC ISO date or time.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "jsonl"]), default="table")
@DB
@pass_ctx
def changes(ctx: Context, since: str | None, fmt: str) -> None:
    """The change log of events: created, source_added, field_changed, disagreement_added,
    removed; with when and from which article."""
    from eventfuse.changes import change_json, normalize_since

    try:
        cutoff = normalize_since(since) if since else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from exc
    with ctx.open_existing_store() as store:
        found = store.get_changes(cutoff)
    if fmt != "table":
        _emit([change_json(c) for c in found], fmt, sys.stdout)
        return
    table = Table("when (UTC)", "event", "kind", "what", "article")
    for change in found:
        table.add_row(change.at[:19], change.event_id, change.kind, change.detail[:70],
                      change.article_id or "")
    out_console().print(table)


def _emit(rows: Sequence[dict[str, Any]], fmt: str, out: TextIO) -> None:
    if fmt == "json":
        json.dump(rows, out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def article_json(article: Article) -> dict[str, Any]:
    data: dict[str, Any] = to_dict(article)
    keys = ("id", "url", "outlet", "title", "published", "published_source", "text", "posts")
    row = {k: data[k] for k in keys}
    row["copy_of"] = data["copy_of"]
    row["source_id"] = data["source_id"]
    row["metadata"] = data["metadata"]
    return row


@main.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json", "jsonl"]), default="table")
@DB
@pass_ctx
def articles(ctx: Context, fmt: str) -> None:
    """List stored articles."""
    with ctx.open_existing_store() as store:
        stored = store.get_articles()
    if fmt != "table":
        _emit([article_json(a) for a in stored], fmt, sys.stdout)
        return
    table = Table("id", "outlet", "published", "title", "copy of", "words")
    for a in stored:
        table.add_row(
            a.id,
            a.outlet or "",
            a.published.isoformat() if a.published else "",
            (a.title or "")[:60],
            a.copy_of or "",
            str(len(a.text.split())),
        )
    out_console().print(table)


@main.command()
@INPUTS
@click.option("--published", type=click.DateTime(["%Y-%m-%d"]), help="Publication date to assume.")
@click.option("--format", "fmt", type=click.Choice(["json", "jsonl"]), default="json")
@click.option("--explain", is_flag=True,
              help="Print, per article, what each extraction component dropped, merged or "
              "changed and by which rule, then the mentions kept.")
@OUTLET_FROM_FOLDER
@WORKERS
@FIRST_PASS
@pass_ctx
def extract(
    ctx: Context,
    paths: tuple[str, ...],
    published: Any,
    fmt: str,
    explain: bool,
    outlet_from_folder: bool,
) -> None:
    """Print the mentions found in the given articles, without touching a database."""
    from dataclasses import replace

    from eventfuse.extract import extract_articles

    items = list(_read(paths, ctx.options, outlet_from_folder))
    errors = [i for i in items if isinstance(i, InputError)]
    arts = [i for i in items if isinstance(i, Article)]
    if published is not None:
        day: date = published.date()
        arts = [replace(a, published=day, published_source="cli") for a in arts]
    if explain:
        _explain(arts, ctx.options)
    else:
        mentions = extract_articles(arts, ctx.options)
        _emit([to_dict(m) for m in mentions], fmt, sys.stdout)
    _report_errors(errors)
    if errors:
        sys.exit(1)


@main.command()
@INPUTS
@OUTLET_FROM_FOLDER
@click.option(
    "--engine", type=click.Choice(["local", "spark"]), default="local", show_default=True,
    help="local: this process; spark: read and extract on Apache Spark (pip install "
    "'eventfuse[spark]').",
)
@click.option(
    "--master",
    help="Spark master URL (default: spark-submit's --master, else local[*]); only with "
    "--engine spark.",
)
@click.option(
    "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
    help="Also write events, mentions and articles as Parquet files to this folder; without "
    "--db the store is temporary and these files are the only output.",
)
@DB
@WORKERS
@FIRST_PASS
@pass_ctx
def run(
    ctx: Context,
    paths: tuple[str, ...],
    outlet_from_folder: bool,
    engine: str,
    master: str | None,
    out_dir: Path | None,
) -> None:
    """Ingest, extract and fuse; prints a summary and where to look."""
    import tempfile

    if master and engine != "spark":
        raise click.UsageError("--master needs --engine spark")
    # --out without --db (flag or EVENTFUSE_DB): the store only carries the run to the Parquet.
    db_given = ctx.db_given
    with tempfile.TemporaryDirectory(prefix="eventfuse-run-") as scratch:
        options = ctx.options
        if out_dir is not None and not db_given:
            options = dataclasses.replace(options, db=str(Path(scratch) / "run.db"))
        from eventfuse.store import open_store

        with open_store(options.db) as store, _progress(ctx.quiet) as progress:
            report = _run_engine(
                engine, master, paths, outlet_from_folder, store, options, progress
            )
            written = _write_run_outputs(store, out_dir) if out_dir is not None else []
        location = getattr(store, "location", options.db) if db_given or not written else None
        _report_errors(report.ingest.errors)
        if not ctx.quiet:
            _print_summary(report, location, written)
    if report.ingest.errors:
        sys.exit(1)


def _run_engine(
    engine: str,
    master: str | None,
    paths: Sequence[str],
    outlet_from_folder: bool,
    store: Any,
    options: Options,
    progress: Callable[[str, int], None] | None,
) -> Any:
    from eventfuse.engines.local import run as run_local

    if engine == "local":
        return run_local(_read(paths, options, outlet_from_folder), store, options, progress)
    try:
        from eventfuse.engines import spark

        # None: spark-submit's master, else local[workers]
        config = spark.SparkConfig(master=master, local_cores=options.n_process)
        spark_session = spark.spark_session(config)
    except ImportError as exc:
        raise click.ClickException(
            f"the Spark engine needs pyspark and pandas: pip install 'eventfuse[spark]' ({exc})"
        ) from exc
    try:
        return spark.run(
            spark_session, paths, store, options,
            outlet_from_folder=outlet_from_folder, progress=progress,
        )
    finally:
        spark_session.stop()


def _write_run_outputs(store: Any, out_dir: Path) -> list[Path]:
    from eventfuse.engines.spark import write_outputs  # pyspark is not needed to write Parquet

    return write_outputs(store, out_dir)


def _print_summary(report: Any, db: str | None, written: Sequence[Path] = ()) -> None:
    ing = report.ingest
    counts = report.counts
    table = Table(title="eventfuse run", show_header=False)
    table.add_row("articles read", str(ing.read))
    table.add_row(
        "new / already stored / wire copies", f"{ing.added} / {ing.already_stored} / {ing.copies}"
    )
    table.add_row("inputs failed", str(len(ing.errors)))
    table.add_row("articles extracted now", str(report.extracted_articles))
    for key in ("articles", "mentions", "events", "disputed_events"):
        if key in counts:
            table.add_row(f"{key.replace('_', ' ')} in store", str(counts[key]))
    out_console().print(table)
    for path in written:
        click.echo(f"wrote {path}")
    if db is None:
        return
    click.echo(f"database: {db}")
    click.echo(f"look: eventfuse --db {db} events   |   eventfuse --db {db} show EVENT_ID")
    click.echo(f"      eventfuse --db {db} serve   (map, timeline, sources side by side)")


# --- events, show ------------------------------------------------------------------------------

EVENT_FORMATS = ("table", "json", "jsonl", "csv", "geojson", "parquet")


@main.command()
@click.option("--format", "fmt", type=click.Choice(EVENT_FORMATS), default="table")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Events on or after this day.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Events on or before this day.")
@click.option("--type", "etype", help="PLOVER category, e.g. PROTEST.")
@click.option("--country", help="Country: ISO 3166 code or name, e.g. AF or Afghanistan.")
@click.option("--actor", help="Actor name (substring, any role).")
@click.option("--text", help="Free-text search in wording, places, actors, quotes.")
@click.option("--disputed", is_flag=True, help="Only events where sources disagree.")
@click.option(
    "--outlets", type=click.Path(exists=True, dir_okay=False),
    help="CSV of outlet,source_scale (ACLED's Local/National/International...) for the "
    "source_scale column; default $EVENTFUSE_OUTLETS.",
)
@DB
@pass_ctx
def events(
    ctx: Context,
    fmt: str,
    output: str | None,
    since: Any,
    until: Any,
    etype: str | None,
    country: str | None,
    actor: str | None,
    text: str | None,
    disputed: bool,
    outlets: str | None,
) -> None:
    """List fused events, filtered, in a table or an export format.

    csv: ACLED's columns in its codebook order, then PLOVER's; geojson: every event (null
    geometry where unplaced); parquet: every column typed (dates, nullable integers)."""
    from eventfuse.acled import load_outlets
    from eventfuse.export import store_context, write_events
    from eventfuse.query import EventQuery, checked_type, query_events

    with ctx.open_existing_store() as store:
        query = EventQuery(
            since=since.date() if since else None,
            until=until.date() if until else None,
            type=_option(checked_type, etype, "--type"),
            country=_option(lambda c: _checked_country(store, c), country, "--country"),
            actor=actor,
            text=text,
            disputed=disputed or None,
        )
        found = query_events(store, query)
        source_ids = sorted({s.article_id for e in found for s in e.sources})
        articles = {a.id: a for a in store.get_articles(source_ids)} if source_ids else {}
        context = (store_context(store, found, articles, load_outlets(outlets))
                   if fmt in FLAT_FORMATS else None)
    if fmt == "table":
        _events_table(found)
        return
    if fmt == "parquet" and not output:
        raise click.UsageError("--format parquet needs -o FILE")
    if output:
        if fmt == "parquet":
            report = write_events(fmt, found, articles, Path(output), context)
        else:
            with open(output, "w", encoding="utf-8", newline="") as handle:
                report = write_events(fmt, found, articles, handle, context)
    else:
        report = write_events(fmt, found, articles, sys.stdout, context)
    if not ctx.quiet:
        _report_export(report, output)


def _option(check: Callable[[str], str], value: str | None, hint: str) -> str | None:
    """``check(value)`` (None stays None); its FilterError becomes a usage error of ``hint``."""
    from eventfuse.query import FilterError

    if value is None:
        return None
    try:
        return check(value)
    except FilterError as exc:
        raise click.BadParameter(str(exc), param_hint=hint) from exc


def _checked_country(store: Any, value: str) -> str:
    from eventfuse.query import checked_country

    return checked_country(value, known=store.event_countries())


# Formats whose rows carry ACLED ids and source scales.
FLAT_FORMATS = ("csv", "geojson", "parquet")


def _report_export(report: Any, output: str | None) -> None:
    where = f" to {output}" if output else ""
    err_console.print(f"wrote {report.events} events{where}", highlight=False)
    if report.unplaced:
        err_console.print(f"{report.unplaced} of them have no coordinates (null geometry)",
                          highlight=False)
    if report.left_out:
        err_console.print(f"left out {report.left_out} events with no date at all (no ACLED row "
                          "without one); --format json keeps them", highlight=False)


def _events_table(found: Sequence[Any]) -> None:
    table = Table("id", "date", "type", "where", "actors", "sources", "disputed")
    for e in found:
        when = e.when.start.isoformat() if e.when and e.when.start else "?"
        where = (e.location.canonical or e.location.name) if e.location else ""
        actors = ", ".join(sorted({a.canonical for a in e.actors}))[:40]
        mode = f"/{e.mode}" if e.mode else ""
        flags = ", ".join(sorted({d.field for d in e.disagreements}))
        table.add_row(
            e.id, when, f"{e.type}{mode}", where, actors, str(e.independent_sources), flags
        )
    out_console().print(table)


@main.command()
@click.argument("event_id")
@DB
@pass_ctx
def show(ctx: Context, event_id: str) -> None:
    """Side-by-side comparison of what each source says about one event."""
    from eventfuse.export import render_event_comparison

    with ctx.open_existing_store() as store:
        event = store.get_event(event_id)
        if event is None:
            raise click.ClickException(f"no event {event_id!r} in {ctx.options.db}")
        article_ids = [s.article_id for s in event.sources]
        articles = {a.id: a for a in store.get_articles(article_ids)}
        mentions = {m.id: m for m in store.get_mentions(article_ids)}
    out_console().print(render_event_comparison(event, articles, mentions))


def _explain(articles: Sequence[Article], options: Options) -> None:
    """The extraction trace of each article: one line per candidate dropped, merged or changed
    (component, rule, trigger, reason), then one line per mention kept."""
    from eventfuse.extract import explain_article
    from eventfuse.extract.firstpass import parse_texts

    console = out_console()
    docs = parse_texts((a.text for a in articles), batch_size=options.batch_size,
                       first_pass=options.first_pass)
    for article, doc in zip(articles, docs, strict=True):
        mentions, trace = explain_article(article, doc, options)
        console.print(f"[bold]{article.title or article.source_path or article.id}[/bold]",
                      highlight=False)
        for r in trace:
            console.print(
                f"  {r.action:10} {r.type:10} {r.trigger!r}@{r.start}  [{r.component}/{r.rule}]"
                f"  {r.reason}", markup=False, highlight=False)
        for m in mentions:
            place = m.location.name if m.location else "-"
            when = m.when.start if m.when and m.when.start else "-"
            counts = ", ".join(f"{q.kind} {q.low}-{q.high}" for q in m.quantities) or "-"
            trigger = m.trigger.text if m.trigger else ""
            console.print(
                f"  [green]MENTION[/green]    {m.type:10} {trigger!r}  place {place}; "
                f"date {when}; {counts}; salience {m.salience}; +{len(m.coreferent)} coreferent",
                highlight=False)


# --- evaluation --------------------------------------------------------------------------------


@main.group(name="eval")
def eval_group() -> None:
    """Score eventfuse on external labeled data."""


def _print_scores(scores: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(scores, indent=2, ensure_ascii=False))
        return
    for key, value in scores.items():
        if isinstance(value, float):
            click.echo(f"{key:32} {value:.4f}")
        elif not isinstance(value, dict | list):
            click.echo(f"{key:32} {value}")
        else:
            click.echo(f"{key:32} {json.dumps(value, ensure_ascii=False)}")


@eval_group.command("plover-gsr")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--predictions", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--folds",
    type=int,
    default=None,
    help="Cross-validate the typing classifier with K folds (default 5 when the shipped head "
    "was trained on PATH).",
)
@click.option(
    "--train-data",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="The training data folder for cross-validation (default ../shared/data).",
)
@FIRST_PASS
@pass_ctx
def eval_plover(
    ctx: Context,
    path: Path,
    as_json: bool,
    predictions: Path | None,
    folds: int | None,
    train_data: Path | None,
) -> None:
    """Event category accuracy, macro F1 and actor match on PLOVER gold records: the lexicon's,
    and beside it the typing classifier's (cross-validated when it was trained on PATH)."""
    from eventfuse.evaluate.plover import evaluate_plover

    first_pass = ctx.options.first_pass
    _print_scores(evaluate_plover(path, predictions, folds, train_data, first_pass), as_json)


@eval_group.command("acled-style")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def eval_acled_style(path: Path, as_json: bool) -> None:
    """ACLED sub-event type accuracy on one-sentence event descriptions (JSON Lines with text,
    event_type, sub_event_type)."""
    from eventfuse.evaluate.acled import evaluate_acled

    _print_scores(evaluate_acled(path), as_json)


@eval_group.command("ecbplus")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--predictions", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--topics",
    default="dev",
    show_default=True,
    help="Comma-separated topic numbers, or 'dev' (2,5,12,18,21,23,34,35) or 'train' (the rest).",
)
def eval_ecbplus(directory: Path, as_json: bool, predictions: Path | None, topics: str) -> None:
    """Cross-document event coreference on ECB+ topics: B3, MUC, CEAF-e, CoNLL F1.

    The product sees each topic's documents and gold mention spans only (never the sub-topic);
    its own story clustering groups them. The "oracle" line uses the gold sub-topics."""
    from eventfuse.evaluate.ecbplus import evaluate_ecbplus, parse_topics

    try:
        chosen = parse_topics(topics, directory)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--topics") from exc
    _print_scores(evaluate_ecbplus(directory, predictions, chosen), as_json)


@eval_group.command("incidents")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--predictions", type=click.Path(dir_okay=False, path_type=Path),
              help="Write one JSON line per fused event (articles, date, place, tolls).")
@click.option("--parse-cache", type=click.Path(file_okay=False, path_type=Path),
              help="Keep spaCy parses in this folder between runs (faster re-runs).")
@click.option("--ablate", multiple=True, metavar="RULE",
              help="Switch an extraction rule off (repeatable) to show what it is worth.")
@FIRST_PASS
@pass_ctx
def eval_incidents(
    ctx: Context, directory: Path, as_json: bool, predictions: Path | None,
    parse_cache: Path | None, ablate: tuple[str, ...],
) -> None:
    """The whole pipeline on news about known incidents (gva-dev layout): events per article,
    article clustering B3, and each incident's place, date, killed and injured."""
    from dataclasses import replace

    from eventfuse.date_rules import FUSION_SWITCHES
    from eventfuse.evaluate.incidents import evaluate_incidents
    from eventfuse.extract.pipeline import RULES

    rules = {**RULES, **FUSION_SWITCHES}
    unknown = sorted(set(ablate) - set(rules))
    if unknown:
        raise click.BadParameter(f"unknown rule(s) {unknown}; rules: {', '.join(sorted(rules))}",
                                 param_hint="--ablate")
    disabled = {r for r in ctx.options.disabled_rules.split(",") if r} | set(ablate)
    options = replace(ctx.options, disabled_rules=",".join(sorted(disabled)))
    _print_scores(evaluate_incidents(directory, options, predictions, parse_cache), as_json)


@eval_group.command("geoparse")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--predictions", type=click.Path(dir_okay=False, path_type=Path),
              help="Write one JSON line per place found.")
@FIRST_PASS
@pass_ctx
def eval_geoparse(ctx: Context, path: Path, as_json: bool, predictions: Path | None) -> None:
    """Place names on LGL-style XML: span recall/precision, resolution and end-to-end acc@161 km."""
    from eventfuse.evaluate.geoparse import evaluate_geoparse

    _print_scores(evaluate_geoparse(path, predictions, ctx.options.first_pass), as_json)


# --- web ---------------------------------------------------------------------------------------


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8000, show_default=True, type=int)
@DB
@pass_ctx
def serve(ctx: Context, host: str, port: int) -> None:
    """Serve the JSON API and the web page (map, timeline, side-by-side sources).

    Reads are open. Writes (POST /api/articles) need the bearer token set in the environment
    variable EVENTFUSE_TOKEN when the server starts: send "Authorization: Bearer <token>" (the
    Authorize button of /docs). Without EVENTFUSE_TOKEN every write is refused (401)."""
    import uvicorn

    from eventfuse.api import create_app

    ctx.require_existing_db()
    if not ctx.quiet:
        err_console.print(f"serving {ctx.options.db} on http://{host}:{port}/ (API docs at /docs)")
    uvicorn.run(create_app(ctx.options), host=host, port=port, log_level="warning")



def _exit_at_once(code: object) -> NoReturn:
    """``sys.exit(code)``'s status and message, without the interpreter's teardown."""
    import logging

    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # as Python prints a non-integer exit code
        print(code, file=sys.stderr)
        status = 1
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more reaches it
            status = status or 1
    os._exit(status)
