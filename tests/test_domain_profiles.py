"""Profile use cases called directly (no HTTP), driven by the same table as the API tests."""
import pytest
from sqlalchemy.exc import IntegrityError

from tests.cases import BAD_APP_IDS, BAD_NAME_TYPES, BAD_NAMES, GOOD_NAMES
from tests.conftest import APP_BODY
from webui.domain import bootstrap, oauthapps, profiles, users
from webui.domain.error_codes import Code
from webui.domain.errors import Conflict, Forbidden, Invalid, NotFound
from webui.domain.pagination import PageRequest
from webui.domain.acting import resolve
from webui.domain.caller import Caller
from webui.domain.principal import Principal
from webui.extensions import db
from webui.models import OAuthProfile

SAMPLE = {"name": "User_1", "description": "OAuth profile 1",
          "accessToken": "111c334445e55", "refreshToken": "222d88899966fa"}


@pytest.fixture
def ctx(app, admin, alice):
    """An app context with an application; yields (admin, alice) callers, each acting for
    themself, and its id."""
    with app.app_context():
        application = oauthapps.create_application(bootstrap.SYSTEM, APP_BODY)
        who = {n: Caller.own(Principal.of(users.user_by_name(n))) for n in ("admin", "alice")}
        yield who["admin"], who["alice"], application.id
        db.session.remove()


def body(app_id, **changes):
    return {**SAMPLE, "oauthAppId": app_id, **changes}


def test_good_names(ctx):
    admin, _, app_id = ctx
    for name in GOOD_NAMES:
        assert profiles.create_profile(admin, body(app_id, name=name)).name == name


def test_bad_names_give_the_shared_message(ctx):
    admin, _, app_id = ctx
    for name, message in BAD_NAMES:
        with pytest.raises(Invalid) as raised:
            profiles.create_profile(admin, body(app_id, name=name))
        assert (raised.value.message, raised.value.field) == (message, "name"), name
        assert raised.value.code == Code.INVALID_INPUT
    for value in BAD_NAME_TYPES:
        with pytest.raises(Invalid) as raised:
            profiles.create_profile(admin, body(app_id, name=value))
        assert raised.value.field == "name", value
    assert profiles.list_profiles(admin).items == []


def test_oauth_app_id_is_a_strict_integer(ctx):
    admin, _, app_id = ctx
    for value in BAD_APP_IDS:
        with pytest.raises(Invalid) as raised:
            profiles.create_profile(admin, body(app_id, oauthAppId=value))
        assert raised.value.field == "oauthAppId", value


def test_unknown_application_has_hdp_code(ctx):
    admin, _, app_id = ctx
    with pytest.raises(Invalid) as raised:
        profiles.create_profile(admin, body(app_id + 1))
    assert raised.value.code == Code.APPLICATION_NOT_FOUND and raised.value.status == 400


@pytest.mark.parametrize("field,limit", [("description", 1024), ("accessToken", 8192),
                                         ("refreshToken", 8192)])
def test_maxima(ctx, field, limit):
    admin, _, app_id = ctx
    with pytest.raises(Invalid):
        profiles.create_profile(admin, body(app_id, **{field: "a" * (limit + 1)}))
    assert profiles.create_profile(admin, body(app_id, **{field: "a" * limit}))


def test_name_is_unique_per_owner_only(ctx):
    admin, alice, app_id = ctx
    profiles.create_profile(admin, body(app_id))
    with pytest.raises(Conflict):
        profiles.create_profile(admin, body(app_id))
    assert profiles.create_profile(alice, body(app_id)).owner_id == alice.actor.id


def test_someone_elses_profile_does_not_exist(ctx):
    admin, alice, app_id = ctx
    pid = profiles.create_profile(admin, body(app_id)).id
    for call in (lambda: profiles.get_profile(alice, pid),
                 lambda: profiles.update_profile(alice, pid, {"description": "x"}),
                 lambda: profiles.delete_profile(alice, pid)):
        with pytest.raises(NotFound) as raised:
            call()
        assert raised.value.code == Code.PROFILE_NOT_FOUND
    assert profiles.list_profiles(alice).items == []
    assert profiles.get_profile(admin, pid).description == SAMPLE["description"]


def test_on_behalf_creates_for_the_named_user(ctx):
    admin, alice, app_id = ctx
    profile = profiles.create_profile(resolve(admin.actor, "alice"), body(app_id))
    assert profile.owner_id == alice.actor.id
    assert [p.id for p in profiles.list_profiles(alice).items] == [profile.id]
    assert profiles.list_profiles(admin).items == []


def test_on_behalf_needs_the_rule(ctx):
    admin, alice, app_id = ctx
    with pytest.raises(Forbidden):
        profiles.create_profile(resolve(alice.actor, "admin"), body(app_id))
    with pytest.raises(NotFound) as raised:
        profiles.create_profile(resolve(admin.actor, "ghost"), body(app_id))
    assert raised.value.code == Code.USER_NOT_FOUND


def test_update_is_partial_and_the_mask_keeps_secrets(ctx):
    admin, _, app_id = ctx
    pid = profiles.create_profile(admin, body(app_id)).id
    profiles.update_profile(admin, pid, {"description": "new", "accessToken": "********"})
    profile = profiles.get_profile(admin, pid, with_tokens=True)
    assert (profile.name, profile.description) == ("User_1", "new")
    assert profile.access_token == SAMPLE["accessToken"]
    assert profile.refresh_token == SAMPLE["refreshToken"]


def test_list_pages_by_id(ctx):
    admin, _, app_id = ctx
    ids = [profiles.create_profile(admin, body(app_id, name=f"p{i}")).id for i in range(5)]
    first = profiles.list_profiles(admin, PageRequest(limit=2))
    assert [p.id for p in first.items] == ids[:2] and first.next_cursor == str(ids[1])
    rest = profiles.list_profiles(admin, PageRequest(limit=3, after=ids[1]))
    assert [p.id for p in rest.items] == ids[2:] and rest.next_cursor is None


def test_the_mask_is_not_a_refresh_token_on_create(ctx):
    admin, _, app_id = ctx
    with pytest.raises(Invalid) as raised:
        profiles.create_profile(admin, body(app_id, refreshToken="********"))
    assert raised.value.field == "refreshToken"
    assert profiles.list_profiles(admin).items == []


def test_uniqueness_is_a_database_constraint_not_a_pre_check(ctx):
    """Two writers that both passed any check still cannot create twins."""
    admin, _, app_id = ctx
    for _ in range(2):
        db.session.add(OAuthProfile(owner_id=admin.actor.id, oauth_app_id=app_id, name="twin",
                                    refresh_token="r"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
