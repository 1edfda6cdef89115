"""A row deleted by another request between a use case's read and its write: a clear 409,
never a 500 and never a half-write. The other request is a real second connection that
deletes the row at the moment the use case ends its read snapshot."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, event, text

from tests.conftest import APP_BODY
from webui.domain import bootstrap, oauthapps, profiles, users
from webui.domain.errors import ConcurrentChange
from webui.domain.caller import Caller
from webui.domain.principal import Principal
from webui.extensions import db


def delete_when_read_ends(app, table: str, row_id: int):
    """Arrange for row_id of table to be deleted by another connection right after the
    current session's next commit (the end of the use case's read snapshot)."""
    other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    session = db.session()

    fired = []

    def delete(_session):
        if fired:
            return
        fired.append(True)
        with other.begin() as conn:
            conn.execute(text(f"DELETE FROM {table} WHERE id = :id"), {"id": row_id})
        other.dispose()

    event.listen(session, "after_commit", delete)


@pytest.fixture
def google_app_id_in_fresh_app(app, admin, owner):
    """(app, admin, profile id) with no request served yet, and a hook that deletes the
    profile when the next request's use case ends its read snapshot."""
    with app.app_context():
        application = oauthapps.create_application(owner, APP_BODY)
        profile = profiles.create_profile(owner, {"name": "Gone", "refreshToken": "r",
                                                  "oauthAppId": application.id})
        db.session.remove()

    @app.before_request
    def arm():  # the request runs in its own app context: hook the session it will use
        delete_when_read_ends(app, "oauth_profile", profile.id)
    return app, admin, profile.id


@pytest.fixture
def owner(app, admin):
    with app.app_context():
        return Caller.own(Principal.of(users.user_by_name("admin")))


def test_updating_a_profile_deleted_meanwhile(app, owner, google_app):
    with app.app_context():
        profile = profiles.create_profile(owner, {"name": "Gone", "oauthAppId": google_app,
                                                  "refreshToken": "r"})
        db.session.remove()
        delete_when_read_ends(app, "oauth_profile", profile.id)
        with pytest.raises(ConcurrentChange) as caught:
            profiles.update_profile(owner, profile.id, {"description": "lost"})
        assert caught.value.status == 409 and caught.value.code.value == "222209011"
        db.session.remove()
        assert profiles.list_profiles(owner).items == []


def test_deleting_a_user_deleted_meanwhile(app, owner, make_user):
    bob = make_user("bob")
    with app.app_context():
        delete_when_read_ends(app, "user_account", bob.id)
        with pytest.raises(ConcurrentChange):
            users.delete_user(bootstrap.SYSTEM, bob.id)


def test_the_api_answers_409_in_the_envelope(google_app_id_in_fresh_app):
    app, admin, profile_id = google_app_id_in_fresh_app
    response = app.test_client().put(f"/api/mgmt/oauthprofiles/{profile_id}",
                                     headers=admin.basic, json={"description": "lost"})
    assert response.status_code == 409
    assert response.json["error"]["code"] == "222209011"
