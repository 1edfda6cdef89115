"""Use cases for OAuth profiles. A profile belongs to its owner: to anyone else it does not
exist (NotFound), whatever their permissions, unless they act for the owner (?user=).

Every use case takes the request's Caller and answers with the one read type, ProfileView
(webui/domain/profile_view.py); the ORM entity is used only to change a row.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Sequence

from flask import current_app
from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import joinedload, undefer

from webui.domain import audit, events, profile_view, rules, schemas
from webui.domain.caller import Caller
from webui.domain.error_codes import Code
from webui.domain.errors import Conflict, Invalid, NotFound
from webui.domain.oauthapps import usable_application, usable_application_columns
from webui.domain.pagination import Page, PageRequest, page_of
from webui.domain.permissions import Permission
from webui.domain.principal import Principal
from webui.domain.profile_view import ProfileView
from webui.domain.transaction import core_unit_of_work, delete_row, unit_of_work
from webui.extensions import db
from webui.infra.prepared import PreparedInsert, PreparedRead
from webui.models import OAuthProfile
from webui.models.columns import utcnow
from webui.models.names import name_key

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


_COLUMNS = {"name": "name", "oauthAppId": "oauth_app_id", "description": "description",
            "accessToken": "access_token", "refreshToken": "refresh_token"}
_TOKEN_FIELDS = {"accessToken", "refreshToken"}

_P = OAuthProfile.__table__.c
# One profile of one owner (read), run through the driver (webui/infra/prepared.py).
_ONE = PreparedRead(profile_view.ONE)
_ONE_WITH_TOKENS = PreparedRead(profile_view.ONE_WITH_TOKENS)
# One owner's profiles by id (keyset): WHERE owner_id = ? AND id > ? ORDER BY id LIMIT ?
_PAGE = (profile_view.VIEWS.where(_P.owner_id == bindparam("owner_id"),
                                  _P.id > bindparam("after"))
         .order_by(_P.id).limit(bindparam("limit")))
_PAGE_READ = PreparedRead(_PAGE)  # the list as most clients ask for it: no filter, no sort
_INSERT = PreparedInsert(OAuthProfile.__table__)
# The entity, for use cases that change it.
_OWNED = (select(OAuthProfile).options(joinedload(OAuthProfile.application))
          .where(OAuthProfile.id == bindparam("profile_id"),
                 OAuthProfile.owner_id == bindparam("owner_id")))
_OWNED_WITH_TOKENS = _OWNED.options(undefer(OAuthProfile.access_token),
                                    undefer(OAuthProfile.refresh_token))


def not_found(profile_id: object) -> NotFound:
    return NotFound(f"Invalid OAuthProfileId: {profile_id}", None, Code.PROFILE_NOT_FOUND)


def owned_profile(subject: Principal, profile_id: int, *, with_tokens: bool = False
                  ) -> OAuthProfile:
    """The subject's profile entity (to change it), its application loaded. Raises
    NotFound."""
    profile = db.session.scalar(_OWNED_WITH_TOKENS if with_tokens else _OWNED,
                                {"profile_id": profile_id, "owner_id": subject.id})
    if profile is None:
        raise not_found(profile_id)
    return profile


def read(subject: Principal, profile_id: int, *, with_tokens: bool = False) -> ProfileView:
    """The subject's profile as a view (one query). Raises NotFound."""
    row = (_ONE_WITH_TOKENS if with_tokens else _ONE).one_or_none(
        {"profile_id": profile_id, "owner_id": subject.id})
    if row is None:
        raise not_found(profile_id)
    return profile_view.view(row)


# ?sort= of the list: the column each key orders by (a missing expiry sorts last).
_FAR_FUTURE = datetime(9999, 12, 31, tzinfo=timezone.utc)
SORTS = {"name": _P.name, "created": _P.id, "updated": _P.updated_at,
         "tokenExpiresAt": func.coalesce(_P.token_expires_at, _FAR_FUTURE)}
SORT_KEYS = tuple(k for key in SORTS for k in (key, f"-{key}"))


def _sorted(query, sort: str, after: int, owner_id: int):
    """Order by sort (then id) and start after the row with id ``after``, comparing with that
    row's own sort value (read in the same statement), so the cursor stays an id."""
    descending = sort.startswith("-")
    column = SORTS[sort.lstrip("-")]
    query = query.order_by(column.desc() if descending else column,
                           _P.id.desc() if descending else _P.id)
    if after:
        mark = select(column).where(_P.id == after, _P.owner_id == owner_id).scalar_subquery()
        beyond, next_id = (column < mark, _P.id < after) if descending else \
            (column > mark, _P.id > after)
        query = query.where(or_(beyond, and_(column == mark, next_id)))
    return query


