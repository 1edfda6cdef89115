"""Forms of the user and acting-on-behalf pages. No validators: the domain decides."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (BooleanField, PasswordField, SelectChoice, SelectField,
                     SelectMultipleField, StringField)

from webui.admin.binding import number, numbers
from webui.domain.permissions import CATALOGUE

NEW_PASSWORD = {"autocomplete": "new-password"}
# Domain error field -> form field, where the JSON shape nests.
USER_FIELDS = {"passwordInfo": "password", "statusInfo": "active", "permissions": "roles"}


def permission_choices() -> list[SelectChoice]:
    """Every HDP permission, labelled with its HDP name and number."""
    return [SelectChoice(str(int(p)), f"{name} ({int(p)})") for p, (name, _) in CATALOGUE.items()]


class GrantsForm(FlaskForm):
    roles = SelectMultipleField("Roles", coerce=str, validate_choice=False)
    permissions = SelectMultipleField("Explicit permissions", coerce=str,
                                      validate_choice=False)

    def set_roles(self, roles, tenants: dict[int, str] | None = None) -> None:
        """Roles to choose from; labelled with their tenant when they come from several."""
        several = len({r.tenant_id for r in roles}) > 1
        names = tenants or {}

        def label(role) -> str:
            return f"{role.name} ({names.get(role.tenant_id, role.tenant_id)})" \
                if several else role.name
        self.roles.choices = [SelectChoice(str(r.id), label(r)) for r in roles]
        self.permissions.choices = permission_choices()

    def grants(self) -> dict[str, list]:
        return {"roles": numbers(self.roles.data), "permissions": numbers(self.permissions.data)}


class UserCreateForm(GrantsForm):
    userName = StringField("User name", render_kw={"autocomplete": "off"})
    tenantId = SelectField("Tenant", coerce=str, validate_choice=False)
    password = PasswordField("Password", render_kw=NEW_PASSWORD)
    active = BooleanField("Active (may sign in)", default=True)

    def set_tenants(self, tenants: dict[int, str]) -> None:
        self.tenantId.choices = [SelectChoice(str(i), name) for i, name in tenants.items()]

    def data_for_domain(self) -> dict[str, Any]:
        """The JSON-named values; without a tenant chosen (the page offers no choice when the
        actor administers one tenant), the domain's default: the actor's."""
        data = {"userName": self.userName.data or "",
                "statusInfo": {"status": 1 if self.active.data else 0},
                "passwordInfo": {"password": self.password.data or ""},
                "permissions": self.grants()}
        if self.tenantId.data:
            data["tenantId"] = number(self.tenantId.data)
        return data


class UserEditForm(GrantsForm):
    userName = StringField("User name", render_kw={"autocomplete": "off"})

    def data_for_domain(self, current: dict[str, list]) -> dict[str, Any]:
        """Grants are sent only when they changed, so renaming oneself stays possible
        (the domain forbids changing one's own grants)."""
        data: dict[str, Any] = {"userName": self.userName.data or ""}
        grants = self.grants()
        if {k: sorted(map(str, v)) for k, v in grants.items()} != \
                {k: sorted(map(str, v)) for k, v in current.items()}:
            data["permissions"] = grants
        return data


class PasswordResetForm(FlaskForm):
    newPassword = PasswordField("New password", render_kw=NEW_PASSWORD)


class ActingForm(FlaskForm):
    user = StringField("User name", render_kw={"autocomplete": "off", "list": "user-names"})

    def user_name(self) -> str:
        return (self.user.data or "").strip()




class PasswordChangeForm(FlaskForm):
    currentPassword = PasswordField("Current password",
                                    render_kw={"autocomplete": "current-password"})
    newPassword = PasswordField("New password", render_kw=NEW_PASSWORD)

    def data_for_domain(self) -> dict[str, Any]:
        return {"currentPassword": self.currentPassword.data or "",
                "newPassword": self.newPassword.data or ""}
