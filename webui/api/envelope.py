"""HDP's error envelope: the only place that builds it."""
from __future__ import annotations

from flask import jsonify

from webui.domain.error_codes import Code


def error_response(status: int, code: Code, message: str, headers=None):
    body = {"error": {"code": Code(code).value,
                      "message": {"lang": "en-US", "value": message}}}
    response = jsonify(body)
    response.status_code = status
    if headers:
        response.headers.update(headers)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="HDP Management API", charset="UTF-8"'
    return response
