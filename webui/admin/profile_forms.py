"""Forms of the OAuth profile pages. Field names are the JSON names; no validators: the
domain's use cases decide, and their errors are shown next to these fields."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (BooleanField, HiddenField, PasswordField, SelectChoice, SelectField,
                     SelectMultipleField, StringField, TextAreaField)

from webui.admin.binding import number, numbers

SECRET = {"autocomplete": "off"}


class ProfileForm(FlaskForm):
    name = StringField("Name")
    oauthAppId = SelectField("OAuth application", coerce=str, validate_choice=False)
    description = TextAreaField("Description")
    accessToken = PasswordField("Access token", render_kw=SECRET)
    refreshToken = PasswordField("Refresh token", render_kw=SECRET)

    def set_applications(self, apps) -> None:
        self.oauthAppId.choices = [SelectChoice("", "Choose an application")] + [
            SelectChoice(str(a.id), a.name) for a in apps]

    def data_for_domain(self) -> dict[str, Any]:
        """The JSON-named values. Empty secret fields and an unchosen application are
        omitted (create: not given, the domain asks for them; edit: keep the stored value)."""
        data: dict[str, Any] = {"name": self.name.data or "",
                                "description": self.description.data or ""}
        if self.oauthAppId.data:
            data["oauthAppId"] = number(self.oauthAppId.data)
        for key in ("accessToken", "refreshToken"):
            if self[key].data:
                data[key] = self[key].data
        return data


class ProfileEditForm(ProfileForm):
    clearAccessToken = BooleanField("Remove the stored access token")

    def data_for_domain(self) -> dict[str, Any]:
        data = super().data_for_domain()
        if self.clearAccessToken.data and "accessToken" not in data:
            data["accessToken"] = None  # the API's explicit "clear"
        return data


class BulkForm(FlaskForm):
    """Profiles chosen on the list, and what to do with them (test or delete)."""
    ids = SelectMultipleField("Profiles", coerce=str, validate_choice=False)
    action = HiddenField("Action")

    def chosen(self) -> list:
        return numbers(self.ids.data)
