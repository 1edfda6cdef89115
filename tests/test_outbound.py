"""The outbound policy against a hostile provider (issue: no provider can hurt the server).

Each test reproduces an attack of the adversarial review against a real local server: a gzip
bomb, an oversized body, a provider that trickles its answer, deeply nested JSON, tokens with
characters the API refuses from clients, a host name that resolves to loopback, and internal
addresses in every spelling. Every one is a 502 (or a refusal that never contacts the target)
in the envelope, fast, and loses no rotated refresh token.
"""
from __future__ import annotations

import gzip
import json
import resource
import socket
import threading
import time

import pytest

from tests.oauth_provider import (CLIENT_ID, Server, oauth_config,  # noqa: F401
                                  provider, register_app, saved, stored_profile)
from webui.domain import provider_calls
from webui.infra import outbound

PROVIDER_ERROR = "222209010"


@pytest.fixture
def app_config(oauth_config):  # noqa: F811
    return {**oauth_config, "OAUTH_REFRESH_COALESCE_SECONDS": 0,
            "OUTBOUND_DEADLINE_SECONDS": 1.0, "OUTBOUND_MAX_BODY_BYTES": 64 * 1024}


def _json(body: bytes, **headers):
    from flask import Response
    return lambda: Response(body, 200, {"Content-Type": "application/json", **headers})


def _refused_by_provider(client, alice, saved, message):
    started = time.monotonic()
    response = client.post(saved.url, headers=alice.basic)
    assert response.status_code == 502, response.json
    assert response.json["error"] == {"code": PROVIDER_ERROR, "message": {
        "lang": "en-US", "value": message}}
    return time.monotonic() - started


def _max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_a_gzip_bomb_is_decoded_only_up_to_the_cap(client, alice, saved, provider):  # noqa
    bomb = gzip.compress(b"0" * (50 * 1024 * 1024))  # 50 MiB unpacked, ~50 KB packed
    assert len(bomb) < 64 * 1024
    provider.answer = _json(bomb, **{"Content-Encoding": "gzip"})
    before = _max_rss_mib()
    _refused_by_provider(client, alice, saved, provider_calls.FAILURES["too_large"])
    assert _max_rss_mib() - before < 20  # never unpacked in full


def test_an_oversized_answer_is_cut_as_it_arrives(client, alice, saved, provider):  # noqa
    provider.answer = _json(json.dumps({"access_token": "a" * (400 * 1024)}).encode())
    _refused_by_provider(client, alice, saved, provider_calls.FAILURES["too_large"])


def test_another_content_encoding_is_refused(client, alice, saved, provider):  # noqa: F811
    provider.answer = _json(b"\x00\x01", **{"Content-Encoding": "br"})
    _refused_by_provider(client, alice, saved, provider_calls.FAILURES["encoding"])


def test_a_provider_trickling_its_body_is_cut_at_the_deadline(client, alice, saved,
                                                              provider):  # noqa: F811
    from flask import Response

    def trickle():
        for _ in range(60):
            time.sleep(0.1)
            yield b" "
    provider.answer = lambda: Response(trickle(), 200, {"Content-Type": "application/json"})
    elapsed = _refused_by_provider(client, alice, saved, provider_calls.TIMEOUT)
    assert elapsed < 2.5  # the deadline is 1 s; the trickle would take 6 s


class TrickleServer:
    """A raw TCP server that sends an HTTP status line one byte at a time (a per-read
    timeout never fires: only a total deadline stops it); counts connections."""

    def __init__(self, delay: float = 0.1):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.delay = delay
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn):
        try:
            conn.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" * 20:
                conn.send(bytes([byte]))
                time.sleep(self.delay)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self):
        self.sock.close()


def _point_token_uri(app, app_id: int, url: str) -> None:
    from webui.extensions import db
    from webui.models import OAuthApplication
    with app.app_context():
        db.session.get(OAuthApplication, app_id).token_uri = url
        db.session.commit()
        db.session.remove()


def test_a_provider_trickling_its_headers_is_cut_at_the_deadline(app, client, alice,
                                                                 saved):
    server = TrickleServer()
    try:
        _point_token_uri(app, saved.app_id, f"http://127.0.0.1:{server.port}/token")
        elapsed = _refused_by_provider(client, alice, saved, provider_calls.TIMEOUT)
        assert server.accepted == 1 and elapsed < 2.5
    finally:
        server.close()


def test_deeply_nested_json_is_a_502_not_a_500(client, alice, saved, provider):  # noqa: F811
    provider.answer = _json(b"[" * 20000 + b"]" * 20000)
    _refused_by_provider(client, alice, saved, provider_calls.MALFORMED)
    provider.answer = _json(b'{"access_token": ' + b"[" * 40 + b"]" * 40 + b"}")
    _refused_by_provider(client, alice, saved, provider_calls.MALFORMED)


@pytest.mark.parametrize("bad", ["nul\u0000inside", "lone\ud800surrogate", "line\nbreak",
                                 "bell\u0007", "x" * (8 * 1024 + 1)])
