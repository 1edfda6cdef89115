"""The API blueprint. Its one gate habit (the same as the pages'): the door authenticates and
resolves the Caller once per request, before the view runs; it checks no operation
permission itself. Every permission is decided by the use case, through the Caller
(webui/domain/caller.py), which carries what this door demands of every operation under
/api/mgmt/ (MgmtAPI, 11) and the subject named by ?user= there.
"""
from flask import Blueprint, request

from webui.api.auth import identify
from webui.doors import API_PREFIX
from webui.domain.errors import Forbidden

bp = Blueprint("api", __name__, url_prefix=API_PREFIX)
# Views that answer without credentials.
PUBLIC_ENDPOINTS = frozenset({"api.openapi_document"})


@bp.before_request
def refuse_cross_site():
    """Browsers replay cached Basic credentials even on a cross-site form post, and the API
    has no CSRF token: refuse what a browser marks as cross-site (scripts and tools send no
    Sec-Fetch-Site at all)."""
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        raise Forbidden("Cross-site requests to the API are refused.")


@bp.before_request
def resolve_caller():
    if request.endpoint not in PUBLIC_ENDPOINTS:
        identify()
