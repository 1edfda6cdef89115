"""Links to other pages of the current list: the same URL with another cursor, page or
sort."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app, request
from werkzeug.datastructures import MultiDict


def with_cursor(cursor: str | None, *, external: bool = False) -> str:
    """This request's URL with ``cursor`` replaced (None: dropped), every other query
    parameter kept as sent. Built by encoding, never by passing the client's parameters to
    url_for as keywords (names such as ``endpoint`` or ``_external`` would steer it). An
    external URL starts with PUBLIC_BASE_URL, never with the request's Host or
    X-Forwarded-Host, which the client chooses."""
    args = MultiDict(request.args)
    args.pop("cursor", None)
    if cursor is not None:
        args["cursor"] = cursor
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + request.path if external \
        else request.path
    query = urlencode(list(args.items(multi=True)))
    return f"{base}?{query}" if query else base


def with_args(**changes: object) -> str:
    """This request's path and query with the named parameters replaced (None: dropped),
    every other parameter kept as sent; built by encoding, as with_cursor. Changing the
    sort or search goes back to page 1 (the page number of another order means nothing)."""
    args = MultiDict(request.args)
    if {"sort", "dir", "q"} & changes.keys():
        args.pop("page", None)
    for key, value in changes.items():
        args.pop(key, None)
        if value is not None:
            args[key] = str(value)
    query = urlencode(list(args.items(multi=True)))
    return f"{request.path}?{query}" if query else request.path
