"""The acting-on-behalf picker: choose whose profiles the profile pages show and change.
Allowed by the same rule as the API's ?user= (domain.acting)."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from webui.admin.binding import ConfirmForm, form_status, run_form
from webui.admin.blueprint import bp
from webui.admin.user_forms import ActingForm
from webui.auth.access import caller, choose
from webui.domain import acting, users
from webui.domain.permissions import Permission


@bp.route("/acting", methods=["GET", "POST"])
def acting_choose():
    acting.require_may_act(caller())
    form = ActingForm(data={"user": caller().subject.user_name if caller().on_behalf else ""})
    done = run_form(form, lambda: acting.resolve(caller().actor, form.user_name() or None,
                                                 address=caller().address))
    if done:
        chosen = done.value
        choose(chosen.subject.user_name if chosen.on_behalf else None)
        flash(f"Acting for {chosen.subject.user_name}: the profile pages show their data."
              if chosen.on_behalf else "You now see your own data.", "success")
        return redirect(url_for("admin.profile_list"))
    names = [u.user_name for u in users.list_users(caller(), users.ALL_FOR_CHOICE).items] \
        if caller().actor_may(Permission.VIEW_USERS) else []
    return render_template("admin/acting.html", form=form, names=names, stop=ConfirmForm()), \
        form_status(form)


@bp.post("/acting/stop")
def acting_stop():
    # CSRFProtect has already refused a POST without a valid token (400).
    choose(None)
    flash("You now see your own data.", "success")
    return redirect(url_for("admin.profile_list"))
