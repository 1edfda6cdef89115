"""Pagination on the wire: ?limit= and ?cursor=, and a Link rel="next" header."""
from __future__ import annotations

from flask import jsonify, request, url_for

from webui.domain.pagination import Page, PageRequest


def page_request() -> PageRequest:
    """Raises Invalid for a malformed limit or cursor."""
    return PageRequest.parse(request.args.get("limit"), request.args.get("cursor"))


def page_response(key: str, page: Page, serialize):
    """HDP's list body ({key: [...]}) with a Link header to the next page when one exists."""
    response = jsonify({key: [serialize(item) for item in page.items]})
    if page.next_cursor is not None:
        args = {**request.args.to_dict(), **(request.view_args or {}),
                "cursor": page.next_cursor}
        url = url_for(request.endpoint, _external=True, **args)
        response.headers["Link"] = f'<{url}>; rel="next"'
    return response
