"""HTTP Basic authentication for the API, and its coarse permission gate."""
from __future__ import annotations

from functools import wraps

from flask import g, request

from webui import throttle
from webui.domain import audit, credentials
from webui.domain.errors import NotAuthenticated
from webui.domain.permissions import Permission, require
from webui.domain.principal import Principal


def authenticated() -> Principal:
    """The caller named by the Authorization header. Raises NotAuthenticated (401).

    The password is verified at most once per request (and usually not at all: see
    credentials.CredentialCache).
    """
    if "principal" in g:
        return g.principal
    auth = request.authorization
    if auth is None or auth.type != "basic" or not auth.username or auth.password is None:
        raise NotAuthenticated()
    try:
        g.principal = credentials.authenticate(auth.username, auth.password,
                                               request.remote_addr)
    except NotAuthenticated:
        audit.record_failed_sign_in(auth.username, request.remote_addr)
        raise
    throttle.signed_in()
    return g.principal


def api_requires(*perms: Permission):
    """Authenticate, then require perms of the caller (Forbidden, 403, otherwise)."""
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            require(authenticated(), *perms)
            return view(*args, **kwargs)
        return wrapper
    return decorator


def on_behalf() -> str | None:
    """The ?user= an operation acts for, if any (an empty ?user= names nobody)."""
    return request.args.get("user") or None
