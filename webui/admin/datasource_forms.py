"""Forms of the data source pages. Field names are the JSON names; no validators: the domain
decides, and its errors are shown next to these fields."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField, TextAreaField

from webui.admin.app_forms import data_store_field
from webui.admin.binding import number
from webui.domain.datastores import CATALOGUE
from webui.domain.rules import PROFILE_OPTION

# Domain error field -> form field, where the JSON shape nests.
DATA_SOURCE_FIELDS = {f"options.{PROFILE_OPTION}": "oauthProfileId"}


def options_text(options: dict[str, str]) -> str:
    """The options other than the profile, one ``name=value`` per line."""
    return "\n".join(f"{k}={v}" for k, v in sorted(options.items()) if k != PROFILE_OPTION)


class DataSourceForm(FlaskForm):
    name = StringField("Name")
    dataStore = data_store_field()
    description = TextAreaField("Description")
    oauthProfileId = SelectField("OAuth profile", coerce=str, validate_choice=False)
    options = TextAreaField("Other options (one name=value per line)")

    def set_profiles(self, rows) -> None:
        self.oauthProfileId.choices = [SelectChoice("", "No OAuth profile")] + [
            SelectChoice(str(r.id), f"{r.name} ({r.app_name}, "
                         f"{CATALOGUE[r.data_store].name if r.data_store in CATALOGUE else r.data_store})")
            for r in rows]

    def data_for_domain(self) -> dict[str, Any]:
        """The JSON-named values: the lines of the options box become options (a line
        without "=" becomes an option with an empty value, for the domain to judge), the
        chosen profile becomes OAuthProfileId."""
        options: dict[str, Any] = {}
        for line in (self.options.data or "").splitlines():
            if line.strip():
                key, _, value = line.partition("=")
                options[key.strip()] = value.strip()
        if self.oauthProfileId.data:
            options[PROFILE_OPTION] = self.oauthProfileId.data
        return {"name": self.name.data or "", "dataStore": number(self.dataStore.data),
                "description": self.description.data or "", "options": options}
