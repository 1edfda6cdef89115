from flask import Blueprint, request

from webui.domain.errors import Forbidden

PREFIX = "/api"
bp = Blueprint("api", __name__, url_prefix=PREFIX)


def is_api_path(path: str) -> bool:
    """Whether a request path belongs to the API door (JSON, Basic auth, no cookie session)."""
    return path == PREFIX or path.startswith(PREFIX + "/")


@bp.before_request
def refuse_cross_site():
    """Browsers replay cached Basic credentials even on a cross-site form post, and the API
    has no CSRF token: refuse what a browser marks as cross-site (scripts and tools send no
    Sec-Fetch-Site at all)."""
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        raise Forbidden("Cross-site requests to the API are refused.")
