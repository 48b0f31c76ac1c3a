"""A polite, size-limited HTTP(S) client: robots.txt, per-host delay, conditional GET, retries.

Redirects are followed by hand (at most ``max_redirects``) so every hop passes the address check
again; bodies are streamed and cut at ``max_file_bytes`` on the wire and
``max_decompressed_bytes`` once decoded (a gzip bomb stops at the limit, not in memory).
"""

from __future__ import annotations

import email.utils
import ssl
import time
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import TracebackType
from typing import Any, Literal, Self
from urllib.parse import urljoin, urlsplit

import httpx

from eventfuse import __version__
from eventfuse.fetch.pinned import PinnedTransport
from eventfuse.fetch.safety import Resolver, UnsafeURL, check_url, system_resolver
from eventfuse.settings import Options
from eventfuse.yamlfile import load_yaml

FetchStatus = Literal["ok", "not_modified", "refused", "failed"]
ROBOTS_AGENT = "eventfuse"
MAX_CRAWL_DELAY_SECONDS = 60.0
MAX_ROBOTS_BYTES = 500_000


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    user_agent: str
    politeness_delay_seconds: float
    connect_timeout_seconds: float
    read_timeout_seconds: float
    retries: int
    backoff_seconds: float
    max_backoff_seconds: float
    max_redirects: int
    retry_statuses: tuple[int, ...]
    max_bytes: int
    max_decompressed_bytes: int
    allow_private: bool = False


