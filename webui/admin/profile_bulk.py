"""Bulk actions of the profile list: select several profiles, confirm on a page that names
them, then test (refresh) or delete each. The use cases decide, profile by profile, exactly
as for the one-profile buttons; one failure does not stop the others."""
from __future__ import annotations

from typing import Callable

from flask import abort, flash, redirect, render_template, url_for

from webui.admin.binding import run_form
from webui.admin.blueprint import bp
from webui.admin.profile_forms import BulkForm
from webui.auth.access import caller
from webui.domain import boards, profiles, refresh
from webui.domain.errors import DomainError
from webui.domain.permissions import Permission


def _test(profile_id: int) -> None:
    refresh.refresh_profile(caller(), profile_id)


def _delete(profile_id: int) -> None:
    profiles.delete_profile(caller(), profile_id)


# action -> (the permission it needs, verb shown, past tense, the use case per profile)
ACTIONS: dict[str, tuple[Permission, str, str, Callable[[int], None]]] = {
    "test": (Permission.MODIFY_DATA_SOURCE, "Test", "Connection OK", _test),
    "delete": (Permission.DELETE_DATA_SOURCE, "Delete", "Deleted", _delete),
}


def _action(form: BulkForm):
    found = ACTIONS.get(form.action.data or "")
    if found is None:
        abort(400)
    return found


def _back():
    return redirect(url_for("admin.profile_list"))


def _refused(form: BulkForm):
    for message in form.ids.errors:
        flash(message, "error")
    return _back()


@bp.post("/oauthprofiles/bulk")
def profile_bulk():
    """The list's selection: show what will be done to which profiles, asking to confirm."""
    form = BulkForm()
    perm, verb, _, _ = _action(form)
    done = run_form(form, lambda: boards.selected_profiles(caller(), form.chosen(), perm))
    if not done:
        return _refused(form)
    return render_template("admin/profile_bulk.html", form=form, action=form.action.data,
                           verb=verb, chosen=done.value, subject=caller().subject)


@bp.post("/oauthprofiles/bulk/run")
def profile_bulk_run():
    """The confirmation: run the action on each selected profile, reporting each result."""
    form = BulkForm()
    perm, _, past, use_case = _action(form)

    def run() -> list[tuple[str, str | None]]:
        results = []
        for profile in boards.selected_profiles(caller(), form.chosen(), perm):
            try:
                use_case(profile.id)
            except DomainError as exc:
                results.append((profile.name, exc.message))
            else:
                results.append((profile.name, None))
        return results

    done = run_form(form, run)
    if not done:
        return _refused(form)
    worked = [name for name, error in done.value if error is None]
    if worked:
        flash(f"{past}: {', '.join(worked)}.", "success")
    for name, error in done.value:
        if error is not None:
            flash(f"{name}: {error}", "error")
    return _back()
