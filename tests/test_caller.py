"""The caller is resolved once per request, by its door, and use cases decide every permission.

- Creating a profile through the form costs no more SQL statements than the same create
  through the API, for oneself and on behalf of someone (each door resolves who calls in one
  statement, and whom they act for in one more).
- Both doors have one gate habit: every route is signed in by its door before the view runs
  (401 / the login page), and no view restates a permission check.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import form_fields
from tests.pages import login, submit
from tests.test_query_counts import recording

ROOT = Path(__file__).resolve().parent.parent
PROFILES = "/api/mgmt/oauthprofiles"
DOORS = ("api", "admin", "auth", "oauthflow", "ops")


@pytest.fixture
def as_admin(app, admin):
    browser = app.test_client()
    assert login(browser, admin).status_code == 302
    return browser


def _body(name: str, app_id: int) -> dict:
    return {"name": name, "oauthAppId": app_id, "refreshToken": "r-token",
            "accessToken": "a-token"}


def _counted(app, call) -> list[str]:
    with recording(app) as seen:
        response = call()
    assert response.status_code in (201, 302), response.get_data(as_text=True)[:500]
    return list(seen)


def _form_create(app, browser, name: str, app_id: int) -> list[str]:
    # The form page itself (and its CSRF token) is fetched outside the count.
    page = browser.get("/oauthprofiles/new")
    assert page.status_code == 200
    _, data = form_fields(page.text, "#profile-form")
    data.update(name=name, oauthAppId=str(app_id), refreshToken="r-token",
                accessToken="a-token")
    return _counted(app, lambda: browser.post("/oauthprofiles/new", data=data))


def test_the_form_costs_no_more_statements_than_the_api(app, client, admin, alice,
                                                        google_app, as_admin):
    api_own = _counted(app, lambda: client.post(PROFILES, headers=admin.basic,
                                                json=_body("Api_own", google_app)))
    form_own = _form_create(app, as_admin, "Form_own", google_app)
    api_for = _counted(app, lambda: client.post(f"{PROFILES}?user=alice", headers=admin.basic,
                                                json=_body("Api_for", google_app)))
    assert submit(as_admin, "/acting", user="alice").status_code == 302
    form_for = _form_create(app, as_admin, "Form_for", google_app)
    assert len(form_own) <= len(api_own), "\n".join(["form:", *form_own, "api:", *api_own])
    assert len(form_for) <= len(api_for), "\n".join(["form:", *form_for, "api:", *api_for])
    # Acting for someone costs one statement more, in both doors: the subject's lookup.
    assert len(api_for) == len(api_own) + 1 and len(form_for) == len(form_own) + 1
    owners = {p["name"] for p in client.get(PROFILES, headers=alice.basic).json["profiles"]}
    assert owners == {"Api_for", "Form_for"}


def test_every_api_route_is_signed_in_by_the_door(app, client):
    from webui.api.blueprint import PUBLIC_ENDPOINTS
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api.") or rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        path = rule.rule.replace("<id:", "<").replace("<profile_id>", "1")
        for name in rule.arguments:
            path = path.replace(f"<{name}>", "1")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method, json={})
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.json["error"]["code"] == "222209001"
            checked += 1
    assert checked > 20


def test_every_page_is_signed_in_by_the_door(app, client):
    checked = 0
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.split(".")[0]
        if blueprint not in ("admin", "oauthflow"):
            continue
        view = app.view_functions[rule.endpoint]
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<id:{name}>", "1")
        response = client.get(path) if "GET" in rule.methods else client.post(path)
        if getattr(view, "answers_anonymous", False):
            assert response.status_code == 401, path  # the OAuth callback refuses itself
        elif "GET" in rule.methods:
            assert response.status_code == 302, path
            assert response.headers["Location"].startswith("/login"), path
        else:
            assert response.status_code in (302, 400), path  # CSRF may refuse first
        checked += 1
    assert checked > 20


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _is_door(module: str) -> bool:
    return any(module == f"webui.{d}" or module.startswith(f"webui.{d}.") for d in DOORS)


# The app shell wires the doors together and may import anything (webui.tasks: the Celery
# door, which builds the app its tasks run in).
SHELL = {"webui", "webui.errors", "webui.cli", "webui.startup", "webui.tasks"}


def test_no_import_runs_from_a_lower_layer_up_to_a_door():
    offenders = []
    for path in sorted((ROOT / "webui").rglob("*.py")):
        module = _module(path)
        if _is_door(module) or module in SHELL or ".migrations." in module:
            continue
        for imported in _imports(path):
            if _is_door(imported) or imported in SHELL - {"webui"}:
                offenders.append(f"{module} imports {imported}")
    assert offenders == []


def test_infrastructure_and_models_know_no_use_case():
    offenders = []
    for folder in ("infra", "models"):
        for path in sorted((ROOT / "webui" / folder).rglob("*.py")):
            for imported in _imports(path):
                if imported.startswith("webui.domain"):
                    offenders.append(f"{_module(path)} imports {imported}")
    assert offenders == []


def test_no_view_restates_a_permission_gate():
    """Doors resolve the caller; permissions are the use cases' (one habit, both doors).
    From the permission module a door takes only the vocabulary, except the pages' template
    helper that hides buttons by the same rule (auth/session.py: can())."""
    vocabulary = {"webui.domain.permissions", "webui.domain.permissions.Permission",
                  "webui.domain.permissions.CATALOGUE"}
    allowed = {"webui.auth.session": {"webui.domain.permissions.has_permission"}}
    offenders = []
    for door in DOORS:
        for path in sorted((ROOT / "webui" / door).rglob("*.py")):
            module = _module(path)
            taken = {name for name in _imports(path)
                     if name.startswith("webui.domain.permissions")}
            offenders += [f"{module}: {name}" for name in
                          taken - vocabulary - allowed.get(module, set())]
            text = path.read_text()
            if ".require(" in text or "require_actor(" in text:
                offenders.append(f"{module} checks a permission itself")
    assert offenders == []


def test_for_user_is_gone():
    """The acting-for subject travels in the Caller, never as a keyword. (Migrations before
    0003 keep the old column name: they are history.)"""
    history = {"0002_authorization_flow.py", "0003_caller_names.py"}
    hits = [str(p.relative_to(ROOT)) for p in (ROOT / "webui").rglob("*.py")
            if p.name not in history and "for_user" in p.read_text()]
    assert hits == []
