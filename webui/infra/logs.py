"""Log lines, and the request id that ties together everything one request logged and wrote.

Not from a measurement but from an operator's need: several workers and hosts interleave
their lines, and an audit row must lead to the log lines of the request that wrote it.

- The request id is taken from the client's (or the proxy's) ``X-Request-Id`` when it is
  well-formed (REQUEST_ID: 1 to 128 letters, digits, ``.``, ``_``, ``-``, ``:``), generated
  otherwise; it is returned in the response's ``X-Request-Id``, put on every log line of the
  request (``request_id``) and stored on every audit row the request writes
  (webui/domain/audit.py reads ``current_request_id()``).
- ``install(format, level)`` gives the root logger one handler: LOG_FORMAT ``json`` writes one
  JSON object per line (python-json-logger: time, level, logger, message, request_id, and the
  traceback as ``exc_info``), ``text`` plain lines. gunicorn.conf.py formats gunicorn's own
  logs with the same ``formatter``.
"""
from __future__ import annotations

import logging
import re
import sys
import uuid
from typing import IO

from flask import Flask, g, has_request_context, request
from flask.wrappers import Response
from pythonjsonlogger.json import JsonFormatter

HEADER = "X-Request-Id"
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"
_HANDLER_MARK = "_webui_handler"


def current_request_id() -> str | None:
    """This request's id, or None outside a request (a CLI command, a start-up check)."""
    return g.get("request_id") if has_request_context() else None


def _take_request_id() -> None:
    offered = request.headers.get(HEADER, "")
    g.request_id = offered if REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex


def _return_request_id(response: Response) -> Response:
    request_id = current_request_id()
    if request_id:
        response.headers[HEADER] = request_id
    return response


class RequestIdFilter(logging.Filter):
    """Puts ``request_id`` on every record a handler writes ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id() or "-"
        return True


def formatter(log_format: str) -> logging.Formatter:
    if log_format == "json":
        return JsonFormatter(JSON_FIELDS, rename_fields={"asctime": "time",
                                                         "levelname": "level",
                                                         "name": "logger"})
    return logging.Formatter(TEXT_FORMAT)


def handler(log_format: str, stream: IO[str] | None = None) -> logging.Handler:
    """A stream handler (stderr by default) writing in log_format, with the request id."""
    made = logging.StreamHandler(stream or sys.stderr)
    made.setFormatter(formatter(log_format))
    made.addFilter(RequestIdFilter())
    setattr(made, _HANDLER_MARK, True)
    return made


def skip_caller_lookup() -> None:
    """Stop the logging module looking up the calling file, line and function of each line,
    which no format here uses (TEXT_FORMAT, JSON_FIELDS, gunicorn's own and its
    access_log_format), as the logging HOWTO's "Optimization" section shows: the lookup
    walks the stack for every line, a gunicorn access line per request among them: 0.85% of
    a token hand-out's worker time (py-spy under bench/'s token scenario). A format that names
    them would print "(unknown file)", 0 and "(unknown function)". Thread and process ids
    stay: gunicorn's error lines print the process id."""
    logging._srcfile = None


def install(log_format: str, level: str = "info", stream: IO[str] | None = None) -> None:
    """Replace the root logger's handler installed by an earlier call (never others'), and
    skip_caller_lookup()."""
    skip_caller_lookup()
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(old)
    root.addHandler(handler(log_format, stream))
    root.setLevel(level.upper())


def register(app: Flask) -> None:
    # First of the before-request hooks, so that even a throttled request has its id.
    app.before_request_funcs.setdefault(None, []).insert(0, _take_request_id)
    app.after_request(_return_request_id)
