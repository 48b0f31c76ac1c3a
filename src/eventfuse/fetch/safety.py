"""Which URLs may be fetched: http(s) only, and never a private, loopback or link-local host.

The host is resolved and *every* address checked, so a public name pointing at 10.x is refused
too. Tests against their own 127.0.0.1 server pass ``allow_private=True``.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

Resolver = Callable[[str, int], list[str]]
ALLOWED_SCHEMES = ("http", "https")


class UnsafeURL(Exception):
    """The URL is refused before any connection is made."""


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return sorted({str(info[4][0]) for info in infos})


def check_url(
    url: str, *, allow_private: bool = False, resolver: Resolver = system_resolver,
    resolve: bool = True,
) -> None:
    """Raise :class:`UnsafeURL` when ``url`` must not be fetched.

    ``resolve=False`` checks only the URL itself (and a literal address): the caller connects
    through :class:`eventfuse.fetch.pinned.PinnedTransport`, which resolves the name once, at
    connect time, and vets the very addresses it dials.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeURL(f"malformed URL ({exc})") from exc
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise UnsafeURL(f"only http and https URLs are fetched, not {parts.scheme or 'none'!r}")
    host = parts.hostname
    if not host:
        raise UnsafeURL("the URL names no host")
    if parts.username or parts.password:
        raise UnsafeURL("credentials in URLs are refused")
    if allow_private:
        return
    if resolve or _is_ip(host):
        vetted_addresses(host, port or 443, allow_private=allow_private, resolver=resolver)


def vetted_addresses(
    host: str, port: int, *, allow_private: bool, resolver: Resolver
) -> list[str]:
    """The addresses of ``host`` from one lookup, each checked; raise :class:`UnsafeURL` when
    any is private (unless ``allow_private``) or there is none."""
    if _is_ip(host):
        addresses = [host]
    else:
        try:
            addresses = resolver(host, port)
        except OSError as exc:
            raise UnsafeURL(f"cannot resolve {host} ({exc})") from exc
    if not addresses:
        raise UnsafeURL(f"{host} resolves to no address")
    if allow_private:
        return addresses
    for address in addresses:
        reason = private_reason(address)
        if reason:
            raise UnsafeURL(f"{host} is {reason} ({address}); pass --allow-private to fetch it")
    return addresses


def private_reason(address: str) -> str | None:
    """Why ``address`` is not a public internet address, or None when it is."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    checks = (("loopback", ip.is_loopback), ("link-local", ip.is_link_local),
              ("private", ip.is_private), ("multicast", ip.is_multicast),
              ("unspecified", ip.is_unspecified), ("reserved", ip.is_reserved))
    for name, hit in checks:
        if hit:
            return f"a {name} address"
    return None if ip.is_global else "not a global address"


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
