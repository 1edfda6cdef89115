"""Form of the webhook pages. No validators: the domain decides."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (BooleanField, SelectChoice, SelectMultipleField, StringField,
                     TextAreaField)

from webui.domain.events import EVENT_TYPES


# The domain's field names, where the form's differ ("url" would shadow test helpers' and
# WTForms' own arguments).
FIELDS = {"url": "endpoint_url"}


class WebhookForm(FlaskForm):
    endpoint_url = StringField("URL")
    events = SelectMultipleField("Events", coerce=str, validate_choice=False,
                                 choices=[SelectChoice(t, t) for t in EVENT_TYPES])
    description = TextAreaField("Description")
    active = BooleanField("Active", default=True)

    def data_for_domain(self) -> dict[str, Any]:
        return {"url": self.endpoint_url.data or "", "events": list(self.events.data or []),
                "description": self.description.data or "", "active": bool(self.active.data)}
