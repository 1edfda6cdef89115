"""Use cases for OAuth profiles. A profile belongs to its owner: to anyone else it does not
exist (NotFound), whatever their permissions, unless they act for the owner (?user=)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, undefer

from webui.domain import audit, rules, schemas
from webui.domain.acting import acting_for
from webui.domain.error_codes import Code
from webui.domain.errors import Conflict, NotFound
from webui.domain.oauthapps import usable_application
from webui.domain.pagination import Page, PageRequest, page_of
from webui.domain.permissions import Permission
from webui.domain.principal import Principal
from webui.domain.transaction import delete_row, unit_of_work
from webui.extensions import db
from webui.models import OAuthProfile

NAME_TAKEN = "An OAuth profile with this name already exists."


@dataclass(frozen=True)
class TokenIssue:
    """When a provider issued the tokens being stored, and when the access token expires."""
    obtained_at: datetime
    expires_at: datetime | None

    def apply(self, profile: OAuthProfile) -> None:
        profile.token_expires_at = self.expires_at
        profile.tokens_refreshed_at = self.obtained_at
        profile.needs_reauthorization = False
_COLUMNS = {"name": "name", "oauthAppId": "oauth_app_id", "description": "description",
            "accessToken": "access_token", "refreshToken": "refresh_token"}
_TOKEN_FIELDS = {"accessToken", "refreshToken"}


# The hot reads, built once with bound parameters: constructing these selects (options
# included) and generating their cache keys cost more than running them (bench/ measured a
# get at ~0.72 ms before, ~0.32 ms after).
_OWNED = (select(OAuthProfile).options(joinedload(OAuthProfile.application))
          .where(OAuthProfile.id == bindparam("profile_id"),
                 OAuthProfile.owner_id == bindparam("owner_id")))
_OWNED_WITH_TOKENS = _OWNED.options(undefer(OAuthProfile.access_token),
                                    undefer(OAuthProfile.refresh_token))
# One owner's profiles by id (keyset): WHERE owner_id = ? AND id > ? ORDER BY id LIMIT ?
_PAGE = (select(OAuthProfile).options(joinedload(OAuthProfile.application))
         .where(OAuthProfile.owner_id == bindparam("owner_id"),
                OAuthProfile.id > bindparam("after"))
         .order_by(OAuthProfile.id).limit(bindparam("limit")))


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
                  app_id: int | None = None) -> Page[OAuthProfile]:
    """One page of the subject's profiles, oldest first, with their applications (one query).

    Needs ViewDataSource (2). Raises Forbidden, NotFound (unknown ?user=), Invalid (a
    name_contains with control characters).
    """
    subject = acting_for(actor, for_user, Permission.VIEW_DATA_SOURCE)
    query = _PAGE
    if name_contains:
        rules.check_text(name_contains, "name", rules.NAME_MAX, single_line=True)
        query = query.where(OAuthProfile.name.contains(name_contains, autoescape=True))
    if app_id is not None:
        query = query.where(OAuthProfile.oauth_app_id == app_id)
    rows = db.session.scalars(query, {"owner_id": subject.id, "after": page.after,
                                      "limit": page.limit + 1}).all()
    audit.record_read_for(actor, subject, "oauthprofile")
    return page_of(rows, page)


def get_profile(actor: Principal, profile_id: int, *, for_user: str | None = None,
                with_tokens: bool = False) -> OAuthProfile:
    """Needs ViewDataSource (2). Raises Forbidden, NotFound (222207710). A read for another
    user (?user=) is recorded in the audit trail."""
    subject = acting_for(actor, for_user, Permission.VIEW_DATA_SOURCE)
    profile = owned_profile(subject, profile_id, with_tokens=with_tokens)
    audit.record_read_for(actor, subject, "oauthprofile", profile_id)
    return profile


def create_profile(actor: Principal, data: Any, *, for_user: str | None = None,
                   issued: TokenIssue | None = None) -> OAuthProfile:
    """Create a profile owned by the subject (the actor, or the ?user= they act for).

    ``issued`` (from the authorization flow, never from a request body) records when the
    tokens were obtained and when the access token expires, in the same transaction.
    Needs CreateDataSource (1). Raises Forbidden, Invalid (name rule, unknown or unusable
    oauthAppId with code 222207711, field limits), NotFound (?user=), Conflict (name taken
    by this owner).
    """
    subject = acting_for(actor, for_user, Permission.CREATE_DATA_SOURCE)
    values = schemas.given(schemas.parse(schemas.ProfileCreate, data))
    app = usable_application(subject, values["oauthAppId"])
    with unit_of_work(Conflict(NAME_TAKEN, "name")) as session:
        profile = OAuthProfile(owner_id=subject.id, application=app,
                               **{_COLUMNS[k]: v for k, v in values.items()})
        if issued is not None:
            issued.apply(profile)
        session.add(profile)
        session.flush()
        audit.record(actor, "create", "oauthprofile", profile.id, values, subject=subject)
    return profile


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
