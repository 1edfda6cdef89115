"""Role pages: list, create and change custom roles; predefined roles are shown read-only."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from webui.admin.binding import ConfirmForm, form_status, page_request, run_form, tenant_filter
from webui.admin.blueprint import bp
from webui.admin.role_forms import RoleForm
from webui.auth.access import caller
from webui.domain import roles, tenancy
from webui.domain.permissions import Permission


@bp.get("/roles")
def role_list():
    tenant_id = tenant_filter()
    page = roles.list_roles(caller(), page_request(), tenant_id=tenant_id)
    return render_template("admin/role_list.html", page=page, tenant_id=tenant_id,
                           tenants=tenancy.names(caller().actor))


@bp.route("/roles/new", methods=["GET", "POST"])
def role_new():
    roles.require_may_create(caller())
    form = RoleForm()
    done = run_form(form, lambda: roles.create_role(caller(),
                                                    {**form.data_for_domain(), "users": []}))
    if done:
        flash(f"Role {done.value.name} created.", "success")
        return redirect(url_for("admin.role_list"))
    return render_template("admin/role_form.html", form=form, role=None), form_status(form)


@bp.route("/roles/<id:role_id>/edit", methods=["GET", "POST"])
def role_edit(role_id: int):
    role = roles.get_role(caller(), role_id)
    form = RoleForm(data={"name": role.name, "description": role.description,
                          "permissions": [str(p) for p in role.permission_ids]})
    done = None if role.builtin else run_form(
        form, lambda: roles.update_role(caller(), role_id, form.data_for_domain()))
    if done:
        flash(f"Role {done.value.name} saved.", "success")
        return redirect(url_for("admin.role_list"))
    return render_template("admin/role_form.html", form=form, role=role), form_status(form)


@bp.route("/roles/<id:role_id>/delete", methods=["GET", "POST"])
def role_delete(role_id: int):
    role = roles.get_role(caller(), role_id, purpose=Permission.DELETE_ROLE)
    form = ConfirmForm()
    if run_form(form, lambda: roles.delete_role(caller(), role_id)):
        flash(f"Role {role.name} deleted.", "success")
        return redirect(url_for("admin.role_list"))
    return render_template("admin/confirm_delete.html", form=form, noun="role", name=role.name,
                           cancel=url_for("admin.role_edit", role_id=role_id)), \
        form_status(form)
