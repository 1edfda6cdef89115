"""The one outbound policy: every call this server makes to the outside (OAuth token endpoints,
webhook receivers) goes through ``send``. A provider is as untrusted as a client.

- Where: the host is resolved once (IP literals in every spelling, "127.1", "2130706433",
  "0x7f000001", "::ffff:127.0.0.1", are parsed as the C library parses them) and EVERY address
  it resolves to must be globally routable (not loopback, private, link-local, unspecified,
  multicast, shared or reserved; an address embedded in IPv4-mapped, 6to4 or Teredo IPv6 is
  judged too), unless it lies in one of ``allowed_networks`` (OAUTH_ALLOWED_NETWORKS: an
  on-premises identity provider, the tests' local provider). The connection goes to the
  address that was checked: no second lookup, so DNS cannot change its answer in between.
  https only; http only to a loopback address when ``allow_http_loopback`` (the development
  switch ALLOW_HTTP_LOOPBACK_OAUTH). A refused destination is never contacted and is refused
  in one wording, so neither the answer nor its timing tells anything about the target.
- How long: one total deadline for connect, request and every read (a watchdog shuts the
  socket when it passes), under gunicorn's worker timeout; no redirects (a 3xx is a failure).
- How much: the body is capped as received and as decoded; gzip/deflate are decoded up to the
  same cap, any other content encoding is refused.

The figures that asked for it (an adversarial review of the outbound side): a 400 KB gzip body
(400 MiB unpacked) took a worker to ~1.3 GB; a provider trickling a byte a second kept a refresh
going 30 s until gunicorn killed the worker and stalled an unrelated admin request 27.5 s;
127.0.0.1, 169.254.169.254, 10/8 and their other spellings were accepted and contacted, and the
answer's timing and wording told open from closed ports.
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
import time
import zlib
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping
from urllib.parse import urlsplit

REFUSED = "not an allowed outbound destination"
_DECODABLE = {"gzip": 47, "x-gzip": 47, "deflate": 15 + 32}  # zlib wbits: gzip or zlib header
_CHUNK = 16 * 1024
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(Exception):
    """The destination may not be contacted (and was not). ``str()`` is the one wording."""

    def __init__(self, reason: str = REFUSED):
        super().__init__(reason)
        self.reason = reason


class Failed(Exception):
    """The call went out and failed. ``kind``: timeout, unreachable, tls, redirect,
    too_large, encoding, protocol."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


def system_resolve(host: str, port: int) -> list[str]:
    """The addresses of a host NAME (literals never get here). Raises OSError."""
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def networks(text: str | Iterable[str] | None) -> tuple:
    """OAUTH_ALLOWED_NETWORKS as networks ("10.1.0.0/16, ::1/128", or a list). Raises
    ValueError naming a malformed entry."""
    items = text.split(",") if isinstance(text, str) else (text or [])
    found = []
    for item in (i.strip() for i in items):
        if item:
            try:
                found.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ValueError(f"{item!r} is not a network (CIDR)") from None
    return tuple(found)


@dataclass(frozen=True)
class Policy:
    allowed_networks: tuple = ()
    allow_http_loopback: bool = False
    deadline: float = 20.0
    connect_timeout: float = 5.0
    max_body: int = 64 * 1024
    ca_bundle: str | None = None
    resolve: Callable[[str, int], list[str]] = field(default=system_resolve, compare=False)

    @classmethod
    def from_config(cls, config: Mapping) -> "Policy":
        return cls(networks(config.get("OAUTH_ALLOWED_NETWORKS")),
                   bool(config.get("ALLOW_HTTP_LOOPBACK_OAUTH")),
                   float(config.get("OUTBOUND_DEADLINE_SECONDS", 20.0)),
                   float(config.get("OAUTH_CONNECT_TIMEOUT", 5.0)),
                   int(config.get("OUTBOUND_MAX_BODY_BYTES", 64 * 1024)),
                   config.get("OAUTH_CA_BUNDLE") or None,
                   config.get("OUTBOUND_RESOLVER") or system_resolve)


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str       # as written: the Host header, TLS SNI and certificate name
    port: int
    address: str    # the checked address the connection goes to
    target: str     # path and query


RETRY_AFTER_MAX_SECONDS = 86400


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]  # lower-cased names
    body: bytes

    def retry_after(self) -> float | None:
        """The delay-seconds form of Retry-After when it is ASCII digits and at most a day
        (a far-off or odd value is ignored: the caller's own back-off applies), else None."""
        value = self.headers.get("retry-after", "").strip()
        if value.isascii() and value.isdigit() and int(value) <= RETRY_AFTER_MAX_SECONDS:
            return float(value)
        return None


def _embedded(ip: Address) -> list[Address]:
    """ip, and the IPv4 address it carries (IPv4-mapped, 6to4, Teredo), if any."""
    found = [ip]
    if ip.version == 6:
        found += [a for a in (ip.ipv4_mapped, ip.sixtofour) if a is not None]
        if ip.teredo is not None:
            found += list(ip.teredo)
    return found


def _routable(ip: Address) -> bool:
    return ip.is_global and not ip.is_multicast and not ip.is_reserved


def address_allowed(policy: Policy, ip: Address) -> bool:
    """Whether the policy lets a connection reach ip."""
    if any(ip in net for net in policy.allowed_networks if net.version == ip.version):
        return True
    carried = _embedded(ip)
    if any(a in net for a in carried[1:] for net in policy.allowed_networks
           if net.version == a.version):
        return True
    return all(_routable(a) for a in carried)


