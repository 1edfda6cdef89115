"""Use cases for OAuth profiles. A profile belongs to its owner: to anyone else it does not
exist (NotFound), whatever their permissions, unless they act for the owner (?user=)."""
from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import joinedload, undefer

from webui.domain import audit, rules, schemas
from webui.domain.acting import acting_for
from webui.domain.error_codes import Code
from webui.domain.errors import Conflict, NotFound
from webui.domain.oauthapps import require_usable, usable_application
from webui.domain.pagination import Page, PageRequest, page_of
from webui.domain.permissions import Permission
from webui.domain.principal import Principal
from webui.domain.transaction import delete_row, unit_of_work
from webui.extensions import db
from webui.models import OAuthApplication, OAuthProfile

NAME_TAKEN = "An OAuth profile with this name already exists."


@dataclass(frozen=True)
class TokenIssue:
    """When a provider issued the tokens being stored, and when the access token expires."""
    obtained_at: datetime
    expires_at: datetime | None

    def columns(self) -> dict[str, Any]:
        return {"token_expires_at": self.expires_at, "tokens_refreshed_at": self.obtained_at,
                "needs_reauthorization": False}

    def apply(self, profile: OAuthProfile) -> None:
        for column, value in self.columns().items():
            setattr(profile, column, value)


@dataclass(frozen=True)
class NewProfile:
    """What create_profile wrote (the tokens as given, in clear)."""
    id: int
    owner_id: int
    name: str
    oauth_app_id: int
    description: str
    access_token: str | None
    refresh_token: str | None
    token_expires_at: datetime | None = None
    needs_reauthorization: bool = False


_COLUMNS = {"name": "name", "oauthAppId": "oauth_app_id", "description": "description",
            "accessToken": "access_token", "refreshToken": "refresh_token"}
_TOKEN_FIELDS = {"accessToken", "refreshToken"}


# Reads answer with views: named tuples of the profile's columns under the model's names,
# whether each token is set, and the application's name, endpoints and scope (one query, no
# ORM identity map, no token decrypted unless asked for; a named tuple's fields read several
# times faster than a Row's, which matters at 50 rows a page: bench/). The selects are built
# once with bound parameters: constructing one and generating its cache key cost more than
# running it.
_P, _A = OAuthProfile.__table__.c, OAuthApplication.__table__.c
_VIEW_COLUMNS = {
    "id": _P.id, "name": _P.name, "oauth_app_id": _P.oauth_app_id,
    "description": _P.description, "needs_reauthorization": _P.needs_reauthorization,
    "token_expires_at": _P.token_expires_at, "created_at": _P.created_at,
    "updated_at": _P.updated_at, "has_access_token": _P.access_token.is_not(None),
    "has_refresh_token": _P.refresh_token.is_not(None), "app_name": _A.name,
    "authorize_uri": _A.authorize_uri, "token_uri": _A.token_uri, "scope": _A.scope}
_TOKEN_COLUMNS = {"access_token": _P.access_token, "refresh_token": _P.refresh_token}
ProfileView = namedtuple("ProfileView", _VIEW_COLUMNS)
ProfileWithTokens = namedtuple("ProfileWithTokens", [*_VIEW_COLUMNS, *_TOKEN_COLUMNS])


def _view_select(columns: dict):
    return (select(*(column.label(name) for name, column in columns.items()))
            .join_from(OAuthProfile.__table__, OAuthApplication.__table__,
                       _P.oauth_app_id == _A.id))


_VIEW = _view_select(_VIEW_COLUMNS)
_OWNED_VIEW = (_P.id == bindparam("profile_id"), _P.owner_id == bindparam("owner_id"))
_VIEW_ONE = _VIEW.where(*_OWNED_VIEW)
_VIEW_ONE_WITH_TOKENS = _view_select({**_VIEW_COLUMNS, **_TOKEN_COLUMNS}).where(*_OWNED_VIEW)
# One owner's profiles by id (keyset): WHERE owner_id = ? AND id > ? ORDER BY id LIMIT ?
_PAGE = (_VIEW.where(_P.owner_id == bindparam("owner_id"), _P.id > bindparam("after"))
         .order_by(_P.id).limit(bindparam("limit")))
_INSERT = insert(OAuthProfile.__table__)
# The entity, for use cases that change it.
_OWNED = (select(OAuthProfile).options(joinedload(OAuthProfile.application))
          .where(OAuthProfile.id == bindparam("profile_id"),
                 OAuthProfile.owner_id == bindparam("owner_id")))
_OWNED_WITH_TOKENS = _OWNED.options(undefer(OAuthProfile.access_token),
                                    undefer(OAuthProfile.refresh_token))


def _not_found(profile_id: object) -> NotFound:
    return NotFound(f"Invalid OAuthProfileId: {profile_id}", None, Code.PROFILE_NOT_FOUND)


def owned_profile(subject: Principal, profile_id: int, *, with_tokens: bool = False
                  ) -> OAuthProfile:
    """The subject's profile with this id, its application loaded. Raises NotFound."""
    profile = db.session.scalar(_OWNED_WITH_TOKENS if with_tokens else _OWNED,
                                {"profile_id": profile_id, "owner_id": subject.id})
    if profile is None:
        raise _not_found(profile_id)
    return profile


