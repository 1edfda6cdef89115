"""Use cases for OAuth applications."""
from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.orm import undefer

from webui.domain import audit, rules, schemas, tenancy
from webui.domain.acting import acting_for
from webui.domain.error_codes import Code
from webui.domain.errors import Conflict, Forbidden, Invalid, NotFound
from webui.domain.pagination import Page, PageRequest, page_of
from webui.domain.permissions import Permission, has_all, has_permission
from webui.domain.principal import Principal
from webui.domain.transaction import delete_row, unit_of_work
from webui.extensions import db
from webui.models import OAuthApplication, OAuthProfile
from webui.models.tenant import SYSTEM_TENANT_ID

NAME_TAKEN = "An OAuth application with this name already exists in this tenant."
# Changing these invalidates tokens issued under the old registration.
_REGISTRATION_FIELDS = {"clientId", "authorizeURI", "tokenURI", "scope"}
_COLUMNS = {"name": "name", "dataStore": "data_store", "description": "description",
            "clientId": "client_id", "clientSecret": "client_secret",
            "authorizeURI": "authorize_uri", "tokenURI": "token_uri", "scope": "scope"}


def may_manage(actor: Principal) -> bool:
    """Administrator (12), or MgmtAPI (11) + OAuth (28)."""
    return has_permission(actor, Permission.ADMINISTRATOR) or has_all(
        actor, (Permission.MGMT_API, Permission.OAUTH))


def _manager(actor: Principal, for_user: str | None) -> Principal:
    """Check the actor may manage applications; return whom the change is made for."""
    if not may_manage(actor):
        raise Forbidden()
    return acting_for(actor, for_user, Permission.OAUTH) if for_user else actor


def _managed(actor: Principal, subject: Principal, app_id: int, *,
             with_secret: bool = False) -> OAuthApplication:
    """An application the actor may change: of the subject's tenant (any, for an
    Administrator). Raises NotFound."""
    app = get_application(subject, app_id, with_secret=with_secret)
    if app.tenant_id != subject.tenant_id and not has_permission(actor, Permission.ADMINISTRATOR):
        raise _not_found(app_id)
    return app


def _usable_by(subject: Principal):
    """Apps of the subject's tenant and of the system tenant (HDP's visibility rule)."""
    return _usable_in(subject.tenant_id)


_A = OAuthApplication.__table__.c


def _usable_in(tenant_id):
    """The visibility rule for a tenant id (a value or a bound parameter). On the table's
    columns, so that it serves Core selects (no ORM compilation) as well as ORM ones."""
    return _A.tenant_id.in_([tenant_id, SYSTEM_TENANT_ID])


# Built once: it runs on every profile create, where constructing it and generating its
# cache key cost more than the query (bench/ profile of POST /api/mgmt/oauthprofiles).
_USABLE_WHERE = (_A.id == bindparam("app_id"), _usable_in(bindparam("tenant_id")))
_USABLE = select(OAuthApplication).where(*_USABLE_WHERE)
_USABLE_ID = select(_A.id).where(*_USABLE_WHERE)


def _not_found(app_id: object, field: str | None = None) -> NotFound:
    return NotFound(f"Invalid OAuthApplicationId: {app_id}", field, Code.APPLICATION_NOT_FOUND)


def _unusable(app_id: object) -> Invalid:
    return Invalid(f"Invalid OAuthApplicationId: {app_id}", "oauthAppId",
                   Code.APPLICATION_NOT_FOUND)


def usable_application(subject: Principal, app_id: int) -> OAuthApplication:
    """The application subject may use for a profile. Raises Invalid (field oauthAppId)."""
    app = db.session.scalar(_USABLE, {"app_id": app_id, "tenant_id": subject.tenant_id})
    if app is None:
        raise _unusable(app_id)
    return app


def require_usable(subject: Principal, app_id: int) -> None:
    """As usable_application, without loading the application."""
    if db.session.scalar(_USABLE_ID, {"app_id": app_id, "tenant_id": subject.tenant_id}) is None:
        raise _unusable(app_id)


