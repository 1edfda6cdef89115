"""The audit trail page: names linked to objects (resolved per page, not per row),
readable actions, date range, hiding reads made while acting for someone, and a CSV export
that matches the filtered page."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from bs4 import BeautifulSoup

from tests.pages import login
from tests.test_query_counts import recording


def _table(html: str) -> tuple[list[list[str]], list[str | None]]:
    soup = BeautifulSoup(html, "html.parser")
    rows = soup.select("#audit-table tbody tr")
    cells = [[td.get_text(" ", strip=True) for td in tr.select("td")] for tr in rows]
    links = [(a["href"] if (a := tr.select("td")[4].a) else None) for tr in rows]
    return cells, links


def _setup(client, admin, alice, google_app) -> int:
    for name in ("Kept", "Gone"):
        assert client.post("/api/mgmt/oauthprofiles", headers=admin.basic, json={
            "name": name, "oauthAppId": google_app, "refreshToken": "r"}).status_code == 201
    mine = client.get("/api/mgmt/oauthprofiles", headers=admin.basic).json["profiles"]
    gone = next(p["id"] for p in mine if p["name"] == "Gone")
    assert client.delete(f"/api/mgmt/oauthprofiles/{gone}",
                         headers=admin.basic).status_code in (200, 204)
    assert client.get("/api/mgmt/oauthprofiles?user=alice",
                      headers=admin.basic).status_code == 200  # a read for alice
    login(client, admin)
    return gone


def test_names_are_linked_and_actions_readable(client, admin, alice, google_app):
    gone = _setup(client, admin, alice, google_app)
    cells, links = _table(client.get("/audit?objectType=oauthprofile&hideReadsFor=1").text)
    seen = {(row[3], row[4], link) for row, link in zip(cells, links)}
    kept = next(link for action, obj, link in seen if obj == "OAuth profile Kept")
    assert kept.startswith("/oauthprofiles/") and client.get(kept).status_code == 200
    assert ("Deleted", f"OAuth profile #{gone} (deleted)", None) in seen
    assert ("Created", f"OAuth profile #{gone} (deleted)", None) in seen
    cells, links = _table(client.get("/audit?objectType=oauthapp").text)
    assert cells[0][3:5] == ["Created", "OAuth application GA_app"]
    assert links[0] == f"/oauthapps/{google_app}"


def test_names_cost_one_query_per_page_not_one_per_row(app, client, admin, alice,
                                                       google_app):
    _setup(client, admin, alice, google_app)
    with recording(app) as few:
        assert client.get("/audit?objectType=oauthprofile").status_code == 200
    for name in ("More_1", "More_2", "More_3", "More_4"):
        client.post("/api/mgmt/oauthprofiles", headers=admin.basic, json={
            "name": name, "oauthAppId": google_app, "refreshToken": "r"})
    with recording(app) as many:
        assert client.get("/audit?objectType=oauthprofile").status_code == 200
    assert len(many) == len(few)


def test_reads_for_someone_can_be_hidden_and_dates_bound_the_trail(client, admin, alice,
                                                                   google_app):
    _setup(client, admin, alice, google_app)
    every = _table(client.get("/audit").text)[0]
    assert any(r[3] == "Read while acting for someone" for r in every)
    hidden = _table(client.get("/audit?hideReadsFor=1").text)[0]
    assert not any(r[3] == "Read while acting for someone" for r in hidden)
    assert len(hidden) == len(every) - 1
    today = date.today()
    assert len(_table(client.get(f"/audit?since={today - timedelta(days=1)}"
                                 f"&until={today + timedelta(days=1)}").text)[0]) == len(every)
    assert _table(client.get(f"/audit?until={today - timedelta(days=2)}").text)[0] == []
    assert client.get("/audit?since=yesterday").status_code == 400
    assert client.get(f"/audit?since={today}&until={today - timedelta(days=1)}"
                      ).status_code == 400


def test_csv_export_matches_the_filtered_page(client, admin, alice, google_app):
    _setup(client, admin, alice, google_app)
    query = "objectType=oauthprofile&hideReadsFor=1&user=admin"
    page = client.get(f"/audit?{query}").text
    link = BeautifulSoup(page, "html.parser").select_one("#audit-export")["href"]
    assert link == f"/audit.csv?{query}"
    export = client.get(link)
    assert export.status_code == 200 and export.mimetype == "text/csv"
    [header, *rows] = list(csv.reader(io.StringIO(export.get_data(as_text=True))))
    assert header[3:5] == ["Action", "Object"]
    assert rows == _table(page)[0] and len(rows) == 3
    assert client.get("/audit.csv", headers={}).status_code == 200


def test_the_export_is_for_administrators_only(client, alice):
    login(client, alice)
    assert client.get("/audit.csv").status_code == 403