def list_profiles(actor: Principal, page: PageRequest = PageRequest(), *,
                  for_user: str | None = None, name_contains: str | None = None,
                  app_id: int | None = None) -> Page[ProfileView]:
    """One page of the subject's profiles (ProfileView), oldest first (one query).

    Needs ViewDataSource (2). Raises Forbidden, NotFound (unknown ?user=), Invalid (a
    name_contains with control characters).
    """
    subject = acting_for(actor, for_user, Permission.VIEW_DATA_SOURCE)
    query = _PAGE
    if name_contains:
        rules.check_text(name_contains, "name", rules.NAME_MAX, single_line=True)
        query = query.where(_P.name.contains(name_contains, autoescape=True))
    if app_id is not None:
        query = query.where(_P.oauth_app_id == app_id)
    result = db.session.execute(query, {"owner_id": subject.id, "after": page.after,
                                        "limit": page.limit + 1})
    rows = [ProfileView._make(row) for row in result]
    audit.record_read_for(actor, subject, "oauthprofile")
    return page_of(rows, page)


def get_profile(actor: Principal, profile_id: int, *, for_user: str | None = None,
                with_tokens: bool = False) -> ProfileView | ProfileWithTokens:
    """The profile's view, with its decrypted tokens when with_tokens.

    Needs ViewDataSource (2). Raises Forbidden, NotFound (222207710). A read for another
    user (?user=) is recorded in the audit trail."""
    subject = acting_for(actor, for_user, Permission.VIEW_DATA_SOURCE)
    row = db.session.execute(_VIEW_ONE_WITH_TOKENS if with_tokens else _VIEW_ONE,
                             {"profile_id": profile_id, "owner_id": subject.id}).one_or_none()
    if row is None:
        raise _not_found(profile_id)
    audit.record_read_for(actor, subject, "oauthprofile", profile_id)
    return (ProfileWithTokens if with_tokens else ProfileView)._make(row)


def create_profile(actor: Principal, data: Any, *, for_user: str | None = None,
                   issued: TokenIssue | None = None) -> NewProfile:
    """Create a profile owned by the subject (the actor, or the ?user= they act for).

    ``issued`` (from the authorization flow, never from a request body) records when the
    tokens were obtained and when the access token expires, in the same transaction.
    Needs CreateDataSource (1). Raises Forbidden, Invalid (name rule, unknown or unusable
    oauthAppId with code 222207711, field limits), NotFound (?user=), Conflict (name taken
    by this owner).
    """
    subject = acting_for(actor, for_user, Permission.CREATE_DATA_SOURCE)
    values = schemas.given(schemas.parse(schemas.ProfileCreate, data))
    require_usable(subject, values["oauthAppId"])
    row = {"owner_id": subject.id, "description": "", "access_token": None,
           "refresh_token": None, **{_COLUMNS[k]: v for k, v in values.items()},
           **(issued.columns() if issued is not None else {})}
    with unit_of_work(Conflict(NAME_TAKEN, "name")) as session:
        # A Core INSERT: the ORM's unit-of-work flush was the largest part of a create (bench/).
        profile_id = session.execute(_INSERT, row).inserted_primary_key[0]
        audit.record(actor, "create", "oauthprofile", profile_id, values, subject=subject)
    return NewProfile(profile_id, subject.id, row["name"], row["oauth_app_id"],
                      row["description"], row["access_token"], row["refresh_token"],
                      row.get("token_expires_at"))


def update_profile(actor: Principal, profile_id: int, data: Any, *,
                   for_user: str | None = None, issued: TokenIssue | None = None
                   ) -> OAuthProfile:
    """Partial update: omitted fields (and secrets sent as the mask) keep their values;
    accessToken null clears it. ``issued`` as for create_profile. Moving a profile to another
    application without new tokens marks it as needing re-authorization; new tokens clear
    that mark. Needs ModifyDataSource (3).

    Raises Forbidden, NotFound, Invalid, Conflict.
    """
    subject = acting_for(actor, for_user, Permission.MODIFY_DATA_SOURCE)
    values = schemas.given(schemas.parse(schemas.ProfileUpdate, data))
    profile = owned_profile(subject, profile_id, with_tokens=True)
    changed = {k for k, v in values.items() if getattr(profile, _COLUMNS[k]) != v}
    new_app = usable_application(subject, values["oauthAppId"]) \
        if "oauthAppId" in changed else None
    with unit_of_work(Conflict(NAME_TAKEN, "name")) as session:
        session.add(profile)
        for key in changed - {"oauthAppId"}:
            setattr(profile, _COLUMNS[key], values[key])
        if new_app is not None:
            profile.application = new_app
        if changed & _TOKEN_FIELDS:
            profile.needs_reauthorization = False
        elif new_app is not None:
            # Tokens issued to another client are useless with this one.
            profile.needs_reauthorization = True
        if issued is not None:
            issued.apply(profile)
        if changed:
            audit.record(actor, "update", "oauthprofile", profile.id, changed, subject=subject)
    return profile


def delete_profile(actor: Principal, profile_id: int, *, for_user: str | None = None) -> None:
    """Needs DeleteDataSource (4). Raises Forbidden, NotFound."""
    subject = acting_for(actor, for_user, Permission.DELETE_DATA_SOURCE)
    profile = owned_profile(subject, profile_id)
    with unit_of_work(Conflict("The profile changed meanwhile; retry.")) as session:
        delete_row(session, profile)
        audit.record(actor, "delete", "oauthprofile", profile_id, subject=subject)
