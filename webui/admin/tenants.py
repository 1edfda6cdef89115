"""Tenant pages, for those who may manage tenants (Administrator, or TenantAPI with
administrative access): list, create, edit, administrators, delete."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from webui.admin.binding import ConfirmForm, form_status, run_form
from webui.admin.blueprint import bp
from webui.admin.tenant_forms import TenantAdminsForm, TenantCreateForm, TenantForm
from webui.auth.access import caller
from webui.domain import tenants


@bp.get("/tenants")
def tenant_list():
    return render_template("admin/tenant_list.html", tenants=tenants.list_tenants(caller()))


@bp.route("/tenants/new", methods=["GET", "POST"])
def tenant_new():
    form = TenantCreateForm()
    form.set_choices(tenants.importable_roles(caller()), tenants.admin_candidates(caller()))
    if request.method == "GET":
        form.importedRoles.data = [str(r) for r in (2, 3)]
    done = run_form(form, lambda: tenants.create_tenant(caller(), form.data_for_domain()))
    if done:
        tenant, roles = done.value
        flash(f"Tenant {tenant.name} created with {len(roles)} roles.", "success")
        return redirect(url_for("admin.tenant_list"))
    return render_template("admin/tenant_form.html", form=form, tenant=None), \
        form_status(form)


@bp.route("/tenants/<id:tenant_id>/edit", methods=["GET", "POST"])
def tenant_edit(tenant_id: int):
    tenant = tenants.get_tenant(caller(), tenant_id)
    form = TenantForm(data={"name": tenant.name, "description": tenant.description,
                            "active": tenant.status == 1})
    done = run_form(form, lambda: tenants.update_tenant(caller(), tenant_id,
                                                        form.data_for_domain()))
    if done:
        flash(f"Tenant {done.value.name} saved.", "success")
        return redirect(url_for("admin.tenant_list"))
    admins = TenantAdminsForm(formdata=None, data={
        "admins": [str(i) for i in tenants.get_admins(caller(), tenant_id)]})
    admins.set_choices(tenants.admin_candidates(caller(), tenant_id))
    return render_template("admin/tenant_form.html", form=form, tenant=tenant,
                           admins=admins), form_status(form)


@bp.post("/tenants/<id:tenant_id>/admins")
def tenant_admins(tenant_id: int):
    tenant = tenants.get_tenant(caller(), tenant_id)
    form = TenantAdminsForm()
    if run_form(form, lambda: tenants.set_admins(caller(), tenant_id, form.data_for_domain())):
        flash(f"Administrators of {tenant.name} saved.", "success")
    else:
        for message in form.admins.errors:
            flash(message, "error")
    return redirect(url_for("admin.tenant_edit", tenant_id=tenant_id))


@bp.route("/tenants/<id:tenant_id>/delete", methods=["GET", "POST"])
def tenant_delete(tenant_id: int):
    tenant = tenants.get_tenant(caller(), tenant_id)
    form = ConfirmForm()
    if run_form(form, lambda: tenants.delete_tenant(caller(), tenant_id)):
        flash(f"Tenant {tenant.name} deleted.", "success")
        return redirect(url_for("admin.tenant_list"))
    return render_template("admin/confirm_delete.html", form=form, noun="tenant",
                           name=tenant.name, cancel=url_for("admin.tenant_list"),
                           warning="Its roles and OAuth applications (with their profiles) "
                                   "are deleted too. A tenant that still has users cannot "
                                   "be deleted."), form_status(form)
