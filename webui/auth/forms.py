"""The login form. No rules here: credentials are checked by domain.sessions.sign_in."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField


class LoginForm(FlaskForm):
    FIELD_USER = "username"  # the throttle counts failed sign-ins by what is typed here
    username = StringField("User name", render_kw={"autocomplete": "username"})
    password = PasswordField("Password", render_kw={"autocomplete": "current-password"})
    next = HiddenField()