@cache
def _policy_data() -> dict[str, Any]:
    text = resources.files("eventfuse").joinpath("data/fetch.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = load_yaml(text)
    return data


def load_policy(options: Options, *, allow_private: bool = False, **overrides: Any) -> FetchPolicy:
    """The policy of ``data/fetch.yaml`` with the size limits of ``options``; ``overrides``
    replace single fields (tests shorten delays and timeouts)."""
    data = _policy_data()
    values: dict[str, Any] = {
        "user_agent": f"eventfuse/{__version__} (+{data['user_agent_url']})",
        "politeness_delay_seconds": float(data["politeness_delay_seconds"]),
        "connect_timeout_seconds": float(data["connect_timeout_seconds"]),
        "read_timeout_seconds": float(data["read_timeout_seconds"]),
        "retries": int(data["retries"]),
        "backoff_seconds": float(data["backoff_seconds"]),
        "max_backoff_seconds": float(data["max_backoff_seconds"]),
        "max_redirects": int(data["max_redirects"]),
        "retry_statuses": tuple(int(s) for s in data["retry_statuses"]),
        "max_bytes": options.max_file_bytes,
        "max_decompressed_bytes": options.max_decompressed_bytes,
        "allow_private": allow_private,
    }
    values.update(overrides)
    return FetchPolicy(**values)


@dataclass(frozen=True, slots=True)
class FetchResult:
    url: str
    status: FetchStatus
    final_url: str
    body: bytes = b""
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    http_status: int | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class _Response:
    status: int
    headers: httpx.Headers
    body: bytes
    url: str


class _Retry(Exception):
    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait = wait


class _Stop(Exception):
    def __init__(self, status: FetchStatus, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class Fetcher:
    """One polling session: robots.txt and per-host timing are remembered for its lifetime.

    ``sleep`` waits (a ``threading.Event.wait`` makes waits end at a stop signal); ``clock`` is
    monotonic seconds; ``transport`` lets a caller swap httpx's network layer. By default it is a
    :class:`PinnedTransport`: names are resolved once, when connecting, and only the vetted
    addresses are dialled (``verify`` is its TLS trust: True, or a caller's SSL context).
    """

    def __init__(
        self,
        policy: FetchPolicy,
        *,
        sleep: Callable[[float], Any] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        resolver: Resolver = system_resolver,
        transport: httpx.BaseTransport | None = None,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self.policy = policy
        self._sleep = sleep
        self._clock = clock
        self._resolver = resolver
        self._last_request: dict[str, float] = {}
        self._robots: dict[str, urllib.robotparser.RobotFileParser | bool] = {}
        # With the pinned transport the name is resolved and vetted at connect time only.
        self._resolve_first = transport is not None
        if transport is None:
            transport = PinnedTransport(resolver, allow_private=policy.allow_private,
                                        verify=verify)
        timeout = httpx.Timeout(policy.read_timeout_seconds,
                                connect=policy.connect_timeout_seconds)
        self._client = httpx.Client(
            headers={"User-Agent": policy.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=timeout, follow_redirects=False, transport=transport, trust_env=False,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- public ---------------------------------------------------------------------------------

    def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET ``url`` (conditionally when validators are given), politely and within limits."""
        try:
            self._check(url)
            if not self.allowed_by_robots(url):
                raise _Stop("refused", "disallowed by robots.txt")
            response = self._with_retries(url, _conditional_headers(etag, last_modified))
        except UnsafeURL as exc:
            return FetchResult(url, "refused", url, reason=str(exc))
        except _Stop as exc:
            return FetchResult(url, exc.status, url, reason=exc.reason)
        headers = response.headers
        common: dict[str, Any] = {
            "final_url": response.url, "http_status": response.status,
            "etag": headers.get("etag") or etag,
            "last_modified": headers.get("last-modified") or last_modified,
        }
        if response.status == 304:
            return FetchResult(url, "not_modified", **common)
        if response.status != 200:
            return FetchResult(url, "failed", reason=f"HTTP {response.status}", **common)
        return FetchResult(url, "ok", body=response.body,
                           content_type=headers.get("content-type"), **common)

    def allowed_by_robots(self, url: str) -> bool:
        """Whether robots.txt of ``url``'s origin lets eventfuse fetch it (RFC 9309 reading:
        missing file allows all; 401/403 or an unreachable server disallows all)."""
        parser = self._robots_for(url)
        if isinstance(parser, bool):
            return parser
        return parser.can_fetch(ROBOTS_AGENT, url)

    # --- internals --------------------------------------------------------------------------------

    def _check(self, url: str) -> None:
        check_url(url, allow_private=self.policy.allow_private, resolver=self._resolver,
                  resolve=self._resolve_first)

    def _robots_for(self, url: str) -> urllib.robotparser.RobotFileParser | bool:
        origin = _origin(url)
        if origin not in self._robots:
            self._robots[origin] = self._load_robots(origin)
        return self._robots[origin]

    def _load_robots(self, origin: str) -> urllib.robotparser.RobotFileParser | bool:
        try:
            response = self._follow(origin + "/robots.txt", {}, MAX_ROBOTS_BYTES)
        except (_Retry, _Stop, UnsafeURL):
            return False
        if response.status in (401, 403):
            return False
        if 400 <= response.status < 500:
            return True
        if response.status != 200:
            return False
        parser = urllib.robotparser.RobotFileParser()
        parser.parse(response.body.decode("utf-8", errors="replace").splitlines())
        return parser

    def _host_delay(self, url: str) -> float:
        delay = self.policy.politeness_delay_seconds
        parser = self._robots.get(_origin(url))
        if isinstance(parser, urllib.robotparser.RobotFileParser):
            crawl_delay = parser.crawl_delay(ROBOTS_AGENT)
            if crawl_delay is not None:
                delay = max(delay, min(float(crawl_delay), MAX_CRAWL_DELAY_SECONDS))
        return delay

    def _wait_turn(self, url: str) -> None:
        host = urlsplit(url).netloc.lower()
        last = self._last_request.get(host)
        if last is not None:
            remaining = last + self._host_delay(url) - self._clock()
            if remaining > 0:
                self._sleep(remaining)
        self._last_request[host] = self._clock()

    def _with_retries(self, url: str, headers: dict[str, str]) -> _Response:
        attempt = 0
        while True:
            try:
                response = self._follow(url, headers, self.policy.max_bytes)
                if response.status in self.policy.retry_statuses:
                    wait = _retry_after(response.headers.get("retry-after"))
                    raise _Retry(f"HTTP {response.status}", wait)
                return response
            except _Retry as retry:
                if attempt >= self.policy.retries:
                    raise _Stop("failed", f"{retry.reason} after {attempt + 1} attempts") from None
                backoff = self.policy.backoff_seconds * 2**attempt
                wait = retry.wait if retry.wait is not None else backoff
                self._sleep(min(max(wait, 0.0), self.policy.max_backoff_seconds))
                attempt += 1

    def _follow(self, url: str, headers: dict[str, str], max_bytes: int) -> _Response:
        """GET with redirects followed by hand, each hop re-checked."""
        current = url
        for _hop in range(self.policy.max_redirects + 1):
            self._check(current)
            self._wait_turn(current)
            response = self._get(current, headers, max_bytes)
            if response.status in (301, 302, 303, 307, 308) and "location" in response.headers:
                current = urljoin(current, response.headers["location"])
                continue
            return response
        raise _Stop("failed", f"more than {self.policy.max_redirects} redirects")

    def _get(self, url: str, headers: dict[str, str], max_bytes: int) -> _Response:
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                if response.is_redirect or response.status_code in (304, 204):
                    return _Response(response.status_code, response.headers, b"", url)
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise _Stop("refused", f"body of {declared} bytes exceeds max_file_bytes "
                                           f"({max_bytes})")
                body = self._read_limited(response, max_bytes)
                return _Response(response.status_code, response.headers, body, url)
        except httpx.TimeoutException as exc:
            raise _Retry(f"timed out ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise _Retry(f"connection failed ({type(exc).__name__}: {exc})") from exc
        except httpx.DecodingError as exc:
            raise _Stop("failed", f"undecodable body ({exc})") from exc

    def _read_limited(self, response: httpx.Response, max_bytes: int) -> bytes:
        chunks: list[bytes] = []
        decoded = 0
        for chunk in response.iter_bytes():
            decoded += len(chunk)
            if response.num_bytes_downloaded > max_bytes:
                raise _Stop("refused", f"body exceeds max_file_bytes ({max_bytes})")
            if decoded > min(self.policy.max_decompressed_bytes, max_bytes):
                raise _Stop("refused", "decompressed body exceeds the size limit "
                                       f"({min(self.policy.max_decompressed_bytes, max_bytes)})")
            chunks.append(chunk)
        return b"".join(chunks)


def _conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def _retry_after(value: str | None) -> float | None:
    """Seconds of a Retry-After header (delta seconds or an HTTP date)."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())
