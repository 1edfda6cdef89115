"""The browser side of the authorization-code flow: starting it (new profile, re-authorize),
the /oauth2callback, and "Test connection". Rules live in webui.domain.authorization and
webui.domain.refresh."""
from webui.oauthflow.views import bp

__all__ = ["bp"]
