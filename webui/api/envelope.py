"""HDP's error envelope: the only place that builds it."""
from __future__ import annotations

from flask import jsonify

from webui.domain.error_codes import Code


def error_response(status: int, code: Code, message: str, headers=None,
                   errors: list[tuple[str | None, str]] | None = None):
    """HDP's envelope of message; errors (every problem of invalid input, message first)
    are added as "errors": [{"field", "message"}] inside "error", beside HDP's fields."""
    body = {"error": {"code": Code(code).value,
                      "message": {"lang": "en-US", "value": message}}}
    if errors:
        body["error"]["errors"] = [{"field": field, "message": text} for field, text in errors]
    response = jsonify(body)
    response.status_code = status
    if headers:
        response.headers.update(headers)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="HDP Management API", charset="UTF-8"'
    return response
