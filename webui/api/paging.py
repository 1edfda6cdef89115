"""Pagination on the wire: ?limit= and ?cursor=, and a Link rel="next" header."""
from __future__ import annotations

from flask import jsonify, request

from webui.domain.pagination import Page, PageRequest
from webui.links import with_cursor


def page_request() -> PageRequest:
    """Raises Invalid for a malformed limit or cursor."""
    return PageRequest.parse(request.args.get("limit"), request.args.get("cursor"))


def page_response(key: str, page: Page, serialize):
    """HDP's list body ({key: [...]}) with a Link header to the next page when one exists."""
    response = jsonify({key: [serialize(item) for item in page.items]})
    if page.next_cursor is not None:
        url = with_cursor(page.next_cursor, external=True)
        response.headers["Link"] = f'<{url}>; rel="next"'
    return response
