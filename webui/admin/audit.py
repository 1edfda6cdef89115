"""The audit trail page, for administrators: a status board (newest first, filtered by
action, object, user, date range, and optionally without the reads made while acting for
someone), object names linked to their pages, and a CSV export of the same filtered trail."""
from __future__ import annotations

import csv
import io

from flask import Response, render_template, request, url_for

from webui.admin.binding import board_request
from webui.admin.blueprint import bp
from webui.auth.access import caller
from webui.domain import audit

ACTION_LABELS = {"create": "Created", "read": "Read while acting for someone",
                 "update": "Changed", "delete": "Deleted", "refresh": "Refreshed tokens",
                 "login": "Signed in", "login_failed": "Sign-in failed",
                 "logout": "Signed out"}
OBJECT_LABELS = {"oauthapp": "OAuth application", "oauthprofile": "OAuth profile",
                 "user": "User", "role": "Role"}
# Where a named object's page is: the endpoint and its id argument.
_PAGES = {"oauthapp": ("admin.app_detail", "app_id"), "user": ("admin.user_edit", "user_id"),
          "role": ("admin.role_edit", "role_id"),
          "oauthprofile": ("admin.profile_detail", "profile_id")}
COLUMNS = ("When (UTC)", "Actor", "On behalf of", "Action", "Object", "Fields changed",
           "Client")


def _rows(board):
    """Each event of board as the page and the export show it: (cells, link of the
    object or None). Object names come in one query for the whole page."""
    names = audit.object_names(caller(), board.items)
    subject = caller().subject.id
    rows = []
    for e in board.items:
        kind = OBJECT_LABELS.get(e.object_type, e.object_type)
        named = names.get((e.object_type, e.object_id))
        link = None
        if e.object_id is None:
            obj = kind
        elif named is None:
            obj = f"{kind} #{e.object_id} (deleted)"
        else:
            obj = f"{kind} {named.name}"
            endpoint, arg = _PAGES[e.object_type]
            # A profile exists only for its owner: link it only when that is who is shown.
            if named.owner_id in (None, subject):
                link = url_for(endpoint, **{arg: e.object_id})
        rows.append(((e.at.strftime("%Y-%m-%d %H:%M:%S"), e.actor or "", e.subject or "",
                      ACTION_LABELS.get(e.action, e.action), obj,
                      e.fields.replace(",", ", "), e.client_address or ""), link))
    return rows


@bp.get("/audit")
def audit_list():
    trail = audit.TrailFilter.parse(request.args)
    board = audit.trail_board(caller(), board_request(), trail)
    return render_template("admin/audit_list.html", board=board, trail=trail,
                           rows=_rows(board), columns=COLUMNS, actions=ACTION_LABELS,
                           object_types=OBJECT_LABELS)


def _cell(text: str) -> str:
    # A spreadsheet runs a cell starting with = + - @ as a formula; user names are typed by
    # anyone (failed sign-ins), so such cells are quoted as text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@bp.get("/audit.csv")
def audit_export():
    """The filtered trail in the page's order and wording, every matching row (up to
    board.EXPORT_MAX), as CSV."""
    trail = audit.TrailFilter.parse(request.args)
    board = audit.trail_board(caller(), board_request().everything(), trail)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for cells, _ in _rows(board):
        writer.writerow([_cell(c) for c in cells])
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=audit-trail.csv"})
