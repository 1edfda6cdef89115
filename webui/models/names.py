"""How names compare: the key behind the uniqueness of every name (users, roles, tenants,
applications, profiles, data sources), and the characters no name may hold.

Two names are the same name when their keys are equal: NFKC-normalized, case-folded, and each
character replaced by a fixed representative of its confusables (Unicode TS #39 data, shipped
by the confusable-homoglyphs package, its classes closed transitively), so that "Alice",
"ALICE", "аlice" (Cyrillic а), "ａlice" and "a1ice" share one key. A database unique constraint on the key decides, so a race
cannot create look-alike twins. Format and bidirectional controls (U+200B, U+202E, U+FEFF...)
are refused outright (rules.py), not folded away: they make one name look like another on
every page and in the audit trail.
"""
from __future__ import annotations

import json
import unicodedata
from functools import lru_cache
from importlib import resources

from sqlalchemy import String
from sqlalchemy.orm import mapped_column

KEY_MAX = 128 * 4  # a key may be longer than its name (NFKC expands some characters)


def _representatives() -> dict[str, str]:
    """Each confusable character -> the smallest character of its class. The data lists, for a
    character, what it can be confused with; classes are the transitive closure of that (so
    "I", "l" and "1" end up together even where a list names only one of the others)."""
    parent: dict[str, str] = {}

    def root(c: str) -> str:
        while parent.setdefault(c, c) != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    # The data file is read here and dropped: importing the package's module would keep its
    # ~140,000 lists and dicts alive, for every garbage collection to walk (measured: it made
    # an API read ~10% slower in-process). What stays is one dict of strings.
    data = json.loads(resources.files("confusable_homoglyphs").joinpath(
        "confusables.json").read_text(encoding="utf-8"))
    for char, homoglyphs in data.items():
        if len(char) != 1:
            continue
        for other in (h["c"] for h in homoglyphs if len(h["c"]) == 1):
            a, b = root(char), root(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return {c: root(c) for c in parent}


_REPRESENTATIVE = _representatives()


def normalized(name: str) -> str:
    """The form a name is stored in (NFKC: full-width and other compatibility forms folded)."""
    return unicodedata.normalize("NFKC", name)


@lru_cache(maxsize=4096)
def name_key(name: str) -> str:
    """The comparison key of a (normalized) name."""
    folded = unicodedata.normalize("NFKC", normalized(name).casefold())
    return _represented(folded)[:KEY_MAX]


def _represented(text: str) -> str:
    return "".join(_REPRESENTATIVE.get(c, c) for c in text)


def key_column(source: str):
    """A ``name_key`` column that follows column ``source`` on every INSERT, ORM or Core (a
    context-sensitive default). ORM changes of the name re-key it too: each model's
    @validates calls name_key."""
    return mapped_column(String(KEY_MAX), default=lambda context: name_key(
        context.get_current_parameters()[source]))
