"""The JSON API in process: every endpoint, filters, the one error shape, auth, size limits, XSS.

Most tests run on a store of hand-made records (tests/web_e2e/handmade.py); the POST test and the
seed test run the real pipeline (spaCy), as `eventfuse serve` would.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import require_shared
from eventfuse.api import create_app
from eventfuse.settings import Options
from eventfuse.store import Store, open_store
from web_e2e.handmade import XSS, XSS_SCRIPT, fill

STATIC = Path(__file__).resolve().parents[1] / "src" / "eventfuse" / "web" / "static"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
TOKEN = "test-token-123"


@pytest.fixture
def store() -> Iterator[Store]:
    with open_store(":memory:") as s:
        yield fill(s)


@pytest.fixture
def client(store: Store, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.delenv("EVENTFUSE_TOKEN", raising=False)
    return TestClient(create_app(Options(), store=store, token=TOKEN),
                      raise_server_exceptions=False)


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["ok"] is False
    assert set(body["error"]) >= {"code", "message"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body


def ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [e["id"] for e in response.json()["events"]]


# --- reads ---------------------------------------------------------------------------------------


def test_health_reports_counts(client: TestClient) -> None:
    body = client.get("/api/health").json()
    assert body["ok"] is True
    assert body["counts"]["events"] == 3
    assert body["writes_enabled"] is True


def test_events_lists_all_with_total_sorted_by_date(client: TestClient) -> None:
    response = client.get("/api/events")
    body = response.json()
    assert body["total"] == 3
    assert ids(response) == ["ev-kabul-protest", "ev-badakhshan-strike", "ev-xss"]
    assert client.get("/api/events", params={"sort": "-date"}).json()["events"][-1]["id"] == \
        "ev-kabul-protest"


def test_events_sort_by_sources_puts_the_best_sourced_first(client: TestClient) -> None:
    assert ids(client.get("/api/events", params={"sort": "sources"}))[0] == "ev-kabul-protest"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"type": "ASSAULT"}, ["ev-badakhshan-strike"]),
        ({"type": "protest"}, ["ev-kabul-protest", "ev-xss"]),
        ({"country": "af"}, ["ev-kabul-protest", "ev-badakhshan-strike", "ev-xss"]),
        ({"country": "KE"}, []),
        ({"disputed": "true"}, ["ev-kabul-protest", "ev-xss"]),
        ({"start": "2024-05-13"}, ["ev-badakhshan-strike", "ev-xss"]),
        ({"end": "2024-05-12"}, ["ev-kabul-protest"]),
        ({"start": "2024-05-14", "end": "2024-05-20"}, ["ev-badakhshan-strike"]),
        ({"actor": "civilians"}, ["ev-kabul-protest"]),
        ({"q": "hungry"}, ["ev-kabul-protest"]),  # a quote's words
        ({"q": "badakhshan"}, ["ev-badakhshan-strike"]),
        ({"q": "no such words anywhere"}, []),
    ],
)
def test_events_filters(client: TestClient, params: dict[str, str], expected: list[str]) -> None:
    response = client.get("/api/events", params=params)
    assert ids(response) == expected
    assert response.json()["total"] == len(expected)


def test_events_pagination_keeps_total(client: TestClient) -> None:
    first = client.get("/api/events", params={"limit": 2, "offset": 0}).json()
    second = client.get("/api/events", params={"limit": 2, "offset": 2}).json()
    assert first["total"] == second["total"] == 3
    assert [e["id"] for e in first["events"] + second["events"]] == \
        ["ev-kabul-protest", "ev-badakhshan-strike", "ev-xss"]


@pytest.mark.parametrize(
    "params",
    [{"start": "yesterday"}, {"limit": 0}, {"limit": 100000}, {"offset": -1}, {"sort": "random"},
     {"disputed": "perhaps"}],
)
def test_events_bad_parameters_are_422_in_the_error_shape(
    client: TestClient, params: dict[str, Any]
) -> None:
    assert_error(client.get("/api/events", params=params), 422, "invalid_request")


def test_event_is_the_design_json_with_both_sources_and_the_size_disagreement(
    client: TestClient,
) -> None:
    event = client.get("/api/events/ev-kabul-protest").json()
    for key in ("id", "type", "mode", "acled", "date", "location", "actors", "quantities",
                "sources", "quotes", "discrepancies", "confidence"):
        assert key in event
    assert event["date"] == {**event["date"], "start": "2024-05-12", "precision": "day"}
    assert event["location"]["name"] == "Kabul"
    assert event["location"]["precision"] == "point"
    assert [s["outlet"] for s in event["sources"]] == ["Harbor Ledger", "Valley Wire"]
    (size,) = event["discrepancies"]
    assert size["field"] == "size"
    assert [v["evidence"]["text"] for v in size["values"]] == ["Hundreds", "Dozens"]
    assert {r["article_id"] for r in event["quotes"][0]["renderings"]} == {"a-ledger", "a-wire"}


def test_event_carries_each_sources_evidence_spans(client: TestClient, store: Store) -> None:
    spans = client.get("/api/events/ev-kabul-protest").json()["evidence_spans"]
    assert set(spans) == {"a-ledger", "a-wire"}
    text = store.get_article("a-wire").text  # type: ignore[union-attr]
    read = {(s["field"], text[s["start"]:s["end"]]) for s in spans["a-wire"]}
    assert {("trigger", "gathered"), ("location", "Kabul"), ("quantity", "Dozens"),
            ("when", "Sunday")} <= read


def test_unknown_event_and_article_are_404(client: TestClient) -> None:
    assert_error(client.get("/api/events/nope"), 404, "not_found")
    assert_error(client.get("/api/articles/nope"), 404, "not_found")
    assert_error(client.get("/api/no-such-endpoint"), 404, "not_found")


def test_wrong_method_is_405_in_the_error_shape(client: TestClient) -> None:
    assert_error(client.delete("/api/events"), 405, "method_not_allowed")


def test_article_has_text_posts_mentions_and_spans_that_index_the_text(client: TestClient) -> None:
    article = client.get("/api/articles/a-ledger").json()
    assert article["outlet"] == "Harbor Ledger"
    assert article["text"].startswith("Hundreds of residents")
    assert article["posts"] == []
    assert [m["id"] for m in article["mentions"]] == ["m-a-ledger"]
    assert article["events"] == [{"id": "ev-kabul-protest", "type": "PROTEST"}]
    by_field = {s["field"]: article["text"][s["start"]:s["end"]] for s in article["spans"]}
    assert by_field["quantity"] == "Hundreds"
    assert by_field["speaker"] == "Farida Noori"
    assert by_field["quote"] == "We cannot feed our children,"
    starts = [s["start"] for s in article["spans"]]
    assert starts == sorted(starts)


# --- exports -------------------------------------------------------------------------------------


def test_export_csv_honours_filters(client: TestClient) -> None:
    response = client.get("/api/export.csv", params={"type": "ASSAULT"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["event_id"] for r in rows] == ["ev-badakhshan-strike"]
    assert rows[0]["event_id_cnty"] == "AFG1" and rows[0]["iso"] == "4"


@pytest.mark.issue(16)
def test_export_ids_are_stable_across_requests(client: TestClient) -> None:
    def numbers() -> dict[str, str]:
        rows = csv.DictReader(io.StringIO(client.get("/api/export.csv").text))
        return {r["event_id"]: r["event_id_cnty"] for r in rows}

    first = numbers()
    assert sorted(first.values()) == ["AFG1", "AFG2", "AFG3"]
    client.get("/api/export.csv", params={"type": "ASSAULT"})
    assert numbers() == first


def test_export_geojson_is_points_in_lon_lat(client: TestClient) -> None:
    response = client.get("/api/export.geojson", params={"disputed": "true"})
    assert response.headers["content-type"].startswith("application/geo+json")
    features = response.json()["features"]
    assert [f["id"] for f in features] == ["ev-kabul-protest", "ev-xss"]
    assert features[0]["geometry"]["coordinates"] == [69.17233, 34.52813]


@pytest.mark.issue(16)
@pytest.mark.parametrize(("fmt", "media"), [
    ("csv", "text/csv"), ("geojson", "application/geo+json"), ("json", "application/json"),
    ("jsonl", "application/x-ndjson"), ("parquet", "application/vnd.apache.parquet"),
])
def test_every_export_format_answers(client: TestClient, fmt: str, media: str) -> None:
    response = client.get(f"/api/export.{fmt}", params={"type": "PROTEST"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media)
    assert response.headers["x-eventfuse-events"] == "2"
    if fmt == "json":
        assert [e["id"] for e in response.json()] == ["ev-kabul-protest", "ev-xss"]
    if fmt == "parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(io.BytesIO(response.content))
        assert table.column("event_id").to_pylist() == ["ev-kabul-protest", "ev-xss"]
        assert str(table.schema.field("event_date").type) == "date32[day]"


@pytest.mark.issue(16)
def test_articles_are_listed_newest_first_paged_and_filtered(client: TestClient) -> None:
    body = client.get("/api/articles").json()
    assert body["total"] == 4 and len(body["articles"]) == 4
    dates = [a["published"] for a in body["articles"]]
    assert dates == sorted(dates, reverse=True)
    assert "text" not in body["articles"][0] and body["articles"][0]["words"] > 0
    page = client.get("/api/articles", params={"limit": 1, "offset": 1}).json()
    assert page["total"] == 4 and page["articles"] == body["articles"][1:2]
    wire = client.get("/api/articles", params={"outlet": "valley wire"}).json()
    assert {a["id"] for a in wire["articles"]} == {"a-wire", "a-strike"}
    day = client.get("/api/articles", params={"start": "2024-05-14", "end": "2024-05-14"}).json()
    assert {a["id"] for a in day["articles"]} == {"a-strike", "a-xss"}
    assert client.get("/api/articles", params={"q": "no such words"}).json()["total"] == 0
    assert_error(client.get("/api/articles", params={"limit": 0}), 422, "invalid_request")


@pytest.mark.issue(16)
def test_openapi_declares_the_write_token_as_a_bearer_scheme(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    scheme = spec["components"]["securitySchemes"]["EVENTFUSE_TOKEN"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert "EVENTFUSE_TOKEN" in scheme["description"]
    assert spec["paths"]["/api/articles"]["post"]["security"] == [{"EVENTFUSE_TOKEN": []}]
    assert "security" not in spec["paths"]["/api/articles"]["get"]


def test_export_jsonl_is_one_event_json_per_line(client: TestClient) -> None:
    lines = client.get("/api/export.jsonl").text.splitlines()
    assert [json.loads(line)["id"] for line in lines] == \
        ["ev-kabul-protest", "ev-badakhshan-strike", "ev-xss"]


def test_export_unknown_format_is_422(client: TestClient) -> None:
    assert_error(client.get("/api/export.xlsx"), 422, "invalid_request")


# --- writes: auth and limits ---------------------------------------------------------------------


def test_post_without_token_is_401(client: TestClient) -> None:
    body = assert_error(client.post("/api/articles", content=b"Some text."), 401, "unauthorized")
    assert "token" in body["error"]["message"]


def test_post_with_wrong_token_is_401(client: TestClient) -> None:
    response = client.post("/api/articles", content=b"Some text.",
                           headers={"Authorization": "Bearer wrong"})
    assert_error(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"


def test_post_is_refused_when_no_token_is_configured(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EVENTFUSE_TOKEN", raising=False)
    open_app = TestClient(create_app(Options(), store=store))
    assert open_app.get("/api/health").json()["writes_enabled"] is False
    response = open_app.post("/api/articles", content=b"text",
                             headers={"Authorization": "Bearer "})
    assert_error(response, 401, "unauthorized")


def test_token_comes_from_the_environment(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVENTFUSE_TOKEN", "from-env")
    app = TestClient(create_app(Options(), store=store))
    auth = {"Authorization": "Bearer from-env"}
    response = app.post("/api/articles", content=b"   ", headers=auth)
    assert_error(response, 422, "invalid_request")  # past auth: the empty body is the problem


def test_oversized_body_is_413(store: Store) -> None:
    small = TestClient(create_app(Options(max_file_bytes=100), store=store, token=TOKEN))
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert_error(small.post("/api/articles", content=b"x" * 101, headers=auth), 413,
                 "payload_too_large")

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is enforced while reading
        yield b"y" * 60
        yield b"y" * 60

    assert_error(small.post("/api/articles", content=chunks(), headers=auth), 413,
                 "payload_too_large")
    assert small.get("/api/health").status_code == 200


def test_unexpected_failure_is_500_without_internals(store: Store) -> None:
    class BrokenStore:
        """The real store, except that reading events fails as a corrupt database would."""

        def __getattr__(self, name: str) -> Any:
            return getattr(store, name)

        def get_events(self, *args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("/secret/path.db: disk I/O error")

        events_page = get_events  # the listing reads its page and total through this

    app = TestClient(create_app(Options(), store=BrokenStore(), token=TOKEN),  # type: ignore[arg-type]
                     raise_server_exceptions=False)
    body = assert_error(app.get("/api/events"), 500, "internal_error")
    assert "secret" not in json.dumps(body)


# --- security headers and the page ---------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/api/events", "/api/events/nope", "/static/app.js", "/docs"]
)
def test_security_headers_everywhere(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert headers["x-content-type-options"] == "nosniff"


def test_page_and_docs_load_only_same_origin_scripts(client: TestClient) -> None:
    for path in ("/", "/docs"):
        html = client.get(path).text
        scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
        assert scripts, path
        for attrs, body in scripts:
            assert body.strip() == "", f"inline script in {path}"
            src = re.search(r'src="([^"]+)"', attrs)
            assert src and src.group(1).startswith("/static/"), attrs
        assert "http://" not in html and "https://" not in html  # no CDN
    assert client.get("/openapi.json").json()["paths"].keys() >= {
        "/api/events", "/api/events/{event_id}", "/api/articles/{article_id}",
        "/api/articles", "/api/export.{fmt}", "/api/health"}


def test_page_script_never_parses_data_as_html() -> None:
    code = (STATIC / "app.js").read_text(encoding="utf-8")
    source = re.sub(r"//[^\n]*", "", code)  # comments may name the sinks they avoid
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                 "new Function"):
        assert sink not in source, sink


# --- XSS payloads come back as data --------------------------------------------------------------


def test_xss_article_is_returned_verbatim_as_json_data(client: TestClient) -> None:
    response = client.get("/api/articles/a-xss")
    assert response.headers["content-type"] == "application/json"
    article = response.json()
    assert article["title"] == f"{XSS_SCRIPT}Breaking"
    assert XSS in article["text"]
    assert article["url"] == "javascript:window.__xss=1"  # kept as data; the page never links it
    event = client.get("/api/events/ev-xss").json()
    assert event["location"]["name"].startswith("<svg onload=")
    assert event["quotes"][0]["speaker"] == XSS


# --- the real pipeline ---------------------------------------------------------------------------

PROTEST_TEXT = (
    "Title: Teachers rally in Nairobi\n\n"
    "Several hundred teachers marched through central Nairobi on Tuesday to demand unpaid "
    "salaries, union officials said. Police fired tear gas to disperse the crowd near "
    "parliament.\n"
)


@pytest.mark.slow
def test_post_article_runs_the_pipeline_and_returns_touched_events(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with open_store(str(tmp_path / "post.db")) as empty:
        app = TestClient(create_app(Options(), store=empty, token=TOKEN))
        auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/plain"}
        response = app.post("/api/articles", content=PROTEST_TEXT.encode(), headers=auth)
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["ok"] is True and body["added"] == 1
        assert body["mentions"] >= 1
        assert body["events"], body
        assert any(e["type"] == "PROTEST" for e in body["events"])
        again = app.post("/api/articles", content=PROTEST_TEXT.encode(), headers=auth)
        assert again.status_code == 200
        assert again.json()["added"] == 0 and again.json()["already_stored"] == 1
        assert {e["id"] for e in again.json()["events"]} == {e["id"] for e in body["events"]}


@pytest.mark.slow
def test_post_json_article_keeps_its_fields_and_never_fetches_its_url(tmp_path: Path) -> None:
    record = {"title": "Dock workers strike", "outlet": "Port Gazette", "published": "2024-03-02",
              "url": "http://127.0.0.1:9/never-fetched",
              "text": "Thousands of dock workers went on strike in Mombasa on Friday over pay, "
                      "union leaders said."}
    with open_store(str(tmp_path / "json.db")) as empty:
        app = TestClient(create_app(Options(), store=empty, token=TOKEN))
        response = app.post("/api/articles", content=json.dumps(record, indent=2).encode(),
                            headers={"Authorization": f"Bearer {TOKEN}",
                                     "Content-Type": "application/json"})
        assert response.status_code == 201, response.text
        (article_id,) = response.json()["articles"]
        article = app.get(f"/api/articles/{article_id}").json()
        assert article["text"] == record["text"]  # the body's text, not a download of the URL
        assert (article["outlet"], article["title"], article["published"]) == \
            ("Port Gazette", "Dock workers strike", "2024-03-02")


def test_post_unreadable_body_is_422(client: TestClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    response = client.post("/api/articles", content=bytes(range(256)) * 4, headers=auth)
    assert_error(response, 422, "invalid_request")


@pytest.mark.slow
def test_seed_articles_give_the_kabul_protest_with_its_size_disagreement(tmp_path: Path) -> None:
    seeds = require_shared(SHARED / "seeds")
    from eventfuse.engines.local import run
    from eventfuse.ingest import read_sources

    options = Options(db=str(tmp_path / "seeds.db"))
    with open_store(options.db) as seeded:
        run(read_sources([str(seeds)], options), seeded, options)
        app = TestClient(create_app(options, store=seeded, token=TOKEN))
        kabul = app.get("/api/events", params={"type": "PROTEST", "q": "kabul"}).json()["events"]
        assert kabul, "no PROTEST event mentioning Kabul"
        event = app.get(f"/api/events/{kabul[0]['id']}").json()
        assert len({s["article_id"] for s in event["sources"]}) == 2
        words = {v["evidence"]["text"].casefold() for d in event["discrepancies"]
                 if d["field"] == "size" for v in d["values"] if v["evidence"]}
        assert {"hundreds", "dozens"} <= words


@pytest.mark.issue(16)
def test_unknown_type_or_country_is_422_naming_the_valid_values(client: TestClient) -> None:
    body = assert_error(client.get("/api/events", params={"type": "BOGUS"}), 422,
                        "invalid_request")
    assert "PROTEST" in body["error"]["message"]
    body = assert_error(client.get("/api/events", params={"country": "Narnia"}), 422,
                        "invalid_request")
    assert "Narnia" in body["error"]["message"]
    by_name = client.get("/api/events", params={"country": "Afghanistan"})
    assert ids(by_name) == ["ev-kabul-protest", "ev-badakhshan-strike", "ev-xss"]
