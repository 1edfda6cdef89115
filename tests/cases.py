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
    ("٣arabic_digit", NAME_MESSAGE),
    ("semi;colon", NAME_MESSAGE),
    ("x" * 129, "Names must be at most 128 characters."),
]
# non-string JSON values for a name
BAD_NAME_TYPES = [None, 12, True, ["a"], {"a": 1}]
# oauthAppId values that are not a valid integer id
BAD_APP_IDS = [True, False, 1.0, "1", None, 0, -1, 2**31, [1]]
# authorizeURI/tokenURI: (value, well-formed (rules.check_endpoint), accepted with nothing
# opened, accepted for development: ALLOW_HTTP_LOOPBACK_OAUTH on and the loopback networks in
# OAUTH_ALLOWED_NETWORKS). Every spelling of an internal address is refused unless opened.
ENDPOINTS = [
    ("https://accounts.google.com/o/oauth2/v2/auth", True, True, True),
    ("https://login.example.com:8443/oauth/token?x=1", True, True, True),
    ("http://127.0.0.1:8080/token", True, False, True),
    ("http://localhost/token", True, False, True),
    ("http://[::1]:9000/token", True, False, True),
    ("https://127.0.0.1/token", True, False, True),
    ("https://127.1/token", True, False, True),
    ("https://2130706433/token", True, False, True),
    ("https://0x7f000001/token", True, False, True),
    ("https://0177.0.0.1/token", True, False, True),
    ("https://[::ffff:127.0.0.1]/token", True, False, True),
    ("https://localhost/token", True, False, True),
    ("https://169.254.169.254/latest/meta-data", True, False, False),
    ("https://[::ffff:169.254.169.254]/token", True, False, False),
    ("https://10.1.2.3/token", True, False, False),
    ("https://192.168.0.1/token", True, False, False),
    ("https://172.16.0.1/token", True, False, False),
    ("https://100.64.0.1/token", True, False, False),
    ("https://0.0.0.0/token", True, False, False),
    ("https://0/token", True, False, False),
    ("https://224.0.0.1/token", True, False, False),
    ("https://[fe80::1]/token", True, False, False),
    ("https://[fc00::1]/token", True, False, False),
    ("http://example.com/token", True, False, False),
    ("http://127.0.0.1.example.com/token", True, False, False),
    ("ftp://example.com/token", False, False, False),
    ("/relative/token", False, False, False),
    ("https://", False, False, False),
    ("https://user:pw@example.com/token", False, False, False),
    ("https://example.com/token#frag", False, False, False),
    ("https://exa mple.com/token", False, False, False),
    ("https://example.com:99999/token", False, False, False),
    ("", False, False, False),
]
# The settings of each column after the first two.
STRICT = {"ALLOW_HTTP_LOOPBACK_OAUTH": False, "OAUTH_ALLOWED_NETWORKS": ""}
DEVELOPMENT = {"ALLOW_HTTP_LOOPBACK_OAUTH": True, "OAUTH_ALLOWED_NETWORKS": "127.0.0.0/8,::1/128"}
