"""One JSON error shape for every failure the API reports: ``{"ok": false, "error": {...}}``.

Handlers convert FastAPI/Starlette exceptions, validation errors and unexpected crashes at the
boundary, so a client never has to parse an HTML error page or a framework-specific body.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("eventfuse.api")

# HTTP status -> stable, searchable error code.
ERROR_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    500: "internal_error",
    503: "unavailable",
}


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    """The body of every error response (documented in the OpenAPI description)."""

    ok: bool = False
    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": code.replace("_", " ")}
    for status, code in ERROR_CODES.items()
    if status in (401, 404, 413, 422, 500)
}


class ApiError(Exception):
    """Raised by route code to answer with a given status, code and message."""

    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or ERROR_CODES.get(status, "error")
        self.message = message


def error_body(status: int, message: str, code: str | None = None, **extra: Any) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code or ERROR_CODES.get(status, "error"), "message": message}
    error.update(extra)
    return {"ok": False, "error": error}


def error_response(
    status: int, message: str, code: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    return JSONResponse(error_body(status, message, code, **extra), status_code=status,
                        headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Every error path of ``app`` answers in the one JSON shape."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return error_response(exc.status, exc.message, exc.code, headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        return error_response(exc.status_code, message, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {"where": ".".join(str(p) for p in err.get("loc", ())), "problem": err.get("msg", "")}
            for err in exc.errors()
        ]
        summary = "; ".join(f"{d['where']}: {d['problem']}" for d in details) or "invalid request"
        return error_response(422, summary, details=details)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        # The message stays generic: internals (paths, SQL) are logged, never sent to clients.
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "internal error; see the server log")
