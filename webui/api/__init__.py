"""The JSON Management API (HDP-compatible), under /api/. HTTP Basic auth on every call."""
from webui.api.blueprint import bp
# Route modules register their views on bp when imported.
from webui.api import (account, admin_catalogue, admin_roles, admin_tenants,  # noqa: F401
                       admin_user_details, admin_users, admin_webhooks, datasources,
                       oauthapps, openapi, profiles, refresh, tokens)

__all__ = ["bp"]
