"""Field rules and request schemas, without an app: the one place each rule lives."""
import pytest

from tests.cases import BAD_APP_IDS, BAD_NAME_TYPES, BAD_NAMES, ENDPOINTS, GOOD_NAMES
from webui.domain import rules, schemas
from webui.infra import outbound
from webui.domain.datastores import check_data_store
from webui.domain.errors import Invalid
from webui.domain.pagination import MAX_LIMIT, PageRequest


@pytest.mark.parametrize("name", GOOD_NAMES)
def test_good_names(name):
    assert rules.check_name(name) == name


@pytest.mark.parametrize("name,message", BAD_NAMES)
def test_bad_names(name, message):
    with pytest.raises(Invalid) as raised:
        rules.check_name(name)
    assert (raised.value.message, raised.value.field) == (message, "name")


@pytest.mark.parametrize("value", BAD_NAME_TYPES)
def test_names_must_be_strings(value):
    with pytest.raises(Invalid):
        rules.check_name(value)


@pytest.mark.parametrize("value", BAD_APP_IDS)
def test_ids_are_strict_integers(value):
    with pytest.raises(Invalid) as raised:
        rules.check_id(value, "oauthAppId")
    assert raised.value.field == "oauthAppId"


def test_id_bounds():
    assert rules.check_id(1, "x") == 1 and rules.check_id(2**31 - 1, "x") == 2**31 - 1


@pytest.mark.parametrize("value,well_formed,strict,development", ENDPOINTS)
def test_endpoints_are_well_formed_urls(value, well_formed, strict, development):
    """The form of the URL; where it may point is the outbound policy's (test_outbound)."""
    if well_formed:
        assert rules.check_endpoint(value, "tokenURI") == value
    else:
        with pytest.raises(Invalid):
            rules.check_endpoint(value, "tokenURI")


@pytest.mark.parametrize("check,limit", [(rules.check_description, 1024),
                                         (lambda v: rules.check_token(v, "accessToken"), 8192),
                                         (rules.check_user_name, 128)])
def test_maxima(check, limit):
    assert check("a" * limit) == "a" * limit
    with pytest.raises(Invalid):
        check("a" * (limit + 1))


@pytest.mark.parametrize("value", ["tab\there", "new\nline", "nul\x00", "\x7f", "\ud800"])
def test_single_line_text_refuses_control_characters(value):
    with pytest.raises(Invalid):
        rules.check_token(value, "accessToken")


def test_descriptions_may_have_line_breaks_but_not_nul():
    assert rules.check_description("two\nlines\r\n\ttabbed")
    with pytest.raises(Invalid):
        rules.check_description("nul\x00")


@pytest.mark.parametrize("value", ["", " ", "a:b", " lead", "trail ", "x" * 129, None, 1])
def test_bad_user_names(value):
    with pytest.raises(Invalid):
        rules.check_user_name(value)


@pytest.mark.parametrize("value", [54, 62, 1, 63])
def test_data_store_catalogue(value):
    assert check_data_store(value) == value


@pytest.mark.parametrize("value", [0, 2, 64, True, 54.0, "54"])
def test_unknown_data_stores(value):
    with pytest.raises(Invalid):
        check_data_store(value)


def test_parse_names_the_first_offending_field_and_gives_the_rule_message():
    with pytest.raises(Invalid) as raised:
        schemas.parse(schemas.ProfileCreate, {"name": "bad name", "oauthAppId": 1,
                                              "refreshToken": "r"})
    assert (raised.value.field, raised.value.message) == ("name", rules.NAME_MESSAGE)
    with pytest.raises(Invalid) as raised:
        schemas.parse(schemas.ProfileCreate, {"name": "ok", "refreshToken": "r"})
    assert (raised.value.field, raised.value.message) == ("oauthAppId",
                                                          "Choose an OAuth application.")
    with pytest.raises(Invalid) as raised:
        schemas.parse(schemas.UserCreate, {"userName": "u", "statusInfo": 1})
    assert raised.value.field == "statusInfo"
    with pytest.raises(Invalid):
        schemas.parse(schemas.ProfileCreate, ["not", "an", "object"])


