"""The web page in real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

The server is the real app under uvicorn on 127.0.0.1 and a free port. Outside CI the tests skip,
naming the reason, when Chromium, Playwright or the built assets are missing; with CI set they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eventfuse.api import create_app
from eventfuse.settings import Options
from eventfuse.store import Store
from web_e2e.handmade import XSS_SCRIPT
from web_e2e.stores import kabul_store

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "src" / "eventfuse" / "web" / "static" / "vendor"
# The README's picture is refreshed only on request, so a test run leaves the tree clean.
SCREENSHOT = (
    ROOT / "docs" / "screenshot.png"
    if os.environ.get("EVENTFUSE_SCREENSHOT")
    else Path(tempfile.gettempdir()) / "eventfuse-screenshot.png"
)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run in CI: {reason}")
    pytest.skip(reason)


def _chromium() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(path, os.X_OK):
        _unavailable("Chromium is not installed (Debian: apt-get install chromium)")
    if not (VENDOR / ".built").exists():
        _unavailable("the page's assets are not built: run `make assets`")
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Store]]:
    import uvicorn

    _chromium()
    store = kabul_store(tmp_path_factory.mktemp("web") / "web.db")
    app = create_app(Options(db=store.location), store=store, token="e2e-token")
    port = _free_port()
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", store
    finally:
        uv.should_exit = True
        thread.join(timeout=10)
        store.close()


@pytest.fixture(scope="module")
def browser(server: tuple[str, Store]) -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, server: tuple[str, Store]) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    tab = context.new_page()
    tab.dialogs = []  # type: ignore[attr-defined]
    tab.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
    tab.errors = []  # type: ignore[attr-defined]
    tab.on("pageerror", lambda e: tab.errors.append(str(e)))
    tab.goto(server[0] + "/")
    tab.wait_for_selector("body[data-ready=true]", timeout=30_000)
    yield tab
    context.close()


def open_kabul_protest(page: Any) -> None:
    # Of the protests in Kabul, the one the outlets disagree about (the seeds' size conflict).
    item = (page.locator(".event-item", has_text="PROTEST").filter(has_text="Kabul")
            .filter(has=page.locator(".badge.disputed")).first)
    item.locator("a").click()
    page.wait_for_selector(".source-grid .source >> nth=1")


def test_map_shows_clustered_markers_and_areas(page: Any) -> None:
    assert page.locator(".leaflet-marker-icon").count() >= 1
    assert page.locator("path.country").count() > 100  # the vendored world basemap
    assert page.locator(".event-item").count() >= 2
    assert page.errors == []


def test_kabul_protest_shows_both_sources_and_the_size_disagreement(page: Any) -> None:
    open_kabul_protest(page)
    sources = page.locator(".source-grid .source")
    articles = {sources.nth(i).get_attribute("data-article-id") for i in range(sources.count())}
    assert len(articles) >= 2, articles
    size = page.locator(".disagreement[data-field=size]")
    assert size.locator(".badge.disputed").inner_text() == "disagreement"
    wording = size.locator(".wording").all_inner_texts()
    assert {"hundreds", "dozens"} <= {w.casefold() for w in wording}, wording
    assert page.locator(".source .evidence mark.hl").count() >= 2  # each outlet's words marked
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=False)
    page.locator(".source .article-link").first.click()
    page.wait_for_selector(".article-text")
    assert page.locator(".article-text mark.hl").count() >= 3
    assert page.errors == []


def wait_until(page: Any, condition: Any, what: str, timeout_ms: int = 10_000) -> None:
    """Poll ``condition()`` from Python: the page's CSP (rightly) forbids Playwright's
    string-evaluating ``wait_for_function``."""
    for _ in range(timeout_ms // 50):
        if condition():
            return
        page.wait_for_timeout(50)
    pytest.fail(f"timed out waiting until {what}")


def test_type_filter_and_timeline_brush_narrow_the_list(page: Any) -> None:
    items = page.locator(".event-item")
    everything = items.count()
    page.select_option("#f-type", "PROTEST")
    wait_until(page, lambda: set(page.locator(".event-item .type").all_inner_texts())
               == {"PROTEST"}, "only PROTEST events are listed")
    assert 0 < items.count() <= everything
    page.click("#f-clear")
    wait_until(page, lambda: items.count() == everything, "the list is whole again")
    first_bar = page.locator("#timeline rect.bar").first.bounding_box()
    x, y = first_bar["x"], first_bar["y"] + first_bar["height"] / 2
    page.mouse.move(x - 2, y)
    page.mouse.down()
    page.mouse.move(x + first_bar["width"] / 2, y)
    page.mouse.up()
    page.wait_for_selector("#f-range:not([hidden])")
    wait_until(page, lambda: items.count() < everything, "the brush narrows the list")
    assert page.locator("#timeline rect.bar.out").count() >= 1


def test_xss_payloads_render_as_inert_text(page: Any, server: tuple[str, Store]) -> None:
    page.goto(server[0] + "/#/event/ev-xss")
    page.wait_for_selector(".event-title")
    assert "<svg onload=" in page.locator(".event-title").inner_text()
    assert XSS_SCRIPT in page.locator(".quotes").inner_text()
    page.goto(server[0] + "/#/article/a-xss")
    page.wait_for_selector(".article-title")
    assert page.locator(".article-title").inner_text() == f"{XSS_SCRIPT}Breaking"
    assert "onerror=" in page.locator(".article-text").inner_text()
    assert page.locator(".byline a").count() == 0  # the javascript: URL is never a link
    page.hover(".article-text")
    assert page.locator("img[src=x], svg[onload], b[onmouseover], .panel script").count() == 0
    assert page.evaluate("window.__xss") is None
    assert page.dialogs == []


def test_api_docs_render_from_vendored_swagger_under_the_csp(
    page: Any, server: tuple[str, Store]
) -> None:
    page.goto(server[0] + "/docs")
    page.wait_for_selector(".opblock", timeout=30_000)
    assert page.locator(".opblock").count() >= 6
    assert page.errors == []
