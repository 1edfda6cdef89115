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