def test_unknown_keys_are_ignored_and_the_mask_counts_as_not_sent():
    model = schemas.parse(schemas.ProfileUpdate, {"description": "d", "refreshToken": "********",
                                                  "csrf_token": "x", "submit": "Save"})
    assert schemas.given(model) == {"description": "d"}


@pytest.mark.parametrize("limit,cursor,expected", [(None, None, (100, 0)), ("1", "5", (1, 5)),
                                                   (str(MAX_LIMIT), None, (MAX_LIMIT, 0))])
def test_page_requests(limit, cursor, expected):
    page = PageRequest.parse(limit, cursor)
    assert (page.limit, page.after) == expected


@pytest.mark.parametrize("limit,cursor", [("0", None), ("1001", None), ("x", None),
                                          ("١", None), (None, "x"), (None, "2147483648")])
def test_bad_page_requests(limit, cursor):
    with pytest.raises(Invalid):
        PageRequest.parse(limit, cursor)


@pytest.mark.parametrize("schema,data,field", [
    (schemas.ProfileCreate, {"name": "p", "oauthAppId": 1, "refreshToken": schemas.MASK},
     "refreshToken"),
    (schemas.AppCreate, {"name": "a", "dataStore": 54, "clientId": "c",
                         "clientSecret": schemas.MASK, "authorizeURI": "https://a.example",
                         "tokenURI": "https://t.example"}, "clientSecret"),
])
def test_the_mask_cannot_stand_in_for_a_required_secret(schema, data, field):
    with pytest.raises(Invalid) as raised:
        schemas.given(schemas.parse(schema, data))
    assert (raised.value.field, raised.value.message) == (field, schemas.missing(field))


def test_the_mask_of_an_optional_secret_on_create_is_no_secret():
    model = schemas.parse(schemas.ProfileCreate, {"name": "p", "oauthAppId": 1,
                                                  "refreshToken": "r", "accessToken": schemas.MASK})
    assert schemas.given(model) == {"name": "p", "oauthAppId": 1, "refreshToken": "r"}


def test_parse_reports_every_offending_field_at_once_in_plain_words():
    with pytest.raises(Invalid) as raised:
        schemas.parse(schemas.AppCreate, {"name": "bad name", "clientSecret": "",
                                          "authorizeURI": "http://evil.example",
                                          "tokenURI": "ftp://x"})
    assert raised.value.errors == [
        ("name", rules.NAME_MESSAGE), ("dataStore", "Choose a data store."),
        ("clientId", "Client id is required."), ("clientSecret", "Client secret is required."),
        ("authorizeURI", "Authorize URI must be an absolute https URL."),
        ("tokenURI", "Token URI must be an absolute https URL.")]
    assert (raised.value.field, raised.value.message) == raised.value.errors[0]


def test_the_endpoint_rule_takes_the_deployment_setting_as_context():
    body = {"name": "a", "dataStore": 54, "clientId": "c", "clientSecret": "s",
            "authorizeURI": "http://127.0.0.1:9/a", "tokenURI": "https://t.example"}
    with pytest.raises(Invalid) as raised:
        schemas.parse(schemas.AppCreate, body)
    assert raised.value.field == "authorizeURI"
    development = outbound.Policy(outbound.networks("127.0.0.0/8"), allow_http_loopback=True)
    assert schemas.parse(schemas.AppCreate, body, {schemas.OUTBOUND_POLICY: development})


def test_nested_fields_are_named_by_their_label():
    with pytest.raises(Invalid) as raised:
        schemas.parse(schemas.UserCreate, {"userName": "u", "statusInfo": {},
                                           "passwordInfo": {}, "permissions": {}})
    assert raised.value.errors == [("statusInfo", "Status is required."),
                                   ("passwordInfo", "Password is required."),
                                   ("permissions", "Roles is required.")]
