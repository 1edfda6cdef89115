"""The audit trail page, for administrators: newest first, filterable, paginated."""
from __future__ import annotations

from flask import render_template, request

from webui.admin.binding import page_request
from webui.admin.blueprint import bp
from webui.auth.access import caller
from webui.domain import audit


@bp.get("/audit")
def audit_list():
    filters = {key: request.args.get(key) or None for key in ("action", "objectType", "user")}
    page = audit.list_events(caller(), page_request(), action=filters["action"],
                             object_type=filters["objectType"], user=filters["user"])
    return render_template("admin/audit_list.html", page=page, filters=filters,
                           actions=audit.ACTIONS, object_types=audit.OBJECT_TYPES)
