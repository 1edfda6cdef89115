"""The product's Flask class (webui/application.py): ensure_sync answers exactly as Flask's,
remembered per function."""
from __future__ import annotations

import pytest
from flask import Flask

from webui.application import Application


def plain() -> str:
    return "plain"


async def coroutine() -> str:
    return "coroutine"


def test_a_plain_function_is_itself_every_time():
    app = Application(__name__)
    assert app.ensure_sync(plain) is plain
    assert app.ensure_sync(plain) is plain  # remembered
    bound = app.make_response  # a new bound-method object per access, one entry
    assert app.ensure_sync(bound) == bound and app.ensure_sync(app.make_response) == bound
    assert len(app._sync) == 2


def test_a_coroutine_function_is_never_handed_back_as_it_is():
    """Flask wraps it (with asgiref) or refuses it (without); so does Application, each
    time, never returning the coroutine function as if it were synchronous."""
    app, flask = Application(__name__), Flask(__name__)
    for _ in range(2):
        try:
            expected = flask.ensure_sync(coroutine)
        except RuntimeError as refused:
            with pytest.raises(RuntimeError, match=str(refused)[:20]):
                app.ensure_sync(coroutine)
        else:
            made = app.ensure_sync(coroutine)
            assert made is not coroutine and made() == expected() == "coroutine"


def test_an_unhashable_callable_is_answered_without_being_kept():
    class Unhashable:
        __hash__ = None

        def __call__(self):
            return "called"

    app, target = Application(__name__), Unhashable()
    assert app.ensure_sync(target) is target
    assert app._sync == {}
