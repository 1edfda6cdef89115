"""The webhook pages, driven as a browser does (CSRF on): create (the secret shown once),
edit, deliveries with their status, the "send a test event" button, delete."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from tests.oauth_provider import oauth_config  # noqa: F401
from tests.pages import field_error, flashes, login, submit
from tests.webhook_receiver import receiver  # noqa: F401
from webui.domain import events
from webui.extensions import db
from webui.models import WebhookEndpoint


@pytest.fixture
def app_config(oauth_config):  # noqa: F811
    return oauth_config


@pytest.fixture
def as_admin(app, admin):
    client = app.test_client()
    assert login(client, admin).status_code == 302
    return client


def test_create_shows_the_secret_once_then_test_and_delete(app, as_admin, receiver):
    created = submit(as_admin, "/webhooks/new", "#webhook-form", endpoint_url=receiver.url,
                     events=[events.NEEDS_REAUTHORIZATION, events.RECOVERED],
                     description="ops")
    assert created.status_code == 201
    secret = BeautifulSoup(created.text, "html.parser").select_one("#webhook-secret").text
    assert secret.startswith("whsec_")
    with app.app_context():
        webhook_id = db.session.scalar(select(WebhookEndpoint.id))
    detail = f"/webhooks/{webhook_id}"
    page = as_admin.get(detail).text
    assert secret not in page and secret not in as_admin.get("/webhooks").text
    answer = submit(as_admin, detail, "#webhook-test")
    assert answer.status_code == 302
    page = as_admin.get(detail).text
    assert "Test event delivered." in flashes(page)
    row = BeautifulSoup(page, "html.parser").select_one("#deliveries tbody tr")
    assert row.select_one("th").text == events.TEST
    assert row.select_one(".status").text == "delivered"
    assert row.select_one(".attempts").text == "1"
    [payload] = [Webhook(secret).verify(r["body"], r["headers"]) for r in receiver.received]
    assert payload["data"] == {"webhookId": webhook_id}
    receiver.status = 503
    submit(as_admin, detail, "#webhook-test")
    page = as_admin.get(detail).text
    assert "The receiver answered HTTP 503." in " ".join(flashes(page))
    assert BeautifulSoup(page, "html.parser").select_one(
        "#deliveries tbody tr .status").text == "pending"
    assert submit(as_admin, f"{detail}/delete", "#confirm-form").status_code == 302
    assert as_admin.get(detail).status_code == 404


def test_refused_url_shown_on_its_field(as_admin):
    answer = submit(as_admin, "/webhooks/new", "#webhook-form", endpoint_url="http://hooks.example.com/",
                    events=[events.RECOVERED])
    assert answer.status_code == 422
    assert "must be an absolute https URL" in field_error(answer.text, "endpoint_url")


def test_the_test_button_needs_its_csrf_token(as_admin, receiver):
    submit(as_admin, "/webhooks/new", "#webhook-form", endpoint_url=receiver.url,
           events=[events.RECOVERED])
    answer = as_admin.post("/webhooks/1/test", data={})
    assert answer.status_code == 400 and receiver.received == []


def test_only_administrators_see_the_pages(app, alice):
    client = app.test_client()
    login(client, alice)
    for url in ("/webhooks", "/webhooks/new"):
        assert client.get(url).status_code == 403
