"""The "My account" page: every signed-in user sees their account and changes their own
password there (the same use case as the API's changePassword)."""
from __future__ import annotations

from flask import flash, redirect, render_template, session, url_for

from webui.admin.binding import form_status, run_form
from webui.admin.blueprint import bp
from webui.admin.user_forms import PasswordChangeForm
from webui.auth.access import caller
from webui.auth.session import TOKEN
from webui.domain import account, tenancy


@bp.route("/account", methods=["GET", "POST"])
def account_page():
    form = PasswordChangeForm()
    done = run_form(form, lambda: account.change_own_password(
        caller(), form.data_for_domain(), keep_session=session.get(TOKEN)))
    if done:
        flash("Password changed. Your other sessions have been signed out.", "success")
        return redirect(url_for("admin.account_page"))
    me = caller().actor
    return render_template("admin/account.html", form=form, me=me,
                           tenant=tenancy.names(me).get(me.tenant_id, me.tenant_id)), \
        form_status(form)