def list_applications(actor: Principal, page: PageRequest = PageRequest(),
                      for_user: str | None = None) -> Page[OAuthApplication]:
    """Applications the subject may use (read-only for non-managers: the door hides secrets)."""
    subject = acting_for(actor, for_user)
    rows = db.session.scalars(
        select(OAuthApplication).where(_usable_by(subject), OAuthApplication.id > page.after)
        .order_by(OAuthApplication.id).limit(page.limit + 1)).all()
    return page_of(rows, page)


def applications_for_choice(subject: Principal) -> list[OAuthApplication]:
    """All applications subject may use, by name (for a select box)."""
    return list(db.session.scalars(select(OAuthApplication).where(_usable_by(subject))
                                   .order_by(OAuthApplication.name)))


def get_application(actor: Principal, app_id: int, for_user: str | None = None,
                    *, with_secret: bool = False) -> OAuthApplication:
    """Raises NotFound (222207711) unless the subject may use the application."""
    subject = acting_for(actor, for_user)
    query = select(OAuthApplication).where(OAuthApplication.id == app_id, _usable_by(subject))
    if with_secret:
        query = query.options(undefer(OAuthApplication.client_secret))
    app = db.session.scalar(query)
    if app is None:
        raise _not_found(app_id)
    return app


def _check_endpoints(values: dict[str, Any]) -> None:
    allow = current_app.config["ALLOW_HTTP_LOOPBACK_OAUTH"]
    for field in ("authorizeURI", "tokenURI"):
        if field in values:
            rules.check_endpoint(values[field], field, allow_http_loopback=allow)


def create_application(actor: Principal, data: Any,
                       for_user: str | None = None) -> OAuthApplication:
    """Register an application. Raises Forbidden, Invalid, Conflict (name taken)."""
    subject = _manager(actor, for_user)
    values = schemas.given(schemas.parse(schemas.AppCreate, data))
    _check_endpoints(values)
    tenant_id = tenancy.owning_tenant(actor, values.pop("tenantId", None), subject.tenant_id)
    with unit_of_work(Conflict(NAME_TAKEN, "name")) as session:
        app = OAuthApplication(tenant_id=tenant_id,
                               **{_COLUMNS[k]: v for k, v in values.items()})
        session.add(app)
        session.flush()
        audit.record(actor, "create", "oauthapp", app.id, values, subject=subject)
    return app


def update_application(actor: Principal, app_id: int, data: Any,
                       for_user: str | None = None) -> OAuthApplication:
    """Partial update. Raises Forbidden, NotFound, Invalid, Conflict.

    Changing the client id, endpoints or scope marks the application's profiles as needing
    re-authorization: their tokens were issued under the old registration.
    """
    subject = _manager(actor, for_user)
    values = schemas.given(schemas.parse(schemas.AppUpdate, data))
    _check_endpoints(values)
    app = _managed(actor, subject, app_id, with_secret=True)
    changed = {k for k, v in values.items() if getattr(app, _COLUMNS[k]) != v}
    with unit_of_work(Conflict(NAME_TAKEN, "name")) as session:
        session.add(app)
        for key in changed:
            setattr(app, _COLUMNS[key], values[key])
        if changed & _REGISTRATION_FIELDS:
            session.execute(OAuthProfile.__table__.update()
                            .where(OAuthProfile.oauth_app_id == app.id)
                            .values(needs_reauthorization=True))
        if changed:
            audit.record(actor, "update", "oauthapp", app.id, changed, subject=subject)
    return app


def delete_application(actor: Principal, app_id: int, for_user: str | None = None) -> None:
    """Delete an application and, with it (ON DELETE CASCADE), every profile that uses it.

    Raises Forbidden, NotFound.
    """
    subject = _manager(actor, for_user)
    app = _managed(actor, subject, app_id)
    with unit_of_work(Conflict("The application changed meanwhile; retry.")) as session:
        delete_row(session, app)
        audit.record(actor, "delete", "oauthapp", app_id, subject=subject)

