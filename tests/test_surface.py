"""Small openings of the outbound review's point 7: database file modes, ids in paths."""
from __future__ import annotations

import os
import stat

import pytest

from tests.conftest import base_config
from webui import create_app
from webui.extensions import db


def test_a_new_sqlite_database_and_its_wal_are_private(tmp_path):
    path = tmp_path / "fresh.sqlite3"
    app = create_app(base_config(f"sqlite:///{path}"))
    from tests.conftest import migrate_and_seed
    migrate_and_seed(app)
    with app.app_context():
        db.session.execute(db.text("CREATE TABLE probe (x)"))  # leaves -wal and -shm open
        db.session.commit()
        files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
        modes = {f.name: stat.S_IMODE(os.stat(f).st_mode) for f in files if f.exists()}
        db.session.remove()
        db.engine.dispose()
    assert len(modes) == 3 and set(modes.values()) == {0o600}, modes


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
@pytest.mark.parametrize("profile_id", ["0", "2147483648", "99999999999", "\uff11"])
def test_an_unknown_id_is_404_whatever_the_method(client, admin, method, profile_id):
    response = client.open(f"/api/mgmt/oauthprofiles/{profile_id}", method=method,
                           headers=admin.basic, json={})
    assert response.status_code == 404
    assert response.json["error"]["code"] == "222209004"
