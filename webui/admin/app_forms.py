"""Forms of the OAuth application pages. Field names are the JSON names; no validators."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectChoice, SelectField, StringField, TextAreaField

from webui.admin.binding import number
from webui.domain.datastores import CATALOGUE


def data_store_field() -> SelectField:
    """The data store chooser: every catalogue entry, none chosen at first."""
    return SelectField("Data store", coerce=str, validate_choice=False,
                       choices=[SelectChoice("", "Choose a data store")] + [
                           SelectChoice(str(ds.id), ds.name) for ds in CATALOGUE.values()])


_TEXT = ("name", "description", "clientId", "authorizeURI", "tokenURI", "scope")


class ApplicationForm(FlaskForm):
    name = StringField("Name")
    dataStore = data_store_field()
    description = TextAreaField("Description")
    clientId = StringField("Client id", render_kw={"autocomplete": "off"})
    clientSecret = PasswordField("Client secret", render_kw={"autocomplete": "off"})
    authorizeURI = StringField("Authorize URI", render_kw={"inputmode": "url"})
    tokenURI = StringField("Token URI", render_kw={"inputmode": "url"})
    scope = StringField("Scope")

    def data_for_domain(self) -> dict[str, Any]:
        """The JSON-named values; an empty client secret is omitted (edit: keep it), and so
        is an unchosen data store (the domain then asks for one)."""
        data: dict[str, Any] = {key: self[key].data or "" for key in _TEXT}
        if self.dataStore.data:
            data["dataStore"] = number(self.dataStore.data)
        if self.clientSecret.data:
            data["clientSecret"] = self.clientSecret.data
        return data
