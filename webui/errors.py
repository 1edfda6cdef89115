"""App-wide error handling: one decision point. Under /api/ every failure is HDP's JSON
envelope; elsewhere an HTML error page. Decided by path, so routing errors (404/405), which
never reach blueprint handlers, are covered too."""
from __future__ import annotations

import logging

from flask import Flask, current_app, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from webui.doors import is_api_path
from webui.api.envelope import error_response
from webui.domain.error_codes import Code
from webui.domain.errors import DomainError, Forbidden, Invalid, NotAuthenticated
from webui.extensions import db

log = logging.getLogger(__name__)

_HTTP_CODES = {400: Code.INVALID_JSON, 401: Code.NOT_AUTHENTICATED, 403: Code.FORBIDDEN,
               404: Code.NOT_FOUND, 405: Code.METHOD_NOT_ALLOWED, 413: Code.BODY_TOO_LARGE,
               415: Code.UNSUPPORTED_MEDIA_TYPE, 429: Code.TOO_MANY_REQUESTS}
_MESSAGES = {
    400: "The request could not be understood.",
    401: NotAuthenticated().message,
    403: Forbidden().message,
    404: "There is nothing at this URL.",
    405: "This URL does not accept the {method} method.",
    413: "The request body is larger than the {limit} KiB allowed.",
    415: "The body must be sent as application/json.",
    429: "Too many failed attempts. Try again later.",
    500: "Internal error; nothing was changed.",
}


# The pages' words for refusals that the API phrases for programs: (title, explanation).
PAGE_TEXT = {
    400: ("Something in the address is not right",
          "The page could not use what the address asked for."),
    403: ("You cannot open this page",
          "Your account does not have the permission this page needs. If you need it for "
          "your work, ask an administrator to grant it."),
    404: ("Page not found",
          "There is nothing here. The address may be mistyped, or what it showed was "
          "deleted, or it belongs to someone else."),
    405: ("This page cannot do that", "The page was asked for in a way it does not support."),
    500: ("Something went wrong on our side", "Nothing was changed. Try again in a moment."),
}


def page_text(status: int, message: str) -> tuple[str, str, str | None]:
    """(title, explanation, detail) of an HTML error page. The detail is the specific
    message when it tells a person more than the explanation (a 400's reason, a refusal
    naming its rule); identifiers of missing objects and the generic refusal are left out."""
    title, explanation = PAGE_TEXT.get(status, ("Something went wrong", message))
    detail = None if status in (404, 405, 500) or message in (explanation, _MESSAGES[403]) \
        else message
    return title, explanation, detail


def is_api() -> bool:
    return is_api_path(request.path)


def respond(status: int, message: str, code: Code, headers=None, errors=None):
    if is_api():
        return error_response(status, code, message, headers, errors)
    title, explanation, detail = page_text(status, message)
    return render_template("errors/page.html", status=status, title=title,
                           explanation=explanation, detail=detail), status, headers or {}


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        return respond(exc.status, exc.message, exc.code,
                       errors=exc.errors if isinstance(exc, Invalid) else None)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if isinstance(exc, InternalServerError):
            return server_error(exc)
        status = exc.code or 500
        message = _MESSAGES.get(status, exc.description or "Error.").format(
            method=request.method,
            limit=(current_app.config["MAX_CONTENT_LENGTH"] or 0) // 1024)
        # Keep protocol headers such as Allow (405) and Retry-After (429).
        headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
        return respond(status, message, _HTTP_CODES.get(status, Code.INVALID_INPUT), headers)

    @app.errorhandler(InternalServerError)
    def server_error(exc):
        db.session.rollback()
        original = getattr(exc, "original_exception", None) or exc
        log.error("Unhandled error on %s %s: %s", request.method, request.path,
                  type(original).__name__, exc_info=original)
        return respond(500, _MESSAGES[500], Code.INTERNAL_ERROR)
