"""/api/admin/permissions (the catalogue) and /api/admin/audit (the audit trail)."""
from __future__ import annotations

from flask import request

from webui.api import serialize
from webui.api.auth import caller
from webui.api.blueprint import bp
from webui.api.paging import page_request, page_response
from webui.domain import audit, catalogue


@bp.get("/admin/permissions")
def list_permissions():
    perms = catalogue.list_permissions(caller())
    return {"permissions": [serialize.permission(p) for p in perms]}


@bp.get("/admin/permissions/<id:perm_id>")
def get_permission(perm_id: int):
    return serialize.permission(catalogue.get_permission(caller(), perm_id))


@bp.get("/admin/audit")
def list_audit_events():
    page = audit.list_events(caller(), page_request(),
                             action=request.args.get("action") or None,
                             object_type=request.args.get("objectType") or None,
                             user=request.args.get("user") or None)
    return page_response("events", page, serialize.audit_event)
