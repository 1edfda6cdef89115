"""Field rules. Each rule lives here once; the JSON schemas and the web forms borrow them.

Every check takes the raw value and returns the accepted value or raises Invalid with the
message a person should see and the (JSON) name of the field.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import urlsplit

from webui.domain.errors import Invalid
from webui.models.names import normalized

NAME_MAX = 128
USER_NAME_MAX = 128
DESCRIPTION_MAX = 1024
TOKEN_MAX = 8 * 1024
CLIENT_ID_MAX = 1024
SCOPE_MAX = 1024
URI_MAX = 2048
PASSWORD_MIN = 12
PASSWORD_MAX = 128
ID_MAX = 2**31 - 1  # ids are 32-bit integers in the database
PASSWORD_HINT = (f"{PASSWORD_MIN} to {PASSWORD_MAX} characters, no composition rules; "
                 "common passwords are refused.")

# ASCII letters, digits and underscore, the whole string (fullmatch: no "$" newline loophole).
_NAME = re.compile(r"[A-Za-z0-9_]+", re.ASCII)
NAME_JSON_PATTERN = f"^{_NAME.pattern}$"
NAME_MESSAGE = "Names may use only letters, digits and underscores."
NAME_HINT = f"Letters, digits and underscores; at most {NAME_MAX} characters."
# Control characters (C0, DEL, C1) and lone surrogates cannot be stored faithfully.
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_UNSTORABLE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


LABELS = {"oauthAppId": "OAuth application", "userName": "User name",
          "authorizeURI": "Authorize URI", "tokenURI": "Token URI", "clientId": "Client id",
          "clientSecret": "Client secret", "accessToken": "Access token",
          "refreshToken": "Refresh token", "dataStore": "Data store",
          "statusInfo": "Status", "passwordInfo": "Password", "newPassword": "New password",
          "permissions": "Permissions", "tenantId": "Tenant", "url": "URL"}


def label(field: str) -> str:
    """What a person calls a field (the forms' labels): never the JSON name."""
    return LABELS.get(field, field[:1].upper() + field[1:])



def check_text(value: object, field: str, max_len: int, *, required: bool = False,
               single_line: bool = False) -> str:
    """A string of at most max_len characters with nothing a database would mangle."""
    if not isinstance(value, str):
        raise Invalid(f"{label(field)} must be a string.", field)
    if required and not value.strip():
        raise Invalid(f"{label(field)} is required.", field)
    if len(value) > max_len:
        raise Invalid(f"{label(field)} must be at most {max_len} characters.", field)
    if (_UNSTORABLE_LINE if single_line else _UNSTORABLE).search(value):
        raise Invalid(f"{label(field)} contains characters that are not allowed.", field)
    return value


def storable(value: str, max_len: int) -> bool:
    """Whether check_text(single_line=True) would accept value. A lookup by anything else can
    only miss, and must not be sent: PostgreSQL refuses a NUL in text with an error."""
    return len(value) <= max_len and not _UNSTORABLE_LINE.search(value)


def recordable(value: str, max_len: int) -> str:
    """value cut to max_len, each character check_text refuses replaced by U+FFFD: for
    keeping what a client sent (the user name of a failed sign-in) without failing on it."""
    return _UNSTORABLE_LINE.sub("\ufffd", value[:max_len])


# Format (Cf: zero-width spaces, bidi controls, BOM), line/paragraph separators, private-use
# and unassigned characters: invisible or direction-changing, they make one name look like
# another on every page and in the audit trail.
_INVISIBLE = {"Cf", "Zl", "Zp", "Co", "Cn"}
INVISIBLE_MESSAGE = "{label} contains invisible or direction-changing characters."


def check_visible(text: str, field: str) -> str:
    """Refuses invisible and direction-changing characters (see _INVISIBLE)."""
    if any(unicodedata.category(c) in _INVISIBLE for c in text):
        raise Invalid(INVISIBLE_MESSAGE.format(label=label(field)), field)
    return text


def check_name(value: object, field: str = "name") -> str:
    """The name rule of OAuth applications, profiles and roles' keys: [A-Za-z0-9_]{1,128},
    after NFKC normalization (a full-width "Ｕser_1" is stored as "User_1")."""
    if isinstance(value, str):
        value = normalized(value)
    if not isinstance(value, str) or value == "":
        raise Invalid("Name is required." if value in (None, "") else NAME_MESSAGE, field)
    if len(value) > NAME_MAX:
        raise Invalid(f"Names must be at most {NAME_MAX} characters.", field)
    if not _NAME.fullmatch(value):
        raise Invalid(NAME_MESSAGE, field)
    return value


def check_user_name(value: object, field: str = "userName") -> str:
    """1-128 characters after NFKC normalization, no control, invisible or bidi characters,
    no colon (it ends the name in Basic auth), no surrounding spaces."""
    text = check_visible(check_text(normalized(value) if isinstance(value, str) else value,
                                    field, USER_NAME_MAX, required=True, single_line=True),
                         field)
    if ":" in text:
        raise Invalid("User names cannot contain a colon.", field)
    if text != text.strip():
        raise Invalid("User names cannot start or end with a space.", field)
    return text


def check_role_name(value: object, field: str = "name") -> str:
    """As user names: normalized, visible, single line, no surrounding spaces."""
    text = check_visible(check_text(normalized(value) if isinstance(value, str) else value,
                                    field, NAME_MAX, required=True, single_line=True), field)
    if text != text.strip():
        raise Invalid("Role names cannot start or end with a space.", field)
    return text


def check_tenant_name(value: object, field: str = "name") -> str:
    """1-128 characters, no control characters, no surrounding spaces (HDP states no rule)."""
    text = check_text(value, field, NAME_MAX, required=True, single_line=True)
    if text != text.strip():
        raise Invalid("Tenant names cannot start or end with a space.", field)
    return text


SYSTEM_TENANT = 1


def check_parent_tenant(value: object, field: str = "parentTenant") -> int:
    """HDP: the system tenant (1) is the only possible parent."""
    if check_id(value, field) != SYSTEM_TENANT:
        raise Invalid("The parent tenant must be the system tenant (1).", field)
    return value


# HDP's data source name rule: starts with a letter; then letters, digits, "_" and "-".
_DATA_SOURCE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*", re.ASCII)
DATA_SOURCE_NAME_JSON_PATTERN = f"^{_DATA_SOURCE_NAME.pattern}$"
DATA_SOURCE_NAME_MESSAGE = ("Data source names start with a letter and may use only letters, "
                            "digits, underscores and hyphens.")
OPTIONS_MAX = 100
OPTION_KEY_MAX = 128
OPTION_VALUE_MAX = 1024
PROFILE_OPTION = "OAuthProfileId"


def check_data_source_name(value: object, field: str = "name") -> str:
    if not isinstance(value, str) or value == "":
        raise Invalid("Name is required." if value in (None, "") else DATA_SOURCE_NAME_MESSAGE,
                      field)
    if len(value) > NAME_MAX:
        raise Invalid(f"Names must be at most {NAME_MAX} characters.", field)
    if not _DATA_SOURCE_NAME.fullmatch(value):
        raise Invalid(DATA_SOURCE_NAME_MESSAGE, field)
    return value


def check_options(value: object, field: str = "options") -> dict[str, str]:
    """A data source's options: a JSON object of strings (HDP sends every option as a
    string); ``OAuthProfileId``, when present, the id of a profile in decimal digits."""
    if not isinstance(value, dict):
        raise Invalid("Options must be a JSON object of strings.", field)
    if len(value) > OPTIONS_MAX:
        raise Invalid(f"Options may hold at most {OPTIONS_MAX} entries.", field)
    for key, item in value.items():
        check_text(key, field, OPTION_KEY_MAX, required=True, single_line=True)
        if not isinstance(item, str):
            raise Invalid(f"Option {key} must be a string.", field)
        check_text(item, field, OPTION_VALUE_MAX)
    if PROFILE_OPTION in value and value[PROFILE_OPTION] != "":
        try:
            id_from_text(value[PROFILE_OPTION], field)
        except Invalid:
            raise Invalid(f"Option {PROFILE_OPTION} must be a profile id (digits).",
                          field) from None
    return dict(value)


def check_description(value: object, field: str = "description") -> str:
    return check_text(value, field, DESCRIPTION_MAX)


def check_token(value: object, field: str, *, required: bool = False) -> str:
    return check_text(value, field, TOKEN_MAX, required=required, single_line=True)


def check_client_id(value: object, field: str = "clientId") -> str:
    return check_text(value, field, CLIENT_ID_MAX, required=True, single_line=True)


def check_client_secret(value: object, field: str = "clientSecret") -> str:
    return check_text(value, field, TOKEN_MAX, required=True, single_line=True)


def check_scope(value: object, field: str = "scope") -> str:
    return check_text(value, field, SCOPE_MAX, single_line=True)


def check_id(value: object, field: str) -> int:
    """A positive 32-bit integer; bools, floats and strings are refused."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"{label(field)} must be an integer.", field)
    if not 1 <= value <= ID_MAX:
        raise Invalid(f"{label(field)} must be between 1 and {ID_MAX}.", field)
    return value


def check_id_list(value: Any, field: str) -> list[int]:
    """A list of at most 1000 ids, sorted, without repeats."""
    if not isinstance(value, list):
        raise Invalid(f"{label(field)} must be a list of ids.", field)
    if len(value) > 1000:
        raise Invalid(f"{label(field)} may list at most 1000 ids.", field)
    return sorted({check_id(v, field) for v in value})


def check_role_ids(value: Any, field: str) -> list[int]:
    ids = check_id_list(value, field)
    if not ids:
        raise Invalid("A user needs at least one role.", field)
    return ids


def check_status(value: Any, field: str) -> int:
    if isinstance(value, bool) or value not in (0, 1):
        raise Invalid("status must be 0 (inactive) or 1 (active).", field)
    return value


def check_flag(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"{label(field)} must be true or false.", field)
    return value


def id_from_text(text: str, field: str) -> int:
    """An id given as text (a query-string filter). Raises Invalid."""
    if not (text.isascii() and text.isdigit() and len(text) <= 10):
        raise Invalid(f"{label(field)} must be an integer.", field)
    return check_id(int(text), field)


def https_message(field: str) -> str:
    return f"{label(field)} must be an absolute https URL."


def check_endpoint(value: object, field: str) -> str:
    """An absolute http(s) URL with a host, and no user info, fragment or white space. Where
    it may point (https to a public address, http only to loopback in development) is the
    outbound policy's to judge: webui/domain/provider_calls.py check_endpoint."""
    text = check_text(value, field, URI_MAX, required=True, single_line=True)
    message = https_message(field)
    if any(c.isspace() for c in text):
        raise Invalid(message, field)
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise Invalid(message, field) from None
    if not host or parts.username or parts.password or parts.fragment \
            or parts.scheme not in ("https", "http"):
        raise Invalid(message, field)
    return text
