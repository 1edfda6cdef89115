"""The API keeps no cookie session: it authenticates from the Authorization header only.

Requests under /api/ get Flask's null session, so the session cookie of a browser signed in
to the UI is never even read there (a cross-site request cannot ride on it), and answers
never set one. It also spares every API call building the cookie's signing serializer.
"""
from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface

from webui.doors import is_api_path


class SessionlessApi(SecureCookieSessionInterface):
    def open_session(self, app, request):
        if is_api_path(request.path):
            return None  # Flask substitutes its null session
        return super().open_session(app, request)
