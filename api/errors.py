"""Errors as HTTP answers: 404 for what does not exist or is not yours, 409, 422 by field."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from scheduler.service.errors import FieldError, InvalidInput, NotFound, VersionConflict


class ErrorMessage(BaseModel):
    detail: str


class ValidationErrorItem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrors(BaseModel):
    detail: list[ValidationErrorItem]


class Conflict(BaseModel):
    detail: str
    current_version: int


# Documented on every authenticated route, so the OpenAPI schema lists every answer we give.
COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorMessage, "description": "Missing, unknown or revoked API key"},
    403: {"model": ErrorMessage, "description": "This role may not do this"},
    404: {"model": ErrorMessage, "description": "No such object, or not yours"},
    413: {"model": ErrorMessage, "description": "Body too large"},
    422: {"model": ValidationErrors, "description": "Invalid input, by field"},
}
CONFLICT_RESPONSE: dict[int | str, dict[str, Any]] = {
    409: {"model": Conflict, "description": "Based on an outdated version"}
}


def validation_error(errors: list[FieldError], at: tuple[str | int, ...] = ()) -> JSONResponse:
    return JSONResponse(
        status_code=422,
        content={
            "detail": [
                {"loc": [*at, *e.path], "msg": e.reason, "type": "value_error"} for e in errors
            ]
        },
    )


def _request_validation(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    items = []
    for item in error.errors():
        msg = str(item.get("msg", "invalid")).removeprefix("Value error, ")
        if item.get("type") == "timezone_aware":
            msg = "datetime has no time zone offset (write e.g. 2026-12-08T08:00:00+01:00)"
        loc = [p if isinstance(p, int) else str(p) for p in item.get("loc", ())]
        items.append({"loc": loc, "msg": msg, "type": str(item.get("type", "value_error"))})
    return JSONResponse(status_code=422, content={"detail": items})


_PLACES = ("body", "query", "path", "header")


def _invalid_input(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, InvalidInput)
    # Handlers name fields of the input they were given; in HTTP terms that is the body,
    # unless the route already said where (a query parameter, a CSV line).
    errors = [
        e if e.path and e.path[0] in (*_PLACES, "line") else FieldError(("body", *e.path), e.reason)
        for e in error.errors
    ]
    return validation_error(errors)


def _not_found(request: Request, error: Exception) -> JSONResponse:
    return JSONResponse(status_code=404, content={"detail": str(error)})


def _conflict(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, VersionConflict)
    return JSONResponse(
        status_code=409, content={"detail": str(error), "current_version": error.current}
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(InvalidInput, _invalid_input)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(VersionConflict, _conflict)
