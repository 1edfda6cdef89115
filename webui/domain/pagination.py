"""Keyset pagination shared by every list: a limit and an opaque cursor (the last id seen)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Generic, Sequence, TypeVar

from webui.domain.errors import Invalid
from webui.domain.rules import ID_MAX

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
T = TypeVar("T")
_DIGITS = re.compile(r"[0-9]{1,10}")


@dataclass(frozen=True)
class PageRequest:
    limit: int = DEFAULT_LIMIT
    after: int = 0  # the id the previous page ended on

    @classmethod
    def parse(cls, limit: str | None, cursor: str | None) -> "PageRequest":
        """From query-string text. Raises Invalid for a malformed limit or cursor."""
        size = DEFAULT_LIMIT
        if limit is not None:
            if not _DIGITS.fullmatch(limit) or not 1 <= int(limit) <= MAX_LIMIT:
                raise Invalid(f"limit must be an integer from 1 to {MAX_LIMIT}.", "limit")
            size = int(limit)
        after = 0
        if cursor is not None:
            if not _DIGITS.fullmatch(cursor) or int(cursor) > ID_MAX:
                raise Invalid("cursor is not one this server issued.", "cursor")
            after = int(cursor)
        return cls(size, after)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    next_cursor: str | None  # None on the last page


def page_of(rows: Sequence[T], request: PageRequest, key=lambda row: row.id) -> Page[T]:
    """rows were fetched with limit + 1, ordered by key; the extra row only says 'more'."""
    if len(rows) > request.limit:
        rows = rows[:request.limit]
        return Page(rows, str(key(rows[-1])))
    return Page(rows, None)
