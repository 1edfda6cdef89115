"""Where the two doors live: the facts about them that modules below the doors need.

The app-wide error handler, the cookie-session interface and the throttle's wiring must know
which requests belong to the JSON API and which endpoint is the login form, without importing
a door (imports run one way: doors -> domain -> infra/models). So those facts live here, at the
bottom, and the doors read them from here too.
"""
from __future__ import annotations

API_PREFIX = "/api"
# HDP's Management API: every operation needs MgmtAPI (11) and honours ?user= (on behalf).
MANAGEMENT_PREFIX = API_PREFIX + "/mgmt/"
# The web UI's login form (Flask-Login's login_view, and the throttle's sign-in attempts).
LOGIN_ENDPOINT = "auth.login"


def is_api_path(path: str) -> bool:
    """Whether a request path belongs to the API door (JSON, Basic auth, no cookie session)."""
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")


def is_management_path(path: str) -> bool:
    """Whether a request path belongs to HDP's Management API (MgmtAPI, ?user=)."""
    return path.startswith(MANAGEMENT_PREFIX)
