"""The API's only body parser."""
from __future__ import annotations

import json
from typing import Any

from flask import request
from werkzeug.exceptions import UnsupportedMediaType

from webui.domain.error_codes import Code
from webui.domain.errors import Invalid


def json_object() -> dict[str, Any]:
    """The request body as a JSON object.

    Raises UnsupportedMediaType (415) unless sent as application/json, RequestEntityTooLarge
    (413) past MAX_CONTENT_LENGTH, Invalid (400, 222207007) for malformed JSON or a non-object.
    """
    if not request.is_json:
        raise UnsupportedMediaType()
    raw = request.get_data(cache=True)
    try:
        data = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise Invalid("Invalid JSON Input: the body is not well-formed JSON.", None,
                      Code.INVALID_JSON) from None
    if not isinstance(data, dict):
        raise Invalid("Invalid JSON Input: the body must be a JSON object.", None,
                      Code.INVALID_JSON)
    return data


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")
