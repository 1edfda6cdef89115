"""The one table of 9-digit error codes sent in the HDP error envelope.

Codes from HDP's documentation keep their numbers; the 2222090xx range is ours. The README's
error code table lists this table; tests/test_readme.py keeps the two equal.
"""
from enum import Enum


class Code(str, Enum):
    # HDP's own codes
    DATA_SOURCE_NOT_FOUND = "222207004"  # There is no DataSource with that id: {0}.
    INVALID_JSON = "222207007"          # Invalid JSON Input: {0}
    PROFILE_NOT_FOUND = "222207710"     # Invalid OAuthProfileId: {id}
    APPLICATION_NOT_FOUND = "222207711"  # Invalid OAuthApplicationId: {id}
    USER_NOT_FOUND = "222207916"        # There is no User with that id: {id}.
    ROLE_NOT_FOUND = "222207924"        # There is no Role with that id: {id}
    FORBIDDEN = "222208103"             # You lack the permissions to access this url.
    PERMISSION_NOT_FOUND = "222208553"  # There is no Permission with that id: {id}
    TENANT_NOT_FOUND = "222208573"      # There is no Tenant with that id: {id}.
    # Ours
    INVALID_INPUT = "222209000"
    NOT_AUTHENTICATED = "222209001"
    NAME_TAKEN = "222209002"
    RULE_VIOLATION = "222209003"        # e.g. removing the last active Administrator
    NOT_FOUND = "222209004"             # unknown route
    METHOD_NOT_ALLOWED = "222209005"
    BODY_TOO_LARGE = "222209006"
    UNSUPPORTED_MEDIA_TYPE = "222209007"
    TOO_MANY_REQUESTS = "222209008"
    INTERNAL_ERROR = "222209009"
    PROVIDER_ERROR = "222209010"        # the OAuth provider refused or failed
    CONCURRENT_CHANGE = "222209011"     # another request changed or deleted it meanwhile
    NEEDS_REAUTHORIZATION = "222209012"  # the owner must authorize the profile again


# Status used for each code when it is raised as an HTTP error.
DESCRIPTIONS = {
    Code.DATA_SOURCE_NOT_FOUND: (404, "No data source with that id is visible to the caller."),
    Code.INVALID_JSON: (400, "The body is not valid JSON, or not a JSON object."),
    Code.PROFILE_NOT_FOUND: (404, "No OAuth profile with that id is visible to the caller."),
    Code.APPLICATION_NOT_FOUND: (404, "No OAuth application with that id is visible "
                                      "(400 when named in a request body)."),
    Code.USER_NOT_FOUND: (404, "No such user (also an unknown ?user=; 400 when named in a body)."),
    Code.ROLE_NOT_FOUND: (404, "No such role (400 when named in a body)."),
    Code.FORBIDDEN: (403, "The caller lacks a permission the operation needs."),
    Code.PERMISSION_NOT_FOUND: (404, "No such permission id (400 when named in a body)."),
    Code.TENANT_NOT_FOUND: (404, "No such tenant, or none the caller administers "
                                 "(400 when named in a body)."),
    Code.INVALID_INPUT: (400, "A field is missing, of the wrong type, too long or malformed."),
    Code.NOT_AUTHENTICATED: (401, "Missing or wrong credentials, or an inactive user."),
    Code.NAME_TAKEN: (409, "The name is already taken in its scope."),
    Code.RULE_VIOLATION: (409, "The change would break a standing rule "
                               "(e.g. no active Administrator left)."),
    Code.NOT_FOUND: (404, "No such URL."),
    Code.METHOD_NOT_ALLOWED: (405, "The URL exists but not for this method."),
    Code.BODY_TOO_LARGE: (413, "The body exceeds 64 KiB."),
    Code.UNSUPPORTED_MEDIA_TYPE: (415, "The body is not sent as application/json."),
    Code.TOO_MANY_REQUESTS: (429, "Too many failed sign-ins; retry after Retry-After seconds."),
    Code.INTERNAL_ERROR: (500, "An unexpected error; nothing was written."),
    Code.PROVIDER_ERROR: (502, "The OAuth provider refused the request or did not answer."),
    Code.CONCURRENT_CHANGE: (409, "Another request changed or deleted the object meanwhile; "
                                  "reload and retry."),
    Code.NEEDS_REAUTHORIZATION: (409, "The profile must be authorized again by its owner "
                                      "(the provider refused its grant, or its application's "
                                      "endpoints or client changed); no token is handed out."),
}
