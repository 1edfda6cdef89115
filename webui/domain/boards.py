"""The pages' status boards of profiles, applications and users (webui/domain/board.py):
each with the same permission and visibility rule as its list use case, a total, sortable
columns, newest first by default, and a search over name and description.
"""
from __future__ import annotations

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import selectinload

from webui.domain import audit, profile_view, rules, tenancy, tokens
from webui.domain.board import Board, BoardRequest, read_board
from webui.domain.caller import Caller
from webui.domain.errors import Invalid
from webui.domain.oauthapps import may_manage, tenant_filter
from webui.domain.permissions import Permission
from webui.extensions import db
from webui.models import OAuthApplication, OAuthProfile, Role, User
from webui.models.columns import utcnow

_P, _A = OAuthProfile.__table__.c, OAuthApplication.__table__.c
# Ordering by status: the worst first when descending (needs re-authorization, refresh
# failing, then by expiry: a status changes with the clock, its order with the expiry).
_STATUS_ORDER = case((_P.needs_reauthorization.is_(True), 3), (_P.refresh_failures > 0, 2),
                     (_P.access_token.is_(None), 1), else_=0)
PROFILE_SORTS = {"created": _P.created_at, "name": _P.name, "application": _A.name,
                 "status": _STATUS_ORDER, "expires": _P.token_expires_at,
                 "refreshed": _P.tokens_refreshed_at, "updated": _P.updated_at}
APP_SORTS = {"created": OAuthApplication.created_at, "name": OAuthApplication.name,
             "dataStore": OAuthApplication.data_store,
             "updated": OAuthApplication.updated_at}
USER_SORTS = {"created": User.created_at, "name": User.user_name, "status": User.active}


def _search(text: str, *columns):
    """Rows whose columns contain text, ignoring case (LIKE wildcards in text are literal)."""
    return or_(*(c.icontains(text, autoescape=True) for c in columns))


def profile_board(caller: Caller, request: BoardRequest, *, app_id: int | None = None,
                  status: str | None = None) -> Board[profile_view.ProfileView]:
    """A page of the subject's profiles (count + page: two queries), searched by name and
    description, optionally of one application or one status (profile_view.STATUSES).

    Needs ViewDataSource (2). Raises Forbidden, Invalid (unknown sort or status). A read for
    another user is recorded in the audit trail, as by profiles.list_profiles."""
    subject = caller.require(Permission.VIEW_DATA_SOURCE)
    query = profile_view.VIEWS.where(_P.owner_id == subject.id)
    if request.search:
        query = query.where(_search(request.search, _P.name, _P.description))
    if app_id is not None:
        query = query.where(_P.oauth_app_id == app_id)
    if status:
        if status not in profile_view.STATUSES:
            raise Invalid(f"Unknown status {status}.", "status")
        query = query.where(profile_view.status_condition(status, utcnow(), tokens.margin()))
    board = read_board(query, request, PROFILE_SORTS, "created", _P.id,
                       mapper=profile_view.view)
    audit.record_read_for(caller, "oauthprofile")
    return board


def application_board(caller: Caller, request: BoardRequest, *, tenant_id: int | None = None
                      ) -> Board[OAuthApplication]:
    """A page of the applications the subject may use (or of one tenant the caller may see,
    as the API's ?tenantId=), searched by name and description. Raises Forbidden, NotFound."""
    caller.require()
    query = select(OAuthApplication).where(tenant_filter(caller, tenant_id, None))
    if request.search:
        query = query.where(_search(request.search, OAuthApplication.name,
                                    OAuthApplication.description))
    return read_board(query, request, APP_SORTS, "created", OAuthApplication.id)


def user_board(caller: Caller, request: BoardRequest, *, tenant_id: int | None = None
               ) -> Board[User]:
    """A page of the users of the tenants the actor administers (of tenant_id alone, when
    given), searched by user name (users have no description). Needs Administrator (12) or
    ViewUsers (14). Raises Forbidden, Invalid."""
    actor = caller.require_actor(Permission.VIEW_USERS).actor
    query = (select(User).options(selectinload(User.roles).selectinload(Role.permissions),
                                  selectinload(User.permissions))
             .where(tenancy.administered(actor, User.tenant_id)))
    if tenant_id is not None:
        query = query.where(User.tenant_id == tenant_id)
    if request.search:
        query = query.where(_search(request.search, User.user_name))
    return read_board(query, request, USER_SORTS, "created", User.id)


def application_profiles(caller: Caller, app_id: int) -> tuple[list, int | None]:
    """(the subject's profiles that use the application, by name; how many profiles of every
    owner use it, which is what deleting it deletes, or None unless the actor manages
    applications). The application must be visible to the caller (oauthapps.get_application
    first). Needs ViewDataSource (2) for the list; without it the list is empty."""
    mine = []
    if caller.may(Permission.VIEW_DATA_SOURCE):
        mine = [profile_view.view(row) for row in db.session.execute(
            profile_view.VIEWS.where(and_(_P.oauth_app_id == app_id,
                                          _P.owner_id == caller.subject.id))
            .order_by(_P.name))]
        audit.record_read_for(caller, "oauthprofile")
    total = db.session.scalar(select(func.count()).where(_P.oauth_app_id == app_id)) \
        if may_manage(caller) else None
    return mine, total


def selected_profiles(caller: Caller, ids: list, *perms: Permission
                      ) -> list[profile_view.ProfileView]:
    """The subject's profiles among ids (others' or unknown ids are left out), by name, in
    one query: what a bulk action will act on. Needs ViewDataSource (2) and perms (the
    action's own). Raises Forbidden, Invalid (nothing selected, or not ids)."""
    subject = caller.require(Permission.VIEW_DATA_SOURCE, *perms)
    wanted = sorted({rules.check_id(i, "ids") for i in ids}) if ids else []
    if not wanted:
        raise Invalid("Select at least one profile.", "ids")
    found = [profile_view.view(row) for row in db.session.execute(
        profile_view.VIEWS.where(_P.owner_id == subject.id, _P.id.in_(wanted))
        .order_by(_P.name))]
    if not found:
        raise Invalid("None of the selected profiles exists any more.", "ids")
    audit.record_read_for(caller, "oauthprofile")
    return found
