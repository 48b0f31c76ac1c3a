"""HTTP hardening of the app: security headers, request size limit, bearer token for writes.

Reads are open; every write needs ``Authorization: Bearer <token>``. Without a configured token
writes are refused outright, so a server started without thought is read-only, not open.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from starlette.responses import Response

from eventfuse.web.errors import ApiError, error_response

# No inline script or style, nothing from another origin: the page's assets are all vendored.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}

Next = Callable[[Request], Awaitable[Response]]


def install_security(app: FastAPI, max_body_bytes: int) -> None:
    """Headers on every response; bodies announced larger than ``max_body_bytes`` refused (413)."""

    @app.middleware("http")
    async def _harden(request: Request, call_next: Next) -> Response:
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > max_body_bytes):
            response: Response = error_response(
                413, f"request body larger than the limit of {max_body_bytes} bytes"
            )
        else:
            response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response


async def read_body_limited(request: Request, max_bytes: int) -> bytes:
    """The request body, refusing (413) as soon as it passes ``max_bytes`` (chunked uploads too)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise ApiError(413, f"request body larger than the limit of {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def require_token(request: Request, expected: str | None) -> None:
    """Refuse (401) unless the request carries the configured bearer token."""
    if not expected:
        raise ApiError(401, "writes are disabled: start the server with EVENTFUSE_TOKEN set")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(),
                                                              expected.encode()):
        raise ApiError(401, "missing or wrong bearer token")
