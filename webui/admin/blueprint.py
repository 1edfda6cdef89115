from flask import Blueprint

from webui.auth.access import identify
from webui.domain import tokens
from webui.domain.profile_view import ProfileView
from webui.domain.rules import NAME_HINT, PASSWORD_HINT
from webui.links import with_args, with_cursor
from webui.models.columns import utcnow

STATUS_LABELS = {"active": "Active", "expiring": "Expiring soon", "expired": "Expired",
                 "needsReauthorization": "Needs re-authorization",
                 "refreshFailing": "Refresh failing"}

bp = Blueprint("admin", __name__)
# The door signs the visitor in and resolves the Caller before any view (webui/auth/access.py).
bp.before_request(identify)
bp.add_app_template_global(with_cursor, "page_url")  # the list pages' pager links
bp.add_app_template_global(with_args, "board_url")  # the status boards' page and sort links
# Form hints come from the rules they describe, not from a second copy in a template.
bp.add_app_template_global(NAME_HINT, "NAME_HINT")
bp.add_app_template_global(PASSWORD_HINT, "PASSWORD_HINT")
bp.add_app_template_global(STATUS_LABELS, "status_labels")


@bp.app_template_global("status_of")
def status_of(profile: ProfileView) -> tuple[str, str]:
    """(status, label) of a profile now: the API's status rule, in words."""
    status = profile.status_at(utcnow(), tokens.margin())
    return status, STATUS_LABELS[status]
