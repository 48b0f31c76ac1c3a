"""Fetching (issue 9): address safety, robots.txt, conditional GET, retries, timeouts, size limits.

Everything runs against a server these tests start on 127.0.0.1 (or httpx's MockTransport);
nothing reaches beyond loopback.
"""

from __future__ import annotations

import contextlib
import gzip
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from eventfuse.fetch.client import Fetcher, FetchPolicy, load_policy
from eventfuse.fetch.safety import UnsafeURL, check_url, private_reason
from eventfuse.settings import Options

pytestmark = pytest.mark.issue(9)


# --- a local server whose routes a test changes between requests -------------------------------


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    etag: str | None = None
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


class LocalSite:
    """A threaded HTTP server on 127.0.0.1 (free port) serving ``routes``; logs every request."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {"/robots.txt": Route(b"User-agent: *\nAllow: /\n",
                                                              content_type="text/plain")}
        self.requests: list[tuple[str, dict[str, str]]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.requests.append((self.path, dict(self.headers.items())))
                route = site.routes.get(self.path, Route(b"not found", 404))
                if route.delay:
                    time.sleep(route.delay)
                if route.etag and self.headers.get("If-None-Match") == route.etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                if route.etag:
                    self.send_header("ETag", route.etag)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(route.body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)

    def __enter__(self) -> LocalSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site() -> Iterator[LocalSite]:
    with LocalSite() as running:
        yield running


def fast_policy(**overrides: Any) -> FetchPolicy:
    """Loopback allowed, no politeness wait, short timeouts and back-off."""
    values: dict[str, Any] = {"politeness_delay_seconds": 0.0, "read_timeout_seconds": 0.5,
                              "connect_timeout_seconds": 0.5, "retries": 2,
                              "backoff_seconds": 0.01}
    values.update(overrides)
    return load_policy(Options(), allow_private=True, **values)


# --- safety --------------------------------------------------------------------------------------


def _no_dns(host: str, port: int) -> list[str]:
    raise AssertionError(f"DNS lookup of {host} must not happen")


@pytest.mark.parametrize("url", ["http://10.0.0.1/feed", "http://127.0.0.1:8080/",
                                 "http://169.254.169.254/latest", "http://[::1]/",
                                 "http://192.168.1.20/x", "http://0.0.0.0/"])
def test_private_literal_addresses_are_refused_without_any_lookup(url: str) -> None:
    with pytest.raises(UnsafeURL, match="allow-private"):
        check_url(url, resolver=_no_dns)


@pytest.mark.parametrize("url", ["ftp://example.org/a", "file:///etc/passwd", "gopher://x/",
                                 "http://user:pw@example.org/", "http:///nohost"])
def test_only_plain_http_and_https_urls_are_fetched(url: str) -> None:
    with pytest.raises(UnsafeURL):
        check_url(url, resolver=_no_dns)


def test_a_public_name_resolving_to_a_private_address_is_refused() -> None:
    with pytest.raises(UnsafeURL, match="private"):
        check_url("https://news.example/", resolver=lambda host, port: ["93.184.216.34",
                                                                         "10.1.2.3"])
    check_url("https://news.example/", resolver=lambda host, port: ["93.184.216.34"])


def test_ipv4_mapped_ipv6_loopback_is_still_loopback() -> None:
    assert private_reason("::ffff:127.0.0.1") == "a loopback address"
    assert private_reason("8.8.8.8") is None


def test_fetcher_refuses_private_address_before_connecting() -> None:
    calls: list[str] = []

    def transport(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(200)

    policy = load_policy(Options())
    with Fetcher(policy, transport=httpx.MockTransport(transport), resolver=_no_dns) as fetcher:
        result = fetcher.fetch("http://10.0.0.1/feed.xml")
    assert result.status == "refused" and "private" in result.reason
    assert calls == []


def test_a_redirect_to_a_private_address_is_refused() -> None:
    def transport(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(302, headers={"Location": "http://169.254.169.254/meta"})

    policy = load_policy(Options(), politeness_delay_seconds=0.0)
    with Fetcher(policy, transport=httpx.MockTransport(transport),
                 resolver=lambda host, port: ["93.184.216.34"]) as fetcher:
        result = fetcher.fetch("http://news.example/story")
    assert result.status == "refused"
    assert "link-local" in result.reason


# --- HTTP behaviour against the local server -----------------------------------------------------


def test_descriptive_user_agent_and_robots_txt_consulted(site: LocalSite) -> None:
    site.routes["/page"] = Route(b"<html><body><p>hello</p></body></html>")
    with Fetcher(fast_policy()) as fetcher:
        result = fetcher.fetch(site.base + "/page")
    assert result.status == "ok" and result.body.startswith(b"<html>")
    assert site.hits("/robots.txt") == 1
    agent = dict(site.requests[-1][1])["User-Agent"]
    assert agent.startswith("eventfuse/") and "(+http" in agent


def test_robots_txt_disallow_is_respected(site: LocalSite) -> None:
    site.routes["/robots.txt"] = Route(b"User-agent: eventfuse\nDisallow: /private/\n",
                                       content_type="text/plain")
    site.routes["/private/a"] = Route(b"secret")
    site.routes["/public/a"] = Route(b"open")
    with Fetcher(fast_policy()) as fetcher:
        assert fetcher.fetch(site.base + "/private/a").status == "refused"
        assert fetcher.fetch(site.base + "/public/a").status == "ok"
    assert site.hits("/private/a") == 0


def test_conditional_get_gets_304(site: LocalSite) -> None:
    site.routes["/feed"] = Route(b"<rss/>", etag='"v1"', content_type="application/rss+xml")
    with Fetcher(fast_policy()) as fetcher:
        first = fetcher.fetch(site.base + "/feed")
        again = fetcher.fetch(site.base + "/feed", etag=first.etag)
    assert first.status == "ok" and first.etag == '"v1"'
    assert again.status == "not_modified" and again.body == b""
    assert site.requests[-1][1].get("If-None-Match") == '"v1"'


def test_server_errors_are_retried_with_backoff_then_reported(site: LocalSite) -> None:
    site.routes["/flaky"] = Route(b"oops", status=500)
    waits: list[float] = []
    with Fetcher(fast_policy(retries=2), sleep=waits.append) as fetcher:
        result = fetcher.fetch(site.base + "/flaky")
    assert result.status == "failed" and "HTTP 500 after 3 attempts" in result.reason
    assert site.hits("/flaky") == 3
    assert waits == [0.01, 0.02]  # back-off doubles


def test_retry_after_header_is_honoured(site: LocalSite) -> None:
    site.routes["/busy"] = Route(b"", status=503, headers={"Retry-After": "7"})
    waits: list[float] = []
    with Fetcher(fast_policy(retries=1), sleep=waits.append) as fetcher:
        fetcher.fetch(site.base + "/busy")
    assert waits == [7.0]


def test_slow_response_times_out(site: LocalSite) -> None:
    site.routes["/slow"] = Route(b"late", delay=1.5)
    with Fetcher(fast_policy(retries=0, read_timeout_seconds=0.3)) as fetcher:
        result = fetcher.fetch(site.base + "/slow")
    assert result.status == "failed" and "timed out" in result.reason


def test_oversized_body_is_refused(site: LocalSite) -> None:
    site.routes["/huge"] = Route(b"x" * 5000)
    with Fetcher(fast_policy(max_bytes=1000)) as fetcher:
        result = fetcher.fetch(site.base + "/huge")
    assert result.status == "refused" and "max_file_bytes" in result.reason


def test_decompression_bomb_stops_at_the_limit(site: LocalSite) -> None:
    bomb = gzip.compress(b"\0" * 3_000_000)
    site.routes["/bomb"] = Route(bomb, headers={"Content-Encoding": "gzip"})
    with Fetcher(fast_policy(max_bytes=100_000, max_decompressed_bytes=200_000)) as fetcher:
        result = fetcher.fetch(site.base + "/bomb")
    assert len(bomb) < 100_000
    assert result.status == "refused" and "decompressed" in result.reason


def test_redirects_are_followed_and_limited(site: LocalSite) -> None:
    site.routes["/old"] = Route(status=301, headers={"Location": "/new"})
    site.routes["/new"] = Route(b"moved here")
    site.routes["/loop"] = Route(status=302, headers={"Location": "/loop"})
    with Fetcher(fast_policy()) as fetcher:
        moved = fetcher.fetch(site.base + "/old")
        looping = fetcher.fetch(site.base + "/loop")
    assert moved.status == "ok" and moved.final_url.endswith("/new")
    assert looping.status == "failed" and "redirects" in looping.reason
    assert site.hits("/loop") == 6


def test_politeness_delay_spaces_requests_to_one_host(site: LocalSite) -> None:
    site.routes["/a"] = Route(b"a")
    waits: list[float] = []
    now = [100.0]
    with Fetcher(fast_policy(politeness_delay_seconds=2.0), sleep=waits.append,
                 clock=lambda: now[0]) as fetcher:
        fetcher.fetch(site.base + "/a")
        fetcher.fetch(site.base + "/a")
    # robots.txt, then /a twice: every request after the first waits the full delay (fake clock)
    assert waits == [2.0, 2.0]


# --- DNS rebinding (issue 18): the address checked is the address dialled ------------------------

PUBLIC_ADDRESS = "93.184.216.34"


class SimulatedNet:
    """A name server for ``rebind.test`` that answers a public address to its first
    ``public_answers`` queries and 127.0.0.1 after that (an attacker's rebinding schedule), and a
    route that delivers connections for the public address to ``public`` (a second local site):
    both stand in for the internet, so nothing leaves loopback."""

    def __init__(self, public: LocalSite, public_answers: int) -> None:
        self.public_port = public.server.server_address[1]
        self.public_answers = public_answers
        self.queries = 0

    def resolver(self, host: str, port: int) -> list[str]:
        if host != "rebind.test":
            raise OSError(f"unknown host {host}")
        self.queries += 1
        return [PUBLIC_ADDRESS] if self.queries <= self.public_answers else ["127.0.0.1"]

    def getaddrinfo(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "rebind.test":
            address = self.resolver(host, int(port))[0]
            return REAL_GETADDRINFO(address, port, *args, **kwargs)
        return REAL_GETADDRINFO(host, port, *args, **kwargs)

    def create_connection(self, address: Any, *args: Any, **kwargs: Any) -> Any:
        host, port = address
        if host == "rebind.test":  # a client that resolves by itself asks the same server
            host = self.resolver(host, port)[0]
        if host == PUBLIC_ADDRESS:
            host, port = "127.0.0.1", self.public_port
        return REAL_CREATE_CONNECTION((host, port), *args, **kwargs)


REAL_GETADDRINFO = socket.getaddrinfo
REAL_CREATE_CONNECTION = socket.create_connection


@pytest.mark.issue(18)
@pytest.mark.parametrize("public_answers", [0, 1, 2, 3, 4, 5, 50])
def test_a_rebinding_name_never_reaches_loopback(
    site: LocalSite, monkeypatch: pytest.MonkeyPatch, public_answers: int
) -> None:
    """Whenever the name flips to 127.0.0.1, the internal server receives nothing: the fetcher
    dials only the address it vetted from the same lookup."""
    site.routes["/page"] = Route(b"<p>internal secret</p>")
    with LocalSite() as public:
        public.routes["/page"] = Route(b"<p>public page</p>")
        net = SimulatedNet(public, public_answers)
        monkeypatch.setattr(socket, "getaddrinfo", net.getaddrinfo)
        monkeypatch.setattr(socket, "create_connection", net.create_connection)
        url = f"http://rebind.test:{site.server.server_address[1]}/page"
        policy = load_policy(Options(), politeness_delay_seconds=0.0, retries=0,
                             connect_timeout_seconds=1.0, read_timeout_seconds=1.0)
        with Fetcher(policy, resolver=net.resolver) as fetcher:
            result = fetcher.fetch(url)
    assert site.requests == [], f"fetched from loopback: {site.requests}"
    assert b"internal" not in result.body
    if result.status == "ok":
        assert result.body == b"<p>public page</p>"
        host_headers = {headers.get("Host") for _, headers in public.requests}
        assert host_headers == {f"rebind.test:{site.server.server_address[1]}"}
    else:
        assert result.status == "refused"


@pytest.mark.issue(18)
def test_pinned_tls_keeps_the_server_name(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Over HTTPS the socket goes to the vetted address while SNI and the certificate check use
    the name: a certificate for rebind.test, served at the 'public' address, is accepted."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=rebind.test", "-addext", "subjectAltName=DNS:rebind.test",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    server_names: list[str | None] = []
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    server_context.sni_callback = lambda sock, name, ctx: server_names.append(name)
    with LocalSite() as public:
        public.routes["/page"] = Route(b"<p>over tls</p>")
        public.server.socket = server_context.wrap_socket(public.server.socket, server_side=True)
        net = SimulatedNet(public, public_answers=100)
        monkeypatch.setattr(socket, "create_connection", net.create_connection)
        client_context = ssl.create_default_context(cafile=str(cert))
        policy = load_policy(Options(), politeness_delay_seconds=0.0, retries=0)
        with Fetcher(policy, resolver=net.resolver, verify=client_context) as fetcher:
            result = fetcher.fetch(f"https://rebind.test:{public.server.server_address[1]}/page")
    assert result.status == "ok", result.reason
    assert result.body == b"<p>over tls</p>"
    assert set(server_names) == {"rebind.test"}
    assert net.queries == 2  # one lookup per connection (robots.txt, page), none beforehand


@pytest.mark.issue(18)
def test_a_redirect_hop_is_vetted_at_its_own_connection(
    site: LocalSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The public page redirects to the same name, which now answers 127.0.0.1: the hop's own
    connection resolves, vets and refuses it."""
    site.routes["/page"] = Route(b"<p>internal secret</p>")
    port = site.server.server_address[1]
    with LocalSite() as public:
        public.routes["/start"] = Route(status=302, headers={
            "Location": f"http://rebind.test:{port}/page"})
        net = SimulatedNet(public, public_answers=2)  # robots.txt, /start; then loopback
        monkeypatch.setattr(socket, "getaddrinfo", net.getaddrinfo)
        monkeypatch.setattr(socket, "create_connection", net.create_connection)
        policy = load_policy(Options(), politeness_delay_seconds=0.0, retries=0)
        with Fetcher(policy, resolver=net.resolver) as fetcher:
            result = fetcher.fetch(f"http://rebind.test:{port}/start")
    assert [path for path, _ in public.requests] == ["/robots.txt", "/start"]
    assert site.requests == []
    assert result.status == "refused" and "loopback" in result.reason
