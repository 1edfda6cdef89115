"""One table of good and bad inputs, shared by the domain, API and form tests."""
from webui.domain.rules import NAME_MESSAGE

GOOD_NAMES = ["a", "User_1", "Z9", "_", "x" * 128, "Google_User_2"]
# (value, message the domain gives)
BAD_NAMES = [
    ("", "Name is required."),
    ("with space", NAME_MESSAGE),
    ("dash-ed", NAME_MESSAGE),
    ("dot.ted", NAME_MESSAGE),
    ("trailing_newline\n", NAME_MESSAGE),
    ("ünïcode", NAME_MESSAGE),
    ("Ｆullwidth", NAME_MESSAGE),
    ("٣arabic_digit", NAME_MESSAGE),
    ("semi;colon", NAME_MESSAGE),
    ("x" * 129, "Names must be at most 128 characters."),
]
# non-string JSON values for a name
BAD_NAME_TYPES = [None, 12, True, ["a"], {"a": 1}]
# oauthAppId values that are not a valid integer id
BAD_APP_IDS = [True, False, 1.0, "1", None, 0, -1, 2**31, [1]]
# authorizeURI/tokenURI: (value, accepted with ALLOW_HTTP_LOOPBACK_OAUTH off, ... on)
ENDPOINTS = [
    ("https://accounts.google.com/o/oauth2/v2/auth", True, True),
    ("https://login.example.com:8443/oauth/token?x=1", True, True),
    ("http://127.0.0.1:8080/token", False, True),
    ("http://localhost/token", False, True),
    ("http://[::1]:9000/token", False, True),
    ("http://example.com/token", False, False),
    ("http://127.0.0.1.example.com/token", False, False),
    ("ftp://example.com/token", False, False),
    ("/relative/token", False, False),
    ("https://", False, False),
    ("https://user:pw@example.com/token", False, False),
    ("https://example.com/token#frag", False, False),
    ("https://exa mple.com/token", False, False),
    ("https://example.com:99999/token", False, False),
    ("", False, False),
]
