"""Use cases for OAuth applications.

Everyone the caller acts for may read and use the applications of their tenant and of the
system tenant (HDP's visibility rule, tenancy.py); only managers (Administrator, or MgmtAPI +
OAuth) register and change them.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import undefer

from webui.domain import audit, events, provider_calls, schemas, tenancy
from webui.domain.caller import Caller
from webui.domain.error_codes import Code
from webui.domain.errors import Conflict, Forbidden, Invalid, NotFound
from webui.domain.pagination import Page, PageRequest, page_of
from webui.domain.permissions import Permission
from webui.domain.principal import Principal
from webui.domain.profile_view import APP_COLUMNS
from webui.domain.transaction import delete_row, unit_of_work
from webui.extensions import db
from webui.infra.prepared import PreparedRead
from webui.models import OAuthApplication, OAuthProfile, Tenant
from webui.models.tenant import SYSTEM_TENANT_ID

NAME_TAKEN = "An OAuth application with this name already exists in this tenant."
# Changing these invalidates tokens issued under the old registration.
_REGISTRATION_FIELDS = {"clientId", "authorizeURI", "tokenURI", "scope"}
_COLUMNS = {"name": "name", "dataStore": "data_store", "description": "description",
            "clientId": "client_id", "clientSecret": "client_secret",
            "authorizeURI": "authorize_uri", "tokenURI": "token_uri", "scope": "scope"}
_MANAGE = (Permission.MGMT_API, Permission.OAUTH)


def may_manage(caller: Caller) -> bool:
    """Administrator (12), or MgmtAPI (11) + OAuth (28)."""
    return caller.actor_may(*_MANAGE)


def require_manager(caller: Caller) -> Principal:
    """Check the actor may manage applications and, when acting for someone, may do so for
    them (on-behalf rule with OAuth (28)); return whom the change is made for.
    Raises Forbidden."""
    if not may_manage(caller):
        raise Forbidden()
    return caller.require(Permission.OAUTH) if caller.on_behalf else caller.subject


def _managed(caller: Caller, subject: Principal, app_id: int, *,
             with_secret: bool = False) -> OAuthApplication:
    """An application the actor may change (HDP 6.4): of the subject's tenant, or of a
    tenant the actor administers (tenancy.py; any, for an Administrator). Raises NotFound."""
    app = _seen(caller, app_id, with_secret=with_secret)
    if app.tenant_id != subject.tenant_id and not tenancy.administers(caller.actor,
                                                                      app.tenant_id):
        raise _not_found(app_id)
    return app


_A = OAuthApplication.__table__.c


def _usable_in(tenant_id):
    """The visibility rule for a tenant id (a value or a bound parameter). On the table's
    columns, so that it serves Core selects (no ORM compilation) as well as ORM ones."""
    return _A.tenant_id.in_([tenant_id, SYSTEM_TENANT_ID])


def usable_by(subject: Principal):
    """SQL condition: the application (its table's columns) is one subject may use (HDP 6.5:
    their tenant's and the system tenant's); for other modules' joins."""
    return _usable_in(subject.tenant_id)


# Built once: it runs on every profile create, where constructing it and generating its
# cache key cost more than the query (bench/ profile of POST /api/mgmt/oauthprofiles).
_USABLE_WHERE = (_A.id == bindparam("app_id"), _usable_in(bindparam("tenant_id")))
_USABLE = select(OAuthApplication).where(*_USABLE_WHERE)
# Through the driver (webui/infra/prepared.py): on SQLite a create then begins no read
# transaction that its write transaction would first have to end.
_USABLE_COLUMNS = PreparedRead(select(*(c.label(n) for n, c in APP_COLUMNS.items()))
                               .where(*_USABLE_WHERE))


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


def usable_application_columns(subject: Principal, app_id: int):
    """As usable_application, but only the columns a profile view carries (profile_view.
    APP_COLUMNS), without loading the entity. Raises Invalid (field oauthAppId)."""
    row = _USABLE_COLUMNS.one_or_none({"app_id": app_id, "tenant_id": subject.tenant_id})
    if row is None:
        raise _unusable(app_id)
    return row


def tenant_filter(caller: Caller, tenant_id: int | None, tenant_name: str | None):
    """The list's condition: applications the subject may use, or (?tenantId= /
    ?tenantName=) those of one tenant the caller may see: the subject's, the system tenant,
    or, for a manager, one the actor administers (HDP 6.5: system-tenant admins see
    child-tenant applications). Raises NotFound (222208573) for any other tenant."""
    subject = caller.subject
    if tenant_name is not None:
        tenant_id = tenancy.tenant_id_named(tenant_name)
    if tenant_id is None:
        return _usable_in(subject.tenant_id)
    seen = tenant_id in (subject.tenant_id, SYSTEM_TENANT_ID) or (
        may_manage(caller) and tenancy.administers(caller.actor, tenant_id))
    if not seen or db.session.get(Tenant, tenant_id) is None:
        raise tenancy.tenant_not_found(tenant_id, "tenantId")
    return _A.tenant_id == tenant_id


def list_applications(caller: Caller, page: PageRequest = PageRequest(), *,
                      tenant_id: int | None = None, tenant_name: str | None = None
                      ) -> Page[OAuthApplication]:
    """Applications the subject may use, or those of one tenant (tenant_filter); read-only
    for non-managers: the door hides secrets. Raises Forbidden, NotFound."""
    caller.require()
    rows = db.session.scalars(
        select(OAuthApplication).where(tenant_filter(caller, tenant_id, tenant_name),
                                       OAuthApplication.id > page.after)
        .order_by(OAuthApplication.id).limit(page.limit + 1)).all()
    return page_of(rows, page)


