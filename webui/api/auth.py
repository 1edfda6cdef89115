"""HTTP Basic authentication, and the Caller of an API request (kept on ``g``)."""
from __future__ import annotations

from flask import g, request

from webui.doors import is_api_path, is_management_path
from webui.domain import acting, audit, credentials
from webui.domain.caller import Caller
from webui.domain.errors import NotAuthenticated
from webui.domain.permissions import Permission
from webui.infra import throttle

# What the Management API asks of every operation, on top of the operation's own permissions.
MANAGEMENT_DEMANDS = (Permission.MGMT_API,)


def identify() -> Caller:
    """Authenticate the Authorization header and resolve the caller (with ?user= under
    /api/mgmt/); keep it on g. Raises NotAuthenticated (401), Forbidden and NotFound (a
    ?user= the caller may not act for, or an unknown one).

    The password is verified at most once per request (and usually not at all: see
    webui/infra/credential_cache.py)."""
    auth = request.authorization
    if auth is None or auth.type != "basic" or not auth.username or auth.password is None:
        raise NotAuthenticated()
    try:
        actor = credentials.authenticate(auth.username, auth.password)
    except NotAuthenticated:
        audit.record_failed_sign_in(auth.username, request.remote_addr)
        raise
    throttle.signed_in()
    management = is_management_path(request.path)
    g.caller = acting.resolve(actor, (request.args.get("user") or None) if management else None,
                              demands=MANAGEMENT_DEMANDS if management else (),
                              address=request.remote_addr)
    return g.caller


def caller() -> Caller:
    """The caller of this request (resolved before the view ran)."""
    return g.caller


def attempted_sign_in() -> str | None:
    """For the throttle: the user name of a Basic-auth sign-in attempt to the API (a request
    without credentials is a challenge, not a guess, and is never counted)."""
    if is_api_path(request.path):
        auth = request.authorization
        if auth is not None and auth.type == "basic" and auth.username:
            return auth.username
    return None
