"""Between HTML forms and use cases: typed values out of form text, DomainErrors back onto
the form's fields, list paging from the query string. No rule is decided here."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Generic, Mapping, TypeVar

from flask import flash, request
from flask_wtf import FlaskForm

from webui.domain import schemas
from webui.domain.board import BoardRequest
from webui.domain.errors import DomainError, Invalid
from webui.domain.pagination import PageRequest
from webui.domain.rules import id_from_text

UI_PAGE_SIZE = "25"
T = TypeVar("T")


class ConfirmForm(FlaskForm):
    """Nothing but the CSRF token: for destructive or one-click buttons (POST)."""


def number(text: str | None) -> object:
    """An id typed into a form: an int when it is one, else the text as sent, so that the
    domain rejects it with its own message."""
    if text is not None and text.isascii() and text.isdigit() and len(text) <= 10:
        return int(text)
    return text


def numbers(texts: list[str] | None) -> list:
    return [number(t) for t in texts or []]


def mark_required(form: FlaskForm, schema: type[schemas.Schema],
                  fields: Mapping[str, str] | None = None) -> None:
    """Flag the fields of form that schema requires (the templates mark them), by the
    schema's own list: the rule is not restated here. Check boxes are never marked."""
    for name in schemas.required(schema):
        field = form._fields.get((fields or {}).get(name, name))
        if field is not None and field.type != "BooleanField":
            field.flags.required = True


def attach_error(form: FlaskForm, exc: DomainError,
                 fields: Mapping[str, str] | None = None) -> None:
    """Show each problem of exc (every one an Invalid lists) next to the form field it
    concerns (renamed via fields when the form's name differs from the JSON name), or as a
    flash message when no field matches."""
    problems = exc.errors if isinstance(exc, Invalid) else [(exc.field, exc.message)]
    for name, message in problems:
        field = _form_field(form, name, fields)
        if field is None:
            flash(message, "error")
        elif message not in field.errors:
            field.errors = [*field.errors, message]


def _form_field(form: FlaskForm, name: str | None, fields: Mapping[str, str] | None):
    """The field of form called name in the domain, if the form has one."""
    name = (fields or {}).get(name, name) if name else None
    return form._fields.get(name) if name and name != "csrf_token" else None


@dataclass(frozen=True)
class Done(Generic[T]):
    """A use case that ran through: always true, holding what it returned."""
    value: T


def run_form(form: FlaskForm, call: Callable[[], T],
             fields: Mapping[str, str] | None = None) -> Done[T] | None:
    """The one way a page runs a form: for a valid POST of form, run call() (a use case) and
    return Done(its result). None when the form was not submitted or not valid, or when the
    domain refused: its DomainError is then on the form (attach_error), ready to be rendered
    again. A refusal that is about the page, not the input (403 or 404 naming no field of the
    form), propagates to the app-wide error page."""
    if not form.validate_on_submit():
        return None
    try:
        return Done(call())
    except DomainError as exc:
        if exc.status in (403, 404) and _form_field(form, exc.field, fields) is None:
            raise
        attach_error(form, exc, fields)
        return None


def form_status(form: FlaskForm) -> int:
    """The status of a page showing form: 422 when it comes back refused (the POST did not
    go through), 200 when it is shown fresh."""
    return 422 if form.is_submitted() else 200


def board_request() -> BoardRequest:
    """?page=, ?sort=, ?dir= and ?q= of a status board (Invalid: the 400 page)."""
    return BoardRequest.parse(request.args)


def page_request() -> PageRequest:
    """?limit= and ?cursor= as the API reads them (Invalid: the 400 page)."""
    return PageRequest.parse(request.args.get("limit") or UI_PAGE_SIZE,
                             request.args.get("cursor"))


def tenant_filter() -> int | None:
    """?tenantId= of a list page (Invalid: the 400 page)."""
    text = request.args.get("tenantId") or None
    return None if text is None else id_from_text(text, "tenantId")
