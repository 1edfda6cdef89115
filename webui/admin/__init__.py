"""The server-rendered admin UI: OAuth profiles and applications, users, roles, acting on
behalf. A thin door into the same domain use cases as the JSON API."""
from webui.admin.blueprint import bp
# Route modules register their views on bp when imported.
from webui.admin import (acting, audit, oauthapps, profiles, roles, users,  # noqa: F401
                         webhooks)

__all__ = ["bp"]
