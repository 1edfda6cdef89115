"""Role pages: list, create and change custom roles; predefined roles are shown read-only."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from webui.admin.binding import ConfirmForm, form_status, page_request, run_form
from webui.admin.blueprint import bp
from webui.admin.role_forms import RoleForm
from webui.auth.access import current_principal, requires
from webui.domain import roles
from webui.domain.errors import DomainError
from webui.domain.permissions import Permission


@bp.get("/roles")
@requires(Permission.VIEW_ROLE)
def role_list():
    page = roles.list_roles(current_principal(), page_request())
    return render_template("admin/role_list.html", page=page)


@bp.route("/roles/new", methods=["GET", "POST"])
@requires(Permission.CREATE_ROLE)
def role_new():
    form = RoleForm()
    done = run_form(form, lambda: roles.create_role(current_principal(),
                                                    {**form.data_for_domain(), "users": []}))
    if done:
        flash(f"Role {done.value.name} created.", "success")
        return redirect(url_for("admin.role_list"))
    return render_template("admin/role_form.html", form=form, role=None), form_status(form)


@bp.route("/roles/<id:role_id>/edit", methods=["GET", "POST"])
@requires(Permission.VIEW_ROLE)
def role_edit(role_id: int):
    actor = current_principal()
    role = roles.get_role(actor, role_id)
    form = RoleForm(data={"name": role.name, "description": role.description,
                          "permissions": [str(p) for p in role.permission_ids]})
    done = None if role.builtin else run_form(
        form, lambda: roles.update_role(actor, role_id, form.data_for_domain()))
    if done:
        flash(f"Role {done.value.name} saved.", "success")
        return redirect(url_for("admin.role_list"))
    return render_template("admin/role_form.html", form=form, role=role), form_status(form)


@bp.route("/roles/<id:role_id>/delete", methods=["GET", "POST"])
@requires(Permission.DELETE_ROLE)
def role_delete(role_id: int):
    actor = current_principal()
    role = roles.get_role(actor, role_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            roles.delete_role(actor, role_id)
        except DomainError as exc:
            flash(exc.message, "error")
            return redirect(url_for("admin.role_edit", role_id=role_id))
        flash(f"Role {role.name} deleted.", "success")
        return redirect(url_for("admin.role_list"))
    return render_template("admin/confirm_delete.html", form=form, noun="role", name=role.name,
                           cancel=url_for("admin.role_edit", role_id=role_id))
