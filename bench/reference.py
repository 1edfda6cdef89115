"""The limit: bare Flask + sqlite3 (WAL), the benchmark's three routes, no auth, no validation.

Served by the same gunicorn (``-w 2``, sync workers) as the product, so the ratio compares
the application code, not the servers. One sqlite3 connection per worker process.
"""
from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timezone

from flask import Flask, abort, jsonify, request

SCHEMA = """
CREATE TABLE IF NOT EXISTS oauth_application (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, authorize_uri TEXT NOT NULL,
    token_uri TEXT NOT NULL, scope TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS oauth_profile (
    id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL, oauth_app_id INTEGER NOT NULL,
    name TEXT NOT NULL, description TEXT NOT NULL DEFAULT '', access_token TEXT,
    refresh_token TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    UNIQUE (owner_id, name));
CREATE INDEX IF NOT EXISTS ix_profile_owner_id ON oauth_profile (owner_id, id);
"""
OWNER = 1
app = Flask(__name__)
_connection: sqlite3.Connection | None = None


def connect(path: str) -> sqlite3.Connection:
    con = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    con.row_factory = sqlite3.Row
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = NORMAL")
    con.execute("PRAGMA busy_timeout = 30000")
    return con


def db() -> sqlite3.Connection:
    global _connection
    if _connection is None:  # opened lazily, so each forked worker has its own
        _connection = connect(os.environ["REFERENCE_DB"])
    return _connection


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


@app.post("/api/mgmt/oauthprofiles")
def create_profile():
    body = request.get_json()
    now = _now()
    cur = db().execute(
        "INSERT INTO oauth_profile (owner_id, oauth_app_id, name, description, access_token,"
        " refresh_token, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (OWNER, body["oauthAppId"], body["name"], body.get("description", ""),
         body.get("accessToken"), body.get("refreshToken"), now, now))
    return jsonify({"id": cur.lastrowid, **body}), 201


@app.get("/api/mgmt/oauthprofiles/<int:profile_id>")
def get_profile(profile_id: int):
    row = db().execute("SELECT * FROM oauth_profile WHERE id = ? AND owner_id = ?",
                       (profile_id, OWNER)).fetchone()
    if row is None:
        abort(404)
    return jsonify({"id": row["id"], "name": row["name"], "oauthAppId": row["oauth_app_id"],
                    "description": row["description"], "accessToken": row["access_token"],
                    "refreshToken": row["refresh_token"], "createdAt": row["created_at"],
                    "updatedAt": row["updated_at"]})


@app.get("/api/mgmt/oauthprofiles")
def list_profiles():
    limit = int(request.args.get("limit", 100))
    after = int(request.args.get("cursor", 0))
    rows = db().execute(
        "SELECT p.id, p.name, p.oauth_app_id, p.description, p.created_at, p.updated_at,"
        " a.authorize_uri, a.token_uri, a.scope FROM oauth_profile p"
        " JOIN oauth_application a ON a.id = p.oauth_app_id"
        " WHERE p.owner_id = ? AND p.id > ? ORDER BY p.id LIMIT ?",
        (OWNER, after, limit)).fetchall()
    return jsonify({"profiles": [
        {"id": r["id"], "name": r["name"], "oauthAppId": r["oauth_app_id"],
         "description": r["description"], "authorizeURI": r["authorize_uri"],
         "tokenURI": r["token_uri"], "scope": r["scope"], "createdAt": r["created_at"],
         "updatedAt": r["updated_at"]} for r in rows]})


def seed(path: str, profiles: int) -> tuple[int, int]:
    """Create the schema, one application and `profiles` profiles; returns (first, last) id."""
    con = connect(path)
    con.executescript(SCHEMA)
    con.execute("INSERT INTO oauth_application (id, name, authorize_uri, token_uri, scope)"
                " VALUES (1, 'bench_app', 'https://auth.example.com/authorize',"
                " 'https://auth.example.com/token', 'read write')")
    now = _now()
    con.execute("BEGIN")
    con.executemany(
        "INSERT INTO oauth_profile (owner_id, oauth_app_id, name, description, access_token,"
        " refresh_token, created_at, updated_at) VALUES (?, 1, ?, 'seeded', 'token', 'token',"
        " ?, ?)", ((OWNER, f"seed_{i}", now, now) for i in range(profiles)))
    con.execute("COMMIT")
    first, last = con.execute("SELECT min(id), max(id) FROM oauth_profile").fetchone()
    con.close()
    return first, last
