"""User administration pages: list, create, edit, deactivate/activate, reset password."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from webui.admin.binding import (ConfirmForm, board_request, form_status, mark_required,
                                 run_form, tenant_filter)
from webui.admin.blueprint import bp
from webui.admin.user_forms import USER_FIELDS, PasswordResetForm, UserCreateForm, UserEditForm
from webui.auth.access import caller
from webui.domain import boards, roles, schemas, tenancy, users
from webui.domain.permissions import Permission


@bp.get("/users")
def user_list():
    tenant_id = tenant_filter()
    board = boards.user_board(caller(), board_request(), tenant_id=tenant_id)
    return render_template("admin/user_list.html", board=board, tenant_id=tenant_id,
                           tenants=tenancy.names(caller().actor))


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    choices = roles.all_roles(caller(), Permission.CREATE_USERS)
    me = caller().actor
    tenants = tenancy.administered_names(me)
    form = UserCreateForm()
    form.set_roles(choices, tenants)
    form.set_tenants(tenants)
    mark_required(form, schemas.UserCreate, USER_FIELDS)
    if request.method == "GET":
        form.tenantId.data = str(me.tenant_id)
        form.roles.data = [str(r.id) for r in choices
                           if r.name == "User" and r.tenant_id == me.tenant_id]
    done = run_form(form, lambda: users.create_user(caller(), form.data_for_domain()),
                    USER_FIELDS)
    if done:
        flash(f"User {done.value.user_name} created.", "success")
        return redirect(url_for("admin.user_list"))
    return render_template("admin/user_form.html", form=form, user=None), form_status(form)


@bp.route("/users/<id:user_id>/edit", methods=["GET", "POST"])
def user_edit(user_id: int):
    user = users.get_user(caller(), user_id)
    current = {"roles": [str(r.id) for r in user.roles],
               "permissions": [str(p.id) for p in user.permissions]}
    form = UserEditForm(data={"userName": user.user_name, **current})
    # A user holds roles of their own tenant only (the domain's rule); offer no others.
    form.set_roles([r for r in roles.all_roles(caller(), Permission.VIEW_USERS)
                    if r.tenant_id == user.tenant_id])
    done = run_form(form, lambda: users.update_user(caller(), user_id,
                                                    form.data_for_domain(current)),
                    USER_FIELDS)
    if done:
        flash(f"User {done.value.user_name} saved.", "success")
        return redirect(url_for("admin.user_list"))
    return render_template("admin/user_form.html", form=form, user=user,
                           toggle=ConfirmForm()), form_status(form)


@bp.route("/users/<id:user_id>/password", methods=["GET", "POST"])
def user_password(user_id: int):
    user = users.get_user(caller(), user_id, purpose=Permission.MODIFY_USERS)
    form = PasswordResetForm()
    mark_required(form, schemas.PasswordReset)
    done = run_form(form, lambda: users.reset_password(
        caller(), user_id, {"newPassword": form.newPassword.data or ""}))
    if done:
        flash(f"Password of {user.user_name} reset.", "success")
        return redirect(url_for("admin.user_edit", user_id=user_id))
    return render_template("admin/user_password.html", form=form, user=user), form_status(form)


@bp.route("/users/<id:user_id>/deactivate", methods=["GET", "POST"])
def user_deactivate(user_id: int):
    user = users.get_user(caller(), user_id, purpose=Permission.MODIFY_USERS)
    form = ConfirmForm()
    if run_form(form, lambda: users.update_user(caller(), user_id, {"statusInfo": {"status": 0}})):
        flash(f"User {user.user_name} deactivated: they can no longer sign in.", "success")
        return redirect(url_for("admin.user_edit", user_id=user_id))
    return render_template("admin/confirm_delete.html", form=form, noun="user",
                           name=user.user_name, verb="Deactivate",
                           warning="They are signed out and can no longer sign in.",
                           cancel=url_for("admin.user_edit", user_id=user_id)), \
        form_status(form)


@bp.route("/users/<id:user_id>/activate", methods=["POST"])
def user_activate(user_id: int):
    user = users.get_user(caller(), user_id, purpose=Permission.MODIFY_USERS)
    form = ConfirmForm()
    if run_form(form, lambda: users.update_user(caller(), user_id, {"statusInfo": {"status": 1}})):
        flash(f"User {user.user_name} activated.", "success")
    return redirect(url_for("admin.user_edit", user_id=user_id))
