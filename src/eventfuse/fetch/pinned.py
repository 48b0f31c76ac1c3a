"""An httpx transport that dials only addresses it has vetted (no DNS rebinding).

A separate address check and connection would resolve the name twice, and a hostile name server
can answer a public address to the check and 127.0.0.1 to the connection. Here the name is
resolved once, inside the connection step, every answer is vetted, and the socket is opened to
that very address. httpcore still speaks to the URL's host: the Host header and the TLS server
name (SNI, certificate check) stay the name, only the TCP destination is pinned. Redirects open
new connections, so each hop is resolved and vetted the same way.
"""

from __future__ import annotations

import ssl
import typing

import httpcore
import httpx

from eventfuse.fetch.safety import Resolver, UnsafeURL, vetted_addresses


class PinnedBackend(httpcore.NetworkBackend):
    """httpcore's socket layer, dialling the vetted addresses of one lookup in turn."""

    def __init__(self, resolver: Resolver, *, allow_private: bool) -> None:
        self._resolver = resolver
        self._allow_private = allow_private
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = vetted_addresses(host, port, allow_private=self._allow_private,
                                     resolver=self._resolver)
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in addresses:
            try:
                return self._inner.connect_tcp(address, port, timeout, local_address,
                                               socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None  # vetted_addresses never returns an empty list
        raise failure

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise UnsafeURL("unix sockets are never fetched")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class PinnedTransport(httpx.HTTPTransport):
    """httpx's HTTP/1.1 transport over :class:`PinnedBackend`, no proxy, no environment."""

    def __init__(
        self, resolver: Resolver, *, allow_private: bool, verify: ssl.SSLContext | bool = True
    ) -> None:
        super().__init__(verify=verify, trust_env=False)
        ssl_context = httpx.create_ssl_context(verify=verify, trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            network_backend=PinnedBackend(resolver, allow_private=allow_private),
        )
