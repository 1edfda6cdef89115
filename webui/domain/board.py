"""Status boards: the pages' lists, read a page at a time with the total they belong to.

A board is asked for by page number (offset), a sort column and direction, and a search
text; it answers with the rows of that page and the count of every matching row, so a page
can say "26-50 of 64" and offer page numbers. (The JSON API keeps its keyset cursors,
webui/domain/pagination.py: a board costs a COUNT beside the page, which a person reading a
list of a few hundred rows never notices and an API client walking everything should not pay.)
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Generic, Mapping, Sequence, TypeVar

from sqlalchemy import func, select

from webui.domain import rules
from webui.domain.errors import Invalid
from webui.extensions import db

PAGE_SIZE = 25
SEARCH_MAX = rules.NAME_MAX
MAX_PAGE = 100_000
EXPORT_MAX = 10_000  # rows a CSV export holds at most
_DIGITS = re.compile(r"[0-9]{1,6}")
T = TypeVar("T")


@dataclass(frozen=True)
class BoardRequest:
    """Which page of a board: 1-based page, a sort key of the board's own, its direction
    (desc: newest or largest first), and a search text (empty: everything)."""
    page: int = 1
    sort: str | None = None  # None: the board's default (newest first)
    desc: bool = True
    search: str = ""
    size: int = PAGE_SIZE

    @classmethod
    def parse(cls, args: Mapping[str, str]) -> "BoardRequest":
        """From query-string text (page, sort, dir, q). Raises Invalid for a malformed page
        or direction, or a search text with control characters; the sort key is checked by
        the board that knows its columns."""
        page = args.get("page") or "1"
        if not _DIGITS.fullmatch(page) or not 1 <= int(page) <= MAX_PAGE:
            raise Invalid("The page number must be a whole number from 1.", "page")
        direction = args.get("dir") or "desc"
        if direction not in ("asc", "desc"):
            raise Invalid("The sort direction must be asc or desc.", "dir")
        search = (args.get("q") or "").strip()
        rules.check_text(search, "search", SEARCH_MAX, single_line=True)
        return cls(int(page), args.get("sort") or None, direction == "desc", search)

    def everything(self) -> "BoardRequest":
        """The same rows, sort and search, all on one page (an export)."""
        return replace(self, page=1, size=EXPORT_MAX)


@dataclass(frozen=True)
class Board(Generic[T]):
    items: Sequence[T]
    total: int
    request: BoardRequest
    sort: str  # the key actually sorted by

    @property
    def first(self) -> int:
        """1-based number of the first row shown (0 when none is)."""
        return (self.request.page - 1) * self.request.size + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.request.size))


def read_board(query, request: BoardRequest, sorts: Mapping[str, Any], default: str,
               tiebreak, *, mapper=None) -> Board:
    """Run query (a select with its filters applied) as one page of a board: a COUNT of the
    matching rows, then the page ordered by sorts[key] (and tiebreak, in the same direction,
    so equal values keep a stable order). mapper turns each row into an item (default: the
    first column of the row, e.g. an ORM entity). Raises Invalid for a sort key the board
    does not have."""
    key = request.sort or default
    if key not in sorts:
        raise Invalid(f"This list cannot be sorted by {key}.", "sort")
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None)
                                                               .subquery()))
    direction = (lambda c: c.desc()) if request.desc else (lambda c: c.asc())
    page = (query.order_by(direction(sorts[key]), direction(tiebreak))
            .offset((request.page - 1) * request.size).limit(request.size))
    result = db.session.execute(page)
    items = [mapper(row) for row in result] if mapper else list(result.scalars())
    return Board(items, total, request, key)
