"""Every error leaves the API as a JSON body `{"error": {"code", "message", "field"}}`; never a traceback.

infraplane's own errors carry their HTTP status and stable code (errors.py). Anything else is
logged with a request id and answered 500 with only that id, so nothing internal leaks.
"""

from __future__ import annotations

import logging
import uuid

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from infraplane.errors import ConfirmationRequiredError, InfraplaneError

__all__ = ["error_response", "install_error_handlers"]

log = logging.getLogger("infraplane.api")


def error_response(status: int, code: str, message: str, field: str = "", **extra: object) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "field": field, **extra}}, status_code=status)


def _request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", "") or uuid.uuid4().hex)


async def _infraplane_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InfraplaneError)
    if exc.http_status >= 500:
        return await _unexpected(request, exc)
    field = exc.problems[0].field if exc.problems else ""
    extra: dict[str, object] = {"problems": [p.as_dict() for p in exc.problems]} if exc.problems else {}
    if isinstance(exc, ConfirmationRequiredError) and exc.detail:
        extra["detail"] = exc.detail
    return error_response(exc.http_status, exc.code, exc.message, field, **extra)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {
            # A body that is not JSON at all is located by its character offset: name the body instead.
            "field": "body"
            if error.get("type") == "json_invalid"
            else ".".join(str(part) for part in error["loc"][1:]) or str(error["loc"][0]),
            "reason": error["msg"],
        }
        for error in exc.errors()
    ]
    first = problems[0] if problems else {"field": "", "reason": "invalid request"}
    return error_response(
        422, "invalid_input", f"{first['field']}: {first['reason']}", first["field"], problems=problems
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    codes = {401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}
    if exc.status_code == 400 and str(exc.detail) == "There was an error parsing the body":  # FastAPI's own
        reason = "not readable as JSON (not UTF-8, nested too deep, or a number of thousands of digits)"
        return error_response(400, "invalid_input", f"body: {reason}", "body")
    return error_response(exc.status_code, codes.get(exc.status_code, "error"), str(exc.detail))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    request_id = _request_id(request)
    log.error("unexpected error in %s %s (request %s)", request.method, request.url.path, request_id, exc_info=exc)
    return error_response(
        500, "internal", f"an unexpected error; the server's log has it under {request_id}", request_id=request_id
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(InfraplaneError, _infraplane_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
