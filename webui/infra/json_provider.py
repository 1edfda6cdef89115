"""JSON answers encoded by orjson (Flask's DefaultJSONProvider otherwise).

Serializing the body was a twentieth of an API list call with the standard library's encoder
(bench/); orjson does it several times faster. Types orjson would encode its own way (dates,
dataclasses) are passed to Flask's ``default``, so every answer reads as before, except that
non-ASCII text is sent as UTF-8 rather than as \\u escapes. What orjson refuses (a string with
a lone surrogate, which a client can send as a \\ud800 escape and an error may quote back) is
encoded by the standard library instead. Request bodies are still parsed by webui/api/body.py
with the standard library (exact integers, NaN refused).
"""
from __future__ import annotations

from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


class OrjsonProvider(DefaultJSONProvider):
    sort_keys = False  # keep HDP's field order

    def _encode(self, obj: Any) -> bytes:
        option = _OPTIONS | (orjson.OPT_INDENT_2 if self._app.debug else 0)
        try:
            return orjson.dumps(obj, default=self.default, option=option)
        except TypeError:
            compact = {} if self._app.debug else {"separators": (",", ":")}
            return super().dumps(obj, indent=2 if self._app.debug else None,
                                 **compact).encode()

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs:  # options only the standard library knows (indent=..., and so on)
            return super().dumps(obj, **kwargs)
        return self._encode(obj).decode()

    def response(self, *args: Any, **kwargs: Any):
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(self._encode(obj) + b"\n", mimetype=self.mimetype)
