"""The server-rendered admin UI: OAuth profiles and applications, data sources, users, roles,
tenants, one's own account, acting on behalf. A thin door into the same domain use cases as
the JSON API."""
from webui.admin.blueprint import bp
# Route modules register their views on bp when imported.
from webui.admin import (account, acting, audit, datasources, oauthapps,  # noqa: F401
                         profile_bulk, profiles, roles, tenants, users, webhooks)

__all__ = ["bp"]
