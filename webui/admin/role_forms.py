"""Form of the custom role pages. No validators: the domain decides."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, TextAreaField

from webui.admin.binding import numbers
from webui.admin.user_forms import permission_choices


class RoleForm(FlaskForm):
    name = StringField("Name")
    description = TextAreaField("Description")
    permissions = SelectMultipleField("Permissions", coerce=str, validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.permissions.choices = permission_choices()

    def data_for_domain(self) -> dict[str, Any]:
        return {"name": self.name.data or "", "description": self.description.data or "",
                "permissions": numbers(self.permissions.data)}
