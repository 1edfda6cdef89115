"""Forms of the tenant pages. Field names are the JSON names; no validators."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectMultipleField, StringField, TextAreaField

from webui.admin.binding import numbers


class TenantForm(FlaskForm):
    name = StringField("Name")
    description = TextAreaField("Description")
    active = BooleanField("Active", default=True)

    def data_for_domain(self) -> dict[str, Any]:
        return {"name": self.name.data or "", "description": self.description.data or "",
                "parentTenant": 1, "status": 1 if self.active.data else 0}


class TenantCreateForm(TenantForm):
    importedRoles = SelectMultipleField("Roles to copy into it", coerce=str,
                                        validate_choice=False)
    admins = SelectMultipleField("Administrators", coerce=str, validate_choice=False)

    def set_choices(self, roles, users) -> None:
        self.importedRoles.choices = [SelectChoice(str(r.id), r.name) for r in roles]
        self.admins.choices = [SelectChoice(str(u.id), u.user_name) for u in users]

    def data_for_domain(self) -> dict[str, Any]:
        return {**super().data_for_domain(), "importedRoles": numbers(self.importedRoles.data),
                "admins": numbers(self.admins.data)}


class TenantAdminsForm(FlaskForm):
    admins = SelectMultipleField("Administrators", coerce=str, validate_choice=False)

    def set_choices(self, users) -> None:
        self.admins.choices = [SelectChoice(str(u.id), u.user_name) for u in users]

    def data_for_domain(self) -> dict[str, Any]:
        return {"admins": numbers(self.admins.data)}