def _literal(host: str) -> list[str] | None:
    """The address of an IP literal in any spelling the C library accepts ("127.1",
    "2130706433", "0x7f000001", "0177.0.0.1", IPv6), else None (a name)."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    try:
        return [socket.inet_ntoa(socket.inet_aton(host))]
    except (OSError, UnicodeError, ValueError):
        return None


def _parts(url: str):
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Refused() from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise Refused()
    return parts, port or (443 if parts.scheme == "https" else 80)


def _judge(policy: Policy, scheme: str, addresses: list[str]) -> None:
    ips = [ipaddress.ip_address(a.split("%", 1)[0]) for a in addresses]
    if not ips or not all(address_allowed(policy, ip) for ip in ips):
        raise Refused()
    if scheme == "http" and not (policy.allow_http_loopback
                                 and all(a.is_loopback for ip in ips for a in _embedded(ip)[-1:])):
        raise Refused()


def check_static(policy: Policy, url: str) -> None:
    """What can be judged without a DNS lookup (when an application is saved): the scheme,
    and the address of an IP literal or of ``localhost``. Raises Refused."""
    parts, _ = _parts(url)
    host = parts.hostname
    if host == "localhost" or host.endswith(".localhost"):
        addresses = ["127.0.0.1"]
    else:
        addresses = _literal(host)
    if addresses is not None:
        _judge(policy, parts.scheme, addresses)
    elif parts.scheme == "http":
        raise Refused()  # http is for loopback only, and a name is not known to be loopback


def destination(policy: Policy, url: str) -> Destination:
    """Resolve and check url's host. Raises Refused (never contacted)."""
    parts, port = _parts(url)
    host = parts.hostname
    addresses = _literal(host)
    if addresses is None:
        if host == "localhost" or host.endswith(".localhost"):
            addresses = ["127.0.0.1"]
        else:
            try:
                addresses = policy.resolve(host, port)
            except (OSError, UnicodeError, ValueError):
                raise Refused() from None
    _judge(policy, parts.scheme, addresses)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Destination(parts.scheme, host, port, addresses[0], target)


class _Pinned(http.client.HTTPConnection):
    """Connects to the checked address, whatever the host name resolves to now."""

    def __init__(self, dest: Destination, timeout: float):
        super().__init__(dest.host, dest.port, timeout=timeout)
        self._address = dest.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedTLS(http.client.HTTPSConnection):
    def __init__(self, dest: Destination, timeout: float, context: ssl.SSLContext):
        super().__init__(dest.host, dest.port, timeout=timeout, context=context)
        self._address = dest.address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


def _tls_context(policy: Policy) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=policy.ca_bundle)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def send(policy: Policy, method: str, url: str, body: bytes | None,
         headers: Mapping[str, str]) -> Answer:
    """One request under the policy. Raises Refused (not contacted) or Failed."""
    dest = destination(policy, url)
    deadline = time.monotonic() + policy.deadline
    timeout = min(policy.connect_timeout, policy.deadline)
    conn = _PinnedTLS(dest, timeout, _tls_context(policy)) if dest.scheme == "https" \
        else _Pinned(dest, timeout)
    expired = threading.Event()
    sockets: list[socket.socket] = []  # http.client forgets it once a response owns it

    def watchdog() -> None:  # the total deadline, whatever each read's timeout says
        expired.set()
        for sock in sockets or [s for s in (conn.sock,) if s is not None]:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    timer = threading.Timer(policy.deadline, watchdog)
    timer.daemon = True
    timer.start()
    try:
        # http.client asks for "Accept-Encoding: identity"; a compressed answer is decoded
        # within the cap all the same.
        conn.request(method, dest.target, body=body, headers=dict(headers))
        if conn.sock is not None:
            sockets.append(conn.sock)
            conn.sock.settimeout(max(0.01, deadline - time.monotonic()))
        response = conn.getresponse()
        if 300 <= response.status < 400:
            raise Failed("redirect")
        raw = _read_capped(response, policy.max_body)
        if expired.is_set():  # the watchdog's shutdown reads as an early end of the body
            raise Failed("timeout")
        found = {k.lower(): v for k, v in response.getheaders()}
        return Answer(response.status, found, _decoded(raw, found, policy.max_body))
    except Failed:
        raise
    except (TimeoutError, socket.timeout):
        raise Failed("timeout") from None
    except ssl.SSLError:
        raise Failed("timeout" if expired.is_set() else "tls") from None
    except (http.client.HTTPException, ValueError):
        raise Failed("timeout" if expired.is_set() else "protocol") from None
    except OSError:
        raise Failed("timeout" if expired.is_set() else "unreachable") from None
    finally:
        timer.cancel()
        conn.close()


def _read_capped(response: http.client.HTTPResponse, cap: int) -> bytes:
    declared = response.getheader("Content-Length")
    if declared is not None and declared.strip().isdigit() and int(declared) > cap:
        raise Failed("too_large")
    chunks, total = [], 0
    while True:
        chunk = response.read(min(_CHUNK, cap + 1 - total))
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > cap:
            raise Failed("too_large")
        chunks.append(chunk)


def _decoded(raw: bytes, headers: Mapping[str, str], cap: int) -> bytes:
    encoding = headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("", "identity"):
        return raw
    if encoding not in _DECODABLE:
        raise Failed("encoding")
    inflater = zlib.decompressobj(_DECODABLE[encoding])
    try:
        plain = inflater.decompress(raw, cap + 1)
    except zlib.error:
        raise Failed("encoding") from None
    if len(plain) > cap or inflater.unconsumed_tail:
        raise Failed("too_large")
    return plain
