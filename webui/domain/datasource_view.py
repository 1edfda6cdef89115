"""The one read type of a data source, and the one function that maps an entity to it."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from webui.domain.rules import PROFILE_OPTION
from webui.models import DataSource


@dataclass(frozen=True, slots=True)
class DataSourceView:
    id: int
    owner_id: int
    name: str
    data_store: int
    description: str
    # Every option as a string, OAuthProfileId among them while a profile is linked.
    options: dict[str, str]
    oauth_profile_id: int | None
    created_at: datetime | None
    updated_at: datetime | None


def view(ds: DataSource) -> DataSourceView:
    options = json.loads(ds.options or "{}")
    if ds.oauth_profile_id is not None:
        options[PROFILE_OPTION] = str(ds.oauth_profile_id)
    return DataSourceView(ds.id, ds.owner_id, ds.name, ds.data_store, ds.description, options,
                          ds.oauth_profile_id, ds.created_at, ds.updated_at)
