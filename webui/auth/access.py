"""The web door's coarse permission gate and the acting-on-behalf choice kept in the session.

The gate consults the same domain function as the API (permissions.require); object rules
(ownership, on-behalf) stay in the use cases."""
from __future__ import annotations

from functools import wraps

from flask import session
from flask_login import current_user

from webui.domain.permissions import Permission, require
from webui.domain.principal import Principal
from webui.extensions import login_manager

ACTING_FOR = "acting_for"


def current_principal() -> Principal | None:
    """The signed-in user as the domain's Principal, or None."""
    if not current_user.is_authenticated:
        return None
    return current_user._get_current_object()


def acting_name() -> str | None:
    """The user name chosen in the acting-on-behalf picker, if any (HDP's ?user=)."""
    return session.get(ACTING_FOR)


def requires(*perms: Permission):
    """Sign-in required (anonymous: the login page); then perms (Forbidden: the 403 page)."""
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            require(current_principal(), *perms)
            return view(*args, **kwargs)
        return wrapper
    return decorator
