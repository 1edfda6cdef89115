"""Browser sign-in and sign-out (/login, /logout) and the session plumbing of the web UI."""
from webui.auth.blueprint import bp
# Route modules register their views on bp when imported.
from webui.auth import views  # noqa: F401
from webui.auth.session import init_login

__all__ = ["bp", "init_login"]
