"""OAuth application use cases called directly (no HTTP)."""
import pytest
from sqlalchemy import select

from tests.cases import BAD_NAMES, DEVELOPMENT, ENDPOINTS, GOOD_NAMES, STRICT
from tests.conftest import APP_BODY
from webui.domain import bootstrap, oauthapps, profiles, users
from webui.domain.error_codes import Code
from webui.domain.errors import Conflict, Forbidden, Invalid, NotFound
from webui.domain.caller import Caller
from webui.domain.principal import Principal
from webui.extensions import db
from webui.models import OAuthProfile

PROFILE = {"name": "p1", "refreshToken": "r1", "accessToken": "a1"}


@pytest.fixture
def who(app, make_user):
    """Callers by name (each acting for themself), inside an app context: admin, a plain
    user, an OAuth manager."""
    make_user("admin", ("Administrator",))
    make_user("alice")
    make_user("manager", ("User",), permissions=(28,))
    with app.app_context():
        yield lambda name: Caller.own(Principal.of(users.user_by_name(name)))
        db.session.remove()


def create(actor, **changes):
    return oauthapps.create_application(actor, {**APP_BODY, **changes})


def test_names(who):
    for name in GOOD_NAMES:
        assert create(who("admin"), name=name).name == name
    for name, message in BAD_NAMES:
        with pytest.raises(Invalid) as raised:
            create(who("admin"), name=name)
        assert (raised.value.message, raised.value.field) == (message, "name"), name


@pytest.mark.parametrize("value,well_formed,strict,development", ENDPOINTS)
def test_endpoints_follow_the_outbound_policy(app, who, value, well_formed, strict,
                                              development):
    for field, column in (("authorizeURI", "authorize_uri"), ("tokenURI", "token_uri")):
        for settings, accepted in ((STRICT, strict), (DEVELOPMENT, development)):
            app.config.update(settings)
            name = f"{field}_{settings is DEVELOPMENT}"
            if accepted:
                assert getattr(create(who("admin"), name=name, **{field: value}), column) == value
            else:
                with pytest.raises(Invalid) as raised:
                    create(who("admin"), name=name, **{field: value})
                assert raised.value.field == field


def test_data_stores(who):
    for store in (54, 62, 1, 63):
        assert create(who("admin"), name=f"s{store}", dataStore=store).data_store == store
    for store in (0, 2, 55, 999, True, 54.0, "54", None):
        with pytest.raises(Invalid) as raised:
            create(who("admin"), dataStore=store)
        assert raised.value.field == "dataStore", store


def test_required_fields(who):
    for missing in ("name", "dataStore", "clientId", "clientSecret", "authorizeURI",
                    "tokenURI"):
        data = dict(APP_BODY)
        del data[missing]
        with pytest.raises(Invalid) as raised:
            oauthapps.create_application(who("admin"), data)
        assert raised.value.field == missing


def test_name_unique_per_tenant(who):
    create(who("admin"))
    with pytest.raises(Conflict) as raised:
        create(who("manager"))
    assert raised.value.status == 409 and raised.value.field == "name"


def test_who_may_manage(who):
    with pytest.raises(Forbidden):
        create(who("alice"))
    app_id = create(who("manager")).id
    with pytest.raises(Forbidden):
        oauthapps.update_application(who("alice"), app_id, {"description": "x"})
    with pytest.raises(Forbidden):
        oauthapps.delete_application(who("alice"), app_id)
    # Reading is for every user: they need the id for a profile.
    assert oauthapps.get_application(who("alice"), app_id).name == APP_BODY["name"]
    assert [a.id for a in oauthapps.list_applications(who("alice")).items] == [app_id]


def test_unknown_application_has_hdp_code(who):
    for call in (lambda: oauthapps.get_application(who("admin"), 4242),
                 lambda: oauthapps.update_application(who("admin"), 4242, {"scope": "x"}),
                 lambda: oauthapps.delete_application(who("admin"), 4242)):
        with pytest.raises(NotFound) as raised:
            call()
        assert raised.value.code == Code.APPLICATION_NOT_FOUND
        assert raised.value.message == "Invalid OAuthApplicationId: 4242"


def test_deleting_an_application_deletes_its_profiles(who):
    app_id = create(who("admin")).id
    other = create(who("admin"), name="other").id
    profiles.create_profile(who("alice"), {**PROFILE, "oauthAppId": app_id})
    kept = profiles.create_profile(who("alice"), {**PROFILE, "name": "p2", "oauthAppId": other})
    oauthapps.delete_application(who("admin"), app_id)
    assert db.session.scalars(select(OAuthProfile.id)).all() == [kept.id]


@pytest.mark.parametrize("change,marks", [
    ({"clientId": "new-client"}, True), ({"scope": "other"}, True),
    ({"authorizeURI": "https://example.com/auth"}, True),
    ({"tokenURI": "https://example.com/token"}, True),
    ({"description": "words"}, False), ({"name": "renamed"}, False),
    ({"clientId": APP_BODY["clientId"]}, False),  # unchanged value
])
def test_registration_changes_mark_profiles_for_reauthorization(who, change, marks):
    app_id = create(who("admin")).id
    pid = profiles.create_profile(who("alice"), {**PROFILE, "oauthAppId": app_id}).id
    oauthapps.update_application(who("admin"), app_id, change)
    db.session.expire_all()
    assert profiles.get_profile(who("alice"), pid).needs_reauthorization is marks


def test_update_is_partial_and_the_mask_keeps_the_secret(who):
    app_id = create(who("admin")).id
    oauthapps.update_application(who("admin"), app_id, {"clientSecret": "********",
                                                        "description": "d"})
    app = oauthapps.get_application(who("admin"), app_id, with_secret=True)
    assert app.client_secret == APP_BODY["clientSecret"] and app.description == "d"
    assert app.token_uri == APP_BODY["tokenURI"]


def test_system_actor_can_create(who):
    assert create(bootstrap.SYSTEM).tenant_id == 1
