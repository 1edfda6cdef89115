"""OAuth application pages: managers register and change them; everyone else who may use an
application sees it read-only (never its secret)."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from webui.admin.app_forms import ApplicationForm
from webui.admin.binding import (ConfirmForm, board_request, form_status, mark_required,
                                 run_form, tenant_filter)
from webui.admin.blueprint import bp
from webui.auth.access import caller
from webui.domain import authorization, boards, oauthapps, schemas, tenancy
from webui.domain.datastores import CATALOGUE


def redirect_uri() -> str:
    """What an administrator registers at the provider: the configured public base URL,
    never the request's Host header."""
    return authorization.redirect_uri()


def _render_form(form, app):
    return render_template("admin/app_form.html", form=form, app=app,
                           redirect_uri=redirect_uri()), form_status(form)


@bp.get("/oauthapps")
def app_list():
    tenant_id = tenant_filter()
    board = boards.application_board(caller(), board_request(), tenant_id=tenant_id)
    return render_template("admin/app_list.html", board=board, data_stores=CATALOGUE,
                           tenant_id=tenant_id, tenants=tenancy.names(caller().actor))


@bp.route("/oauthapps/new", methods=["GET", "POST"])
def app_new():
    oauthapps.require_manager(caller())
    form = ApplicationForm()
    mark_required(form, schemas.AppCreate)
    done = run_form(form, lambda: oauthapps.create_application(caller(),
                                                               form.data_for_domain()))
    if done:
        flash(f"OAuth application {done.value.name} registered.", "success")
        return redirect(url_for("admin.app_detail", app_id=done.value.id))
    return _render_form(form, None)


@bp.get("/oauthapps/<id:app_id>")
def app_detail(app_id: int):
    app = oauthapps.get_application(caller(), app_id)
    used_by, total = boards.application_profiles(caller(), app_id)
    return render_template("admin/app_detail.html", app=app, redirect_uri=redirect_uri(),
                           data_store=CATALOGUE.get(app.data_store), used_by=used_by,
                           total=total, tenants=tenancy.names(caller().actor),
                           subject=caller().subject)


def _managed(app_id: int):
    oauthapps.require_manager(caller())
    return oauthapps.get_application(caller(), app_id)


@bp.route("/oauthapps/<id:app_id>/edit", methods=["GET", "POST"])
def app_edit(app_id: int):
    app = _managed(app_id)
    form = ApplicationForm(data={
        "name": app.name, "dataStore": str(app.data_store), "description": app.description,
        "clientId": app.client_id, "authorizeURI": app.authorize_uri,
        "tokenURI": app.token_uri, "scope": app.scope})
    done = run_form(form, lambda: oauthapps.update_application(caller(), app_id,
                                                               form.data_for_domain()))
    if done:
        flash(f"OAuth application {done.value.name} saved.", "success")
        return redirect(url_for("admin.app_detail", app_id=app_id))
    return _render_form(form, app)


@bp.route("/oauthapps/<id:app_id>/delete", methods=["GET", "POST"])
def app_delete(app_id: int):
    app = _managed(app_id)
    form = ConfirmForm()
    if run_form(form, lambda: oauthapps.delete_application(caller(), app_id)):
        flash(f"OAuth application {app.name} deleted, with its profiles.", "success")
        return redirect(url_for("admin.app_list"))
    _, total = boards.application_profiles(caller(), app_id)
    return render_template("admin/confirm_delete.html", form=form, noun="OAuth application",
                           name=app.name, cancel=url_for("admin.app_detail", app_id=app_id),
                           warning=_cascade(total)), form_status(form)


def _cascade(total: int) -> str:
    """What deleting an application takes with it, counted."""
    if total == 0:
        return "No OAuth profile uses it: nothing else is deleted."
    if total == 1:
        return "1 OAuth profile uses it and is deleted too."
    return f"{total} OAuth profiles (of every owner) use it and are deleted too."
