"""Use cases for data sources: what a data source needs to refer to OAuth (HDP's Data Sources
API, reduced to name, data store, description and options with ``OAuthProfileId``).

A data source belongs to its owner: to anyone else it does not exist (NotFound, 222207004)
unless they act for the owner. Permissions 1/2/3/4 as for profiles (the Management API door
adds MgmtAPI). It may use only a profile of its owner, of an application the owner may use
(HDP 6.5), for the same data store. Deleting the profile unlinks it (the foreign key's ON
DELETE SET NULL: HDP's documented behaviour).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from webui.domain import audit, oauthapps, profiles, rules, schemas
from webui.domain.caller import Caller
from webui.domain.datasource_view import DataSourceView, view
from webui.domain.error_codes import Code
from webui.domain.errors import Conflict, Invalid, NotFound
from webui.domain.pagination import Page, PageRequest, page_of
from webui.domain.permissions import Permission
from webui.domain.principal import Principal
from webui.domain.transaction import delete_row, unit_of_work
from webui.extensions import db
from webui.models import DataSource, OAuthApplication, OAuthProfile

NAME_TAKEN = "A data source with this name already exists."
PROFILE_FIELD = f"options.{rules.PROFILE_OPTION}"
ALL_FOR_CHOICE = PageRequest(limit=1000)


def _not_found(ds_id: object) -> NotFound:
    return NotFound(f"There is no DataSource with that id: {ds_id}.", None,
                    Code.DATA_SOURCE_NOT_FOUND)


def _owned(subject: Principal, ds_id: int) -> DataSource:
    ds = db.session.scalar(select(DataSource).where(DataSource.id == ds_id,
                                                    DataSource.owner_id == subject.id))
    if ds is None:
        raise _not_found(ds_id)
    return ds


def _usable_profiles(subject: Principal):
    """The subject's profiles whose application the subject may use: (id, name, app name,
    data store) rows."""
    return (select(OAuthProfile.id, OAuthProfile.name, OAuthApplication.name.label("app_name"),
                   OAuthApplication.data_store)
            .join(OAuthApplication, OAuthProfile.oauth_app_id == OAuthApplication.id)
            .where(OAuthProfile.owner_id == subject.id, oauthapps.usable_by(subject)))


def _check_profile(subject: Principal, profile_id: int | None, data_store: int) -> None:
    """Raises Invalid (222207710, field options.OAuthProfileId) unless the subject may use
    the profile for a data source of data_store."""
    if profile_id is None:
        return
    row = db.session.execute(_usable_profiles(subject).where(OAuthProfile.id == profile_id)
                             ).one_or_none()
    if row is None or row.data_store != data_store:
        raise Invalid(f"Invalid OAuthProfileId: {profile_id}", PROFILE_FIELD,
                      Code.PROFILE_NOT_FOUND)


def _split(options: dict[str, str]) -> tuple[int | None, str]:
    """(the linked profile id, the other options as stored JSON)."""
    rest = dict(options)
    linked = rest.pop(rules.PROFILE_OPTION, "")
    return (int(linked) if linked else None), json.dumps(rest, sort_keys=True)


def list_data_sources(caller: Caller, page: PageRequest = PageRequest()) -> Page[DataSourceView]:
    """One page of the subject's data sources, oldest first. Needs ViewDataSource (2).
    Raises Forbidden."""
    subject = caller.require(Permission.VIEW_DATA_SOURCE)
    rows = db.session.scalars(select(DataSource).where(DataSource.owner_id == subject.id,
                                                       DataSource.id > page.after)
                              .order_by(DataSource.id).limit(page.limit + 1)).all()
    audit.record_read_for(caller, "datasource")
    return page_of([view(r) for r in rows], page)


def get_data_source(caller: Caller, ds_id: int, *, purpose: Permission | None = None
                    ) -> DataSourceView:
    """Needs 2, and ``purpose`` too when given (the edit and delete pages). Raises
    Forbidden, NotFound (222207004)."""
    subject = caller.require(Permission.VIEW_DATA_SOURCE, *(purpose,) if purpose else ())
    found = view(_owned(subject, ds_id))
    audit.record_read_for(caller, "datasource", ds_id)
    return found


def linked_profile_id(subject: Principal, ds_id: int) -> int | None:
    """The id of the OAuth profile the subject's data source uses (None: none). The one
    step from a data source to its profile (the token endpoint builds on it; the caller's
    permissions are checked by the use case calling it). Raises NotFound (222207004)."""
    found = db.session.execute(select(DataSource.oauth_profile_id).where(
        DataSource.id == ds_id, DataSource.owner_id == subject.id)).one_or_none()
    if found is None:
        raise _not_found(ds_id)
    return found[0]


def create_data_source(caller: Caller, data: Any) -> DataSourceView:
    """Needs CreateDataSource (1). Raises Forbidden, Invalid (name rule, options, a profile
    the owner may not use: 222207710), Conflict (name taken by this owner)."""
    subject = caller.require(Permission.CREATE_DATA_SOURCE)
    model = schemas.parse(schemas.DataSourceCreate, data)
    profile_id, options = _split(model.options)
    _check_profile(subject, profile_id, model.dataStore)
    with unit_of_work(Conflict(NAME_TAKEN, "name")) as session:
        ds = DataSource(owner_id=subject.id, name=model.name, data_store=model.dataStore,
                        description=model.description, options=options,
                        oauth_profile_id=profile_id)
        session.add(ds)
        session.flush()
        audit.record(caller, "create", "datasource", ds.id, model.model_fields_set)
    return view(ds)


def update_data_source(caller: Caller, ds_id: int, data: Any) -> DataSourceView:
    """Partial update; ``options``, when sent, replaces every option (leaving OAuthProfileId
    out unlinks the profile). Needs ModifyDataSource (3). Raises Forbidden, NotFound,
    Invalid, Conflict."""
    subject = caller.require(Permission.MODIFY_DATA_SOURCE)
    values = schemas.given(schemas.parse(schemas.DataSourceUpdate, data))
    ds = _owned(subject, ds_id)
    columns = {"name": values.get("name", ds.name),
               "data_store": values.get("dataStore", ds.data_store),
               "description": values.get("description", ds.description),
               "oauth_profile_id": ds.oauth_profile_id, "options": ds.options}
    if "options" in values:
        columns["oauth_profile_id"], columns["options"] = _split(values["options"])
    changed = {k for k, v in columns.items() if getattr(ds, k) != v}
    if changed & {"oauth_profile_id", "data_store"}:
        _check_profile(subject, columns["oauth_profile_id"], columns["data_store"])
    with unit_of_work(Conflict(NAME_TAKEN, "name")) as session:
        session.add(ds)
        for key in changed:
            setattr(ds, key, columns[key])
        if changed:
            audit.record(caller, "update", "datasource", ds.id, changed)
    return view(ds)


def delete_data_source(caller: Caller, ds_id: int) -> None:
    """Needs DeleteDataSource (4). Raises Forbidden, NotFound."""
    subject = caller.require(Permission.DELETE_DATA_SOURCE)
    ds = _owned(subject, ds_id)
    with unit_of_work(Conflict("The data source changed meanwhile; retry.")) as session:
        delete_row(session, ds)
        audit.record(caller, "delete", "datasource", ds_id)


@dataclass(frozen=True)
class ProfileStats:
    data_store: int
    data_sources: list[DataSourceView]


def profile_stats(caller: Caller, profile_id: int) -> ProfileStats:
    """HDP's profile statistics: the profile's data store and the data sources linked to it.
    Needs ViewDataSource (2). Raises Forbidden, NotFound (222207710)."""
    subject = caller.require(Permission.VIEW_DATA_SOURCE)
    data_store = db.session.scalar(
        select(OAuthApplication.data_store)
        .join(OAuthProfile, OAuthProfile.oauth_app_id == OAuthApplication.id)
        .where(OAuthProfile.id == profile_id, OAuthProfile.owner_id == subject.id))
    if data_store is None:
        raise profiles.not_found(profile_id)
    linked = db.session.scalars(select(DataSource).where(DataSource.oauth_profile_id
                                                         == profile_id).order_by(DataSource.id))
    return ProfileStats(data_store, [view(d) for d in linked])


def profiles_for_choice(caller: Caller, *perms: Permission) -> list:
    """The profiles a data source of the subject may use, by name, with their application's
    name and data store (for a select box), to an operation needing perms. Raises
    Forbidden."""
    subject = caller.require(*perms)
    return list(db.session.execute(_usable_profiles(subject).order_by(OAuthProfile.name)))