def list_profiles(caller: Caller, page: PageRequest = PageRequest(), *,
                  name_contains: str | None = None, app_id: int | None = None,
                  statuses: Sequence[str] = (), sort: str | None = None
                  ) -> Page[ProfileView]:
    """One page of the subject's profiles (one query): oldest first, or by ``sort`` (one of
    SORT_KEYS; "-" for descending), only those whose status is in ``statuses`` when given.

    Needs ViewDataSource (2). Raises Forbidden, Invalid (an unknown status or sort, a
    name_contains with control characters). A read for another user is recorded in the audit
    trail.
    """
    subject = caller.require(Permission.VIEW_DATA_SOURCE)
    unknown = [s for s in statuses if s not in profile_view.STATUSES]
    if unknown:
        raise Invalid(f"Unknown status {unknown[0]!r}; known: "
                      f"{', '.join(profile_view.STATUSES)}.", "status")
    if sort is not None and sort not in SORT_KEYS:
        raise Invalid(f"Unknown sort {sort!r}; known: {', '.join(SORT_KEYS)}.", "sort")
    if sort is None:
        query = _PAGE
    else:
        query = _sorted(profile_view.VIEWS.where(_P.owner_id == bindparam("owner_id"))
                        .limit(bindparam("limit")), sort, page.after, subject.id)
    if name_contains:
        rules.check_text(name_contains, "name", rules.NAME_MAX, single_line=True)
        query = query.where(_P.name.contains(name_contains, autoescape=True))
    if app_id is not None:
        query = query.where(_P.oauth_app_id == app_id)
    if statuses:
        now, margin = utcnow(), timedelta(seconds=current_app.config["TOKEN_MIN_TTL_SECONDS"])
        query = query.where(or_(*(profile_view.status_condition(s, now, margin)
                                  for s in statuses)))
    params = {"owner_id": subject.id, "limit": page.limit + 1}
    if sort is None:
        params["after"] = page.after
    found = _PAGE_READ.all(params) if query is _PAGE else db.session.execute(query, params)
    rows = [profile_view.view(row) for row in found]
    audit.record_read_for(caller, "oauthprofile")
    return page_of(rows, page)


def get_profile(caller: Caller, profile_id: int, *, with_tokens: bool = False,
                purpose: Permission | None = None) -> ProfileView:
    """The profile, with its decrypted tokens when with_tokens.

    Needs ViewDataSource (2), and ``purpose`` too when given (the permission of what the
    reader is about to do with it: the edit and delete pages). Raises Forbidden, NotFound
    (222207710). A read for another user (?user=) is recorded in the audit trail."""
    subject = caller.require(Permission.VIEW_DATA_SOURCE, *(purpose,) if purpose else ())
    found = read(subject, profile_id, with_tokens=with_tokens)
    audit.record_read_for(caller, "oauthprofile", profile_id)
    return found


def create_profile(caller: Caller, data: Any, *, issued: TokenIssue | None = None
                   ) -> ProfileView:
    """Create a profile owned by the subject (the actor, or the user they act for).

    ``issued`` (from the authorization flow, never from a request body) records when the
    tokens were obtained and when the access token expires, in the same transaction. Answers
    with the values written (the tokens as given, in clear: HDP's create response echoes them).
    Needs CreateDataSource (1). Raises Forbidden, Invalid (name rule, unknown or unusable
    oauthAppId with code 222207711, field limits), Conflict (name taken by this owner).
    """
    subject = caller.require(Permission.CREATE_DATA_SOURCE)
    values = schemas.given(schemas.parse(schemas.ProfileCreate, data))
    app = usable_application_columns(subject, values["oauthAppId"])
    now = utcnow()
    row = {"owner_id": subject.id, "description": "", "access_token": None,
           "refresh_token": None, "needs_reauthorization": False, "token_expires_at": None,
           "tokens_refreshed_at": None, "created_at": now, "updated_at": now,
           "last_refresh_error": None, "refresh_failures": 0, "next_refresh_at": None,
           "last_used_at": None,
           **{_COLUMNS[k]: v for k, v in values.items()},
           **(issued.columns() if issued is not None else {})}
    row["name_key"] = name_key(row["name"])  # a prepared INSERT runs no column default
    # Prepared INSERTs: the ORM's unit-of-work flush was the largest part of a create, the
    # request's Session, which a create does not otherwise need, a large part of the rest,
    # and SQLAlchemy's execution context half of what remained of each INSERT (bench/).
    with core_unit_of_work(Conflict(NAME_TAKEN, "name")) as connection:
        row["id"] = _INSERT.insert(connection, row)
        audit.record(caller, "create", "oauthprofile", row["id"], values,
                     connection=connection)
        if issued is not None:  # the authorization flow completed
            events.emit(events.AUTHORIZED, [row["id"]], issued.obtained_at,
                        connection=connection)
    row.update(app._asdict(), has_access_token=row["access_token"] is not None,
               has_refresh_token=row["refresh_token"] is not None)
    return profile_view.view([row[name] for name in profile_view.FIELDS])


def update_profile(caller: Caller, profile_id: int, data: Any, *,
                   issued: TokenIssue | None = None, with_tokens: bool = False
                   ) -> ProfileView:
    """Partial update: omitted fields (and secrets sent as the mask) keep their values;
    accessToken null clears it. ``issued`` as for create_profile. Moving a profile to another
    application without new tokens marks it as needing re-authorization; new tokens clear
    that mark. Answers with the profile as stored (tokens decrypted when with_tokens).
    Needs ModifyDataSource (3).

    Raises Forbidden, NotFound, Invalid, Conflict.
    """
    subject = caller.require(Permission.MODIFY_DATA_SOURCE)
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
            if not profile.needs_reauthorization:
                events.emit(events.NEEDS_REAUTHORIZATION, [profile.id])
            profile.needs_reauthorization = True
        if issued is not None:  # the authorization flow completed
            issued.apply(profile)
            events.emit(events.AUTHORIZED, [profile.id], issued.obtained_at)
        if changed:
            audit.record(caller, "update", "oauthprofile", profile.id, changed)
    return read(subject, profile_id, with_tokens=with_tokens)


def delete_profile(caller: Caller, profile_id: int) -> None:
    """Needs DeleteDataSource (4). Raises Forbidden, NotFound."""
    subject = caller.require(Permission.DELETE_DATA_SOURCE)
    profile = owned_profile(subject, profile_id)
    with unit_of_work(Conflict("The profile changed meanwhile; retry.")) as session:
        delete_row(session, profile)
        audit.record(caller, "delete", "oauthprofile", profile_id)
