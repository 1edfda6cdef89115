"""OAuth profile pages: the signed-in user's profiles, or those of the user they act for."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from webui.admin.binding import (ConfirmForm, board_request, form_status, mark_required,
                                 run_form)
from webui.admin.blueprint import bp
from webui.admin.profile_forms import BulkForm, ProfileEditForm, ProfileForm
from webui.auth.access import caller
from webui.domain import boards, datasources, oauthapps, profiles, rules, schemas
from webui.domain.permissions import Permission
from webui.oauthflow.views import begin_new_profile


@bp.get("/")
def index():
    return redirect(url_for("admin.profile_list"))


@bp.get("/oauthprofiles")
def profile_list():
    app_arg = request.args.get("oauthAppId") or None
    app_id = rules.id_from_text(app_arg, "oauthAppId") if app_arg else None
    status = request.args.get("status") or None
    board = boards.profile_board(caller(), board_request(), app_id=app_id, status=status)
    return render_template("admin/profile_list.html", board=board, subject=caller().subject,
                           app_id=app_id, status=status, bulk=BulkForm(),
                           apps=oauthapps.applications_for_choice(caller()))


@bp.route("/oauthprofiles/new", methods=["GET", "POST"])
def profile_new():
    form = ProfileForm()
    mark_required(form, schemas.ProfileCreate)
    if "authorize" in request.form:
        # The tokens will come from the provider; the same checks as a plain save first.
        done = run_form(form, lambda: begin_new_profile(form.data_for_domain()))
        if done:
            return done.value
    else:
        done = run_form(form, lambda: profiles.create_profile(caller(), form.data_for_domain()))
        if done:
            flash(f"OAuth profile {done.value.name} created for {caller().subject.user_name}.",
                  "success")
            return redirect(url_for("admin.profile_detail", profile_id=done.value.id))
    # Read only to render the form (a successful POST never needs them); also the
    # permission check of a GET.
    form.set_applications(oauthapps.applications_for_choice(
        caller(), Permission.CREATE_DATA_SOURCE))
    return render_template("admin/profile_form.html", form=form, profile=None,
                           subject=caller().subject), form_status(form)


@bp.get("/oauthprofiles/<id:profile_id>")
def profile_detail(profile_id: int):
    profile = profiles.get_profile(caller(), profile_id)
    return render_template("admin/profile_detail.html", profile=profile,
                           subject=caller().subject,
                           stats=datasources.profile_stats(caller(), profile_id))


@bp.route("/oauthprofiles/<id:profile_id>/edit", methods=["GET", "POST"])
def profile_edit(profile_id: int):
    profile = profiles.get_profile(caller(), profile_id, purpose=Permission.MODIFY_DATA_SOURCE)
    form = ProfileEditForm(data={"name": profile.name, "oauthAppId": str(profile.oauth_app_id),
                                 "description": profile.description})
    done = run_form(form, lambda: profiles.update_profile(caller(), profile_id,
                                                          form.data_for_domain()))
    if done:
        flash(f"OAuth profile {done.value.name} saved.", "success")
        return redirect(url_for("admin.profile_detail", profile_id=profile_id))
    form.set_applications(oauthapps.applications_for_choice(
        caller(), Permission.MODIFY_DATA_SOURCE))
    return render_template("admin/profile_form.html", form=form, profile=profile,
                           subject=caller().subject), form_status(form)


@bp.route("/oauthprofiles/<id:profile_id>/delete", methods=["GET", "POST"])
def profile_delete(profile_id: int):
    profile = profiles.get_profile(caller(), profile_id, purpose=Permission.DELETE_DATA_SOURCE)
    linked = datasources.profile_stats(caller(), profile_id).data_sources
    form = ConfirmForm()
    if run_form(form, lambda: profiles.delete_profile(caller(), profile_id)):
        flash(f"OAuth profile {profile.name} deleted.", "success")
        return redirect(url_for("admin.profile_list"))
    return render_template("admin/confirm_delete.html", form=form, subject=caller().subject,
                           noun="OAuth profile", name=profile.name, warning=_unlinks(linked),
                           cancel=url_for("admin.profile_detail", profile_id=profile_id)), \
        form_status(form)


def _unlinks(linked) -> str | None:
    """The delete page's warning: the data sources that lose the profile, and how many."""
    if not linked:
        return None
    names = ", ".join(d.name for d in linked)
    noun = "data source uses" if len(linked) == 1 else "data sources use"
    return (f"{len(linked)} {noun} this profile: {names}. They are kept, without an OAuth "
            "profile.")
