"""OAuth-capable data stores (HDP's ids). Unknown ids are refused."""
from __future__ import annotations

from dataclasses import dataclass

from webui.domain.errors import Invalid


@dataclass(frozen=True)
class DataStore:
    id: int
    name: str
    google: bool = False  # Google needs access_type=offline and prompt=consent for a refresh token


CATALOGUE: dict[int, DataStore] = {
    ds.id: ds for ds in (
        DataStore(54, "Google Analytics", google=True),
        DataStore(62, "Google BigQuery", google=True),
        DataStore(1, "Salesforce"),
        DataStore(63, "Autonomous REST Connector"),
    )
}


def check_data_store(value: object, field: str = "dataStore") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid("Data store must be an integer id.", field)
    if value not in CATALOGUE:
        known = ", ".join(f"{d.id} ({d.name})" for d in CATALOGUE.values())
        raise Invalid(f"Unknown data store {value}; known: {known}.", field)
    return value
