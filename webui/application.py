"""The Flask class of the product."""
from __future__ import annotations

from typing import Any, Callable

from flask import Flask

SYNC_MEMO_ENTRIES = 1024  # far above the hooks and views an app registers


class Application(Flask):
    """Flask, remembering ensure_sync's answer for each function.

    Flask asks ensure_sync of every before- and after-request hook and of the view, on every
    request, and it inspects the function each time (inspect.iscoroutinefunction): ~1.4% of
    a token hand-out's worker time in py-spy under bench/'s token scenario, with the dozen
    hooks an API request passes. Whether a function is a coroutine function never changes,
    so the answer is kept per function (bound methods compare equal per object and method:
    one entry each)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sync: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        try:
            return self._sync[func]
        except KeyError:
            made = super().ensure_sync(func)
            if len(self._sync) < SYNC_MEMO_ENTRIES:
                self._sync[func] = made
            return made
        except TypeError:  # an unhashable callable: asked each time, as Flask does
            return super().ensure_sync(func)
