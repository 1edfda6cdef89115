"""Data source pages: the signed-in user's data sources, or those of the user they act for;
each may use one of the owner's OAuth profiles."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from webui.admin.binding import ConfirmForm, form_status, page_request, run_form
from webui.admin.blueprint import bp
from webui.admin.datasource_forms import DATA_SOURCE_FIELDS, DataSourceForm, options_text
from webui.auth.access import caller
from webui.domain import datasources
from webui.domain.datastores import CATALOGUE
from webui.domain.permissions import Permission


@bp.get("/datasources")
def data_source_list():
    page = datasources.list_data_sources(caller(), page_request())
    return render_template("admin/datasource_list.html", page=page, subject=caller().subject,
                           data_stores=CATALOGUE)


def _render_form(form, ds, purpose: Permission):
    form.set_profiles(datasources.profiles_for_choice(caller(), purpose))
    return render_template("admin/datasource_form.html", form=form, ds=ds,
                           subject=caller().subject), form_status(form)


@bp.route("/datasources/new", methods=["GET", "POST"])
def data_source_new():
    form = DataSourceForm()
    done = run_form(form, lambda: datasources.create_data_source(caller(),
                                                                 form.data_for_domain()),
                    DATA_SOURCE_FIELDS)
    if done:
        flash(f"Data source {done.value.name} created for {caller().subject.user_name}.",
              "success")
        return redirect(url_for("admin.data_source_detail", ds_id=done.value.id))
    return _render_form(form, None, Permission.CREATE_DATA_SOURCE)


@bp.get("/datasources/<id:ds_id>")
def data_source_detail(ds_id: int):
    ds = datasources.get_data_source(caller(), ds_id)
    return render_template("admin/datasource_detail.html", ds=ds, subject=caller().subject,
                           data_store=CATALOGUE.get(ds.data_store),
                           options=options_text(ds.options))


@bp.route("/datasources/<id:ds_id>/edit", methods=["GET", "POST"])
def data_source_edit(ds_id: int):
    ds = datasources.get_data_source(caller(), ds_id, purpose=Permission.MODIFY_DATA_SOURCE)
    form = DataSourceForm(data={
        "name": ds.name, "dataStore": str(ds.data_store), "description": ds.description,
        "oauthProfileId": str(ds.oauth_profile_id or ""), "options": options_text(ds.options)})
    done = run_form(form, lambda: datasources.update_data_source(caller(), ds_id,
                                                                 form.data_for_domain()),
                    DATA_SOURCE_FIELDS)
    if done:
        flash(f"Data source {done.value.name} saved.", "success")
        return redirect(url_for("admin.data_source_detail", ds_id=ds_id))
    return _render_form(form, ds, Permission.MODIFY_DATA_SOURCE)


@bp.route("/datasources/<id:ds_id>/delete", methods=["GET", "POST"])
def data_source_delete(ds_id: int):
    ds = datasources.get_data_source(caller(), ds_id, purpose=Permission.DELETE_DATA_SOURCE)
    form = ConfirmForm()
    if run_form(form, lambda: datasources.delete_data_source(caller(), ds_id)):
        flash(f"Data source {ds.name} deleted.", "success")
        return redirect(url_for("admin.data_source_list"))
    return render_template("admin/confirm_delete.html", form=form, subject=caller().subject,
                           noun="data source", name=ds.name,
                           cancel=url_for("admin.data_source_detail", ds_id=ds_id)), \
        form_status(form)
