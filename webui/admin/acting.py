"""The acting-on-behalf picker: choose whose profiles the profile pages show and change.
Allowed by the same rule as the API's ?user= (domain.acting)."""
from __future__ import annotations

from flask import flash, redirect, render_template, session, url_for

from webui.admin.binding import ConfirmForm, attach_error, form_status
from webui.admin.blueprint import bp
from webui.admin.user_forms import ActingForm
from webui.auth.access import ACTING_FOR, acting_name, current_principal, requires
from webui.domain import users
from webui.domain.acting import acting_for, may_act_for_others
from webui.domain.errors import DomainError, Forbidden
from webui.domain.pagination import PageRequest
from webui.domain.permissions import Permission, has_permission


@bp.route("/acting", methods=["GET", "POST"])
@requires()
def acting_choose():
    actor = current_principal()
    if not may_act_for_others(actor):
        raise Forbidden()
    form = ActingForm(data={"user": acting_name() or ""})
    if form.validate_on_submit():
        try:
            subject = acting_for(actor, form.user_name() or None)
        except DomainError as exc:
            attach_error(form, exc)
        else:
            if subject.id == actor.id:
                session.pop(ACTING_FOR, None)
                flash("You now see your own data.", "success")
            else:
                session[ACTING_FOR] = subject.user_name
                flash(f"Acting for {subject.user_name}: the profile pages show their data.",
                      "success")
            return redirect(url_for("admin.profile_list"))
    names = []
    if has_permission(actor, Permission.VIEW_USERS):
        names = [u.user_name for u in users.list_users(actor, PageRequest(limit=1000)).items]
    return render_template("admin/acting.html", form=form, names=names, stop=ConfirmForm()), \
        form_status(form)


@bp.post("/acting/stop")
@requires()
def acting_stop():
    session.pop(ACTING_FOR, None)
    flash("You now see your own data.", "success")
    return redirect(url_for("admin.profile_list"))