def applications_for_choice(caller: Caller, *perms: Permission) -> list[OAuthApplication]:
    """All applications the subject may use, by name (for a select box), to an operation
    needing perms. Raises Forbidden."""
    subject = caller.require(*perms)
    return list(db.session.scalars(select(OAuthApplication)
                                   .where(_usable_in(subject.tenant_id))
                                   .order_by(OAuthApplication.name)))


def _one(app_id: int, where, with_secret: bool) -> OAuthApplication:
    query = select(OAuthApplication).where(OAuthApplication.id == app_id, where)
    if with_secret:
        query = query.options(undefer(OAuthApplication.client_secret))
    app = db.session.scalar(query)
    if app is None:
        raise _not_found(app_id)
    return app


def _visible(subject: Principal, app_id: int, *, with_secret: bool = False
             ) -> OAuthApplication:
    """An application the subject may use. Raises NotFound."""
    return _one(app_id, _usable_in(subject.tenant_id), with_secret)


def _seen(caller: Caller, app_id: int, *, with_secret: bool = False) -> OAuthApplication:
    """An application the subject may use or, for a manager, one of a tenant the actor
    administers (HDP 6.5). Raises NotFound."""
    where = _usable_in(caller.subject.tenant_id)
    if may_manage(caller):
        where = or_(where, tenancy.administered(caller.actor, _A.tenant_id))
    return _one(app_id, where, with_secret)


def get_application(caller: Caller, app_id: int, *, with_secret: bool = False
                    ) -> OAuthApplication:
    """Raises NotFound (222207711) unless the caller may see the application (_seen);
    Forbidden when with_secret and the actor does not manage applications."""
    caller.require()
    if with_secret and not may_manage(caller):
        raise Forbidden()
    return _seen(caller, app_id, with_secret=with_secret)


def application_with_secret(subject: Principal, app_id: int) -> OAuthApplication:
    """For the server's own calls to the provider (refresh): the application the subject may
    use, with its client secret. Raises NotFound."""
    return _visible(subject, app_id, with_secret=True)


def _context() -> dict[str, Any]:
    """What the endpoint rule needs from the deployment (schemas.Endpoint)."""
    return {schemas.OUTBOUND_POLICY: provider_calls.policy()}


def create_application(caller: Caller, data: Any) -> OAuthApplication:
    """Register an application. Raises Forbidden, Invalid, Conflict (name taken)."""
    subject = require_manager(caller)
    values = schemas.given(schemas.parse(schemas.AppCreate, data, _context()))
    tenant_id = tenancy.owning_tenant(caller.actor, values.pop("tenantId", None),
                                      subject.tenant_id)
    with unit_of_work(Conflict(NAME_TAKEN, "name")) as session:
        app = OAuthApplication(tenant_id=tenant_id,
                               **{_COLUMNS[k]: v for k, v in values.items()})
        session.add(app)
        session.flush()
        audit.record(caller, "create", "oauthapp", app.id, values)
    return app


def update_application(caller: Caller, app_id: int, data: Any) -> OAuthApplication:
    """Partial update. Raises Forbidden, NotFound, Invalid, Conflict.

    Changing the client id, endpoints or scope marks the application's profiles as needing
    re-authorization: their tokens were issued under the old registration.
    """
    subject = require_manager(caller)
    values = schemas.given(schemas.parse(schemas.AppUpdate, data, _context()))
    app = _managed(caller, subject, app_id, with_secret=True)
    changed = {k for k, v in values.items() if getattr(app, _COLUMNS[k]) != v}
    detail = _registration_change(app, values, changed)
    with unit_of_work(Conflict(NAME_TAKEN, "name")) as session:
        session.add(app)
        for key in changed:
            setattr(app, _COLUMNS[key], values[key])
        if changed & _REGISTRATION_FIELDS:
            # Tokens follow their owner's consent, not the application's latest URL: every
            # profile is blocked (no refresh, no hand-out: refresh.py) until its owner
            # authorizes again through the new endpoints.
            newly_blocked = session.scalars(
                select(OAuthProfile.id).where(OAuthProfile.oauth_app_id == app.id,
                                              OAuthProfile.needs_reauthorization.is_(False))
            ).all()
            session.execute(OAuthProfile.__table__.update()
                            .where(OAuthProfile.oauth_app_id == app.id)
                            .values(needs_reauthorization=True, next_refresh_at=None))
            events.emit(events.NEEDS_REAUTHORIZATION, newly_blocked)
        if changed:
            audit.record(caller, "update", "oauthapp", app.id, changed, detail=detail)
    return app


def _registration_change(app: OAuthApplication, values: dict[str, Any],
                         changed: set[str]) -> str | None:
    """Old and new host of each changed endpoint (for the audit trail; never a secret)."""
    parts = [f"{field} host: {urlsplit(getattr(app, _COLUMNS[field])).hostname} -> "
             f"{urlsplit(values[field]).hostname}"
             for field in ("authorizeURI", "tokenURI") if field in changed]
    parts += [f"{field} changed" for field in ("clientId", "scope") if field in changed]
    return "; ".join(parts) or None


def delete_application(caller: Caller, app_id: int) -> None:
    """Delete an application and, with it (ON DELETE CASCADE), every profile that uses it.

    Raises Forbidden, NotFound.
    """
    subject = require_manager(caller)
    app = _managed(caller, subject, app_id)
    with unit_of_work(Conflict("The application changed meanwhile; retry.")) as session:
        delete_row(session, app)
        audit.record(caller, "delete", "oauthapp", app_id)
