"""A real webhook receiver for the tests, on loopback: records every POST (headers and body)
and answers ``status`` (200 by default; set it to 500 to refuse)."""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from flask import Flask, request

from tests.oauth_provider import Server


@dataclass
class Receiver:
    url: str = ""
    status: int = 200
    received: list[dict] = field(default_factory=list)

    def verified(self, secret: str) -> list[dict]:
        """Every body received, verified as a receiver does (standardwebhooks); raises
        WebhookVerificationError for a bad signature."""
        from standardwebhooks.webhooks import Webhook
        return [Webhook(secret).verify(r["body"], r["headers"]) for r in self.received]


def build_app(receiver: Receiver) -> Flask:
    app = Flask(__name__)

    @app.post("/hook")
    def hook():
        receiver.received.append({"headers": dict(request.headers),
                                  "body": request.get_data(as_text=True)})
        return "", receiver.status

    return app


@pytest.fixture
def receiver():
    found = Receiver()
    server = Server(build_app(found))
    found.url = server.url + "/hook"
    with server:
        yield found


@pytest.fixture
def closed_port_url() -> str:
    """A loopback URL where nothing listens (a receiver that is down)."""
    server = Server(build_app(Receiver()))
    url = server.url + "/hook"
    server._server.server_close()
    return url