def test_a_token_breaking_the_client_rules_is_refused_and_the_rotated_one_kept(
        app, client, admin, alice, saved, provider, bad):  # noqa: F811
    provider.answer = _json(json.dumps({"access_token": bad, "refresh_token": "rotated-1",
                                        "expires_in": 3600}).encode())
    _refused_by_provider(client, alice, saved, provider_calls.BAD_TOKEN)
    stored = stored_profile(app, "alice", saved.id)
    assert stored.access_token == "old-access"  # the bad one never stored
    assert stored.refresh_token == "rotated-1"  # the provider may have spent the old one
    assert stored.status_at(time_now(), margin()) == "refreshFailing"
    events = client.get("/api/admin/audit?action=refresh_failed", headers=admin.basic).json
    (event,) = events["events"]
    assert event["detail"] == provider_calls.BAD_TOKEN and event["fields"] == ["refreshToken"]
    assert bad not in json.dumps(events)


def time_now():
    from webui.models.columns import utcnow
    return utcnow()


def margin():
    from datetime import timedelta
    return timedelta(seconds=60)


class Listener:
    """A port that counts the connections it gets (and answers nothing)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]

    def accepted(self) -> int:
        count = 0
        while True:
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, socket.timeout):
                return count
            conn.close()
            count += 1


def test_a_name_resolving_to_loopback_is_refused_without_contact(app, client, alice, saved):
    listener = Listener()
    closed = Listener()
    closed_port = closed.port
    closed.sock.close()
    app.config.update(OAUTH_ALLOWED_NETWORKS="", OUTBOUND_RESOLVER=lambda host, port: [
        "127.0.0.1"])
    answers = []
    for port in (listener.port, closed_port):  # an open and a closed port: one answer
        _point_token_uri(app, saved.app_id, f"https://provider.test:{port}/token")
        started = time.monotonic()
        response = client.post(saved.url, headers=alice.basic)
        answers.append((response.status_code, response.json["error"]["message"]["value"]))
        assert time.monotonic() - started < 0.5
    assert answers[0] == answers[1] and answers[0][0] == 409
    assert "not an allowed outbound destination" in answers[0][1]
    assert listener.accepted() == 0
    listener.sock.close()


SPELLINGS = ["127.0.0.1", "127.1", "2130706433", "0x7f000001", "0177.0.0.1", "[::1]",
             "[::ffff:127.0.0.1]", "localhost", "169.254.169.254", "[::ffff:a9fe:a9fe]",
             "10.0.0.8", "192.168.1.1", "172.20.0.1", "100.64.0.1", "0.0.0.0", "0",
             "224.0.0.251", "[fe80::1]", "[fd00::1]", "[2002:7f00:1::1]", "255.255.255.255"]


@pytest.mark.parametrize("host", SPELLINGS)
def test_every_spelling_of_an_internal_address_is_refused(host):
    policy = outbound.Policy(resolve=lambda name, port: ["127.0.0.1"])
    with pytest.raises(outbound.Refused) as raised:
        outbound.destination(policy, f"https://{host}/token")
    assert str(raised.value) == outbound.REFUSED
    with pytest.raises(outbound.Refused):
        outbound.check_static(policy, f"https://{host}/token")


def test_a_public_address_passes_and_networks_open_exactly_what_they_name():
    resolve = {"idp.corp": ["10.1.2.3"], "public.example": ["93.184.216.34"],
               "mixed.example": ["93.184.216.34", "10.1.2.3"]}
    policy = outbound.Policy(outbound.networks("10.1.0.0/16"),
                             resolve=lambda name, port: resolve[name])
    assert outbound.destination(policy, "https://public.example/t").address == "93.184.216.34"
    assert outbound.destination(policy, "https://idp.corp:8443/t").address == "10.1.2.3"
    with pytest.raises(outbound.Refused):  # every address a name resolves to must pass
        outbound.destination(outbound.Policy(resolve=lambda n, p: resolve[n]),
                             "https://mixed.example/t")
    with pytest.raises(outbound.Refused):  # http only to loopback, only when switched on
        outbound.destination(policy, "http://idp.corp/t")
    with pytest.raises(ValueError, match="10.0.0.0/33"):
        outbound.networks("10.0.0.0/33")


def test_the_policy_setting_is_validated_at_start():
    from webui import config
    with pytest.raises(ValueError, match="^OAUTH_ALLOWED_NETWORKS: expected") as raised:
        config.from_env({"OAUTH_ALLOWED_NETWORKS": "10.0.0.0/8, nonsense"})
    assert "nonsense" not in str(raised.value)
    assert config.from_env({"OAUTH_ALLOWED_NETWORKS": "10.0.0.0/8,::1/128"})[
        "OAUTH_ALLOWED_NETWORKS"] == ["10.0.0.0/8", "::1/128"]


@pytest.mark.parametrize("value, expected", [
    ("120", 120.0), (" 30 ", 30.0), ("86400", 86400.0),
    ("86401", None),            # further than a day: our own back-off applies
    ("99999999999999", None),   # would overflow a timedelta
    ("\u00b2", None),           # a superscript digit: str.isdigit() says yes, int() does not
    ("-5", None), ("1.5", None), ("Wed, 21 Oct 2026 07:28:00 GMT", None), ("", None)])
def test_retry_after_takes_only_plain_seconds_up_to_a_day(value, expected):
    answer = outbound.Answer(503, {"retry-after": value} if value else {}, b"")
    assert answer.retry_after() == expected
