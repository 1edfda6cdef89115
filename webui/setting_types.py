"""The kinds of value a setting holds: how an environment variable's text is parsed and
checked, and how a default is shown in the README's configuration table.

A parser raises ValueError with a message that says what was expected and never repeats the
value: some settings are secrets (keys, passwords, tokens), and the message reaches the
console of whoever starts the server.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable

from limits import parse as parse_limit
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Kind:
    """parse: text -> value (raises ValueError); show: default value -> README text;
    example: a well-formed text (tests set every variable to its kind's example)."""
    parse: Callable[[str], Any]
    show: Callable[[Any], str] = lambda value: f"`{value}`"
    example: str = "x"


def _flag(text: str) -> bool:
    word = text.strip().lower()
    if word not in _TRUE | _FALSE:
        raise ValueError("expected one of 1/0, true/false, yes/no, on/off")
    return word in _TRUE


def _number(cast: Callable[[str], Any], minimum: float, noun: str) -> Callable[[str], Any]:
    def parse(text: str):
        try:
            value = cast(text.strip())
        except ValueError:
            raise ValueError(f"expected {noun}") from None
        if not value >= minimum:  # also refuses NaN
            raise ValueError(f"expected {noun} of at least {minimum:g}")
        return value
    return parse


def _minutes(text: str) -> timedelta:
    return timedelta(minutes=_number(float, 0.0, "a number of minutes")(text))


def _keys(text: str) -> list[str]:
    keys = [k.strip() for k in text.split(",") if k.strip()]
    if not keys:
        raise ValueError("expected comma-separated keys")
    return keys


def _database_url(text: str) -> str:
    try:
        make_url(text.strip())
    except ArgumentError:
        raise ValueError("expected an SQLAlchemy database URL") from None
    return text.strip()


def _rate(text: str) -> str:
    try:
        parse_limit(text)
    except ValueError:
        raise ValueError("expected a rate such as '10 per minute'") from None
    return text.strip()


def _url(schemes: tuple[str, ...]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.strip()
        if not value.startswith(tuple(f"{s}://" for s in schemes)):
            raise ValueError(f"expected a URL starting with {' or '.join(schemes)}://")
        return value
    return parse


def _networks(text: str) -> list[str]:
    networks = []
    for part in (p.strip() for p in text.split(",")):
        if part:
            try:
                networks.append(str(ipaddress.ip_network(part, strict=False)))
            except ValueError:
                raise ValueError("expected comma-separated networks such as "
                                 "10.0.0.0/8,::1") from None
    return networks


def choice(*words: str) -> Kind:
    def parse(text: str) -> str:
        if text.strip().lower() not in words:
            raise ValueError(f"expected one of {', '.join(words)}")
        return text.strip().lower()
    return Kind(parse, example=words[-1])


TEXT = Kind(str.strip, example="some text")
SECRET = Kind(str.strip, lambda value: "none", "s3cret-example")
FLAG = Kind(_flag, lambda value: "on" if value else "off", "yes")
COUNT = Kind(_number(int, 0, "a whole number"), str, "7")
POSITIVE = Kind(_number(int, 1, "a whole number"), str, "9")
TIMEOUT = Kind(_number(float, 0.1, "a number of seconds"), lambda value: f"{value:g} s",
               "2.5")
MINUTES = Kind(_minutes, lambda value: f"{value.total_seconds() / 60:g}", "1.5")
KEYS = Kind(_keys, example="MDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDA=")  # a Fernet key
DATABASE_URL = Kind(_database_url, example="sqlite:////tmp/example.sqlite3")
RATE = Kind(_rate, example="5 per hour")
STORAGE_URL = Kind(_url(("memory", "redis", "rediss", "redis+sentinel")),
                   example="redis://127.0.0.1:6379/11")
BROKER_URL = Kind(_url(("redis", "rediss", "amqp", "amqps")), example="redis://127.0.0.1:6379/1")
HTTP_URL = Kind(_url(("http", "https")), example="https://example.org")
NETWORKS = Kind(_networks, lambda value: ", ".join(value) or "none", "10.0.0.0/8,::1")
