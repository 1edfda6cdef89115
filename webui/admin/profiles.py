"""OAuth profile pages: the signed-in user's profiles, or those of the user they act for."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from webui.admin.binding import (ConfirmForm, attach_error, form_status, page_request,
                                 run_form)
from webui.admin.blueprint import bp
from webui.admin.profile_forms import ProfileEditForm, ProfileForm
from webui.auth.access import acting_name, current_principal, requires
from webui.domain import oauthapps, profiles, rules
from webui.domain.acting import acting_for
from webui.domain.errors import DomainError
from webui.domain.permissions import Permission
from webui.oauthflow.views import begin_new_profile


def _subject(*perms: Permission):
    """Whose profiles are on screen: the acting-for choice, checked by the API's rule."""
    return acting_for(current_principal(), acting_name(), *perms)


@bp.get("/")
@requires()
def index():
    return redirect(url_for("admin.profile_list"))


@bp.get("/oauthprofiles")
@requires()
def profile_list():
    subject = _subject(Permission.VIEW_DATA_SOURCE)
    name = request.args.get("name", "")
    app_arg = request.args.get("oauthAppId") or None
    app_id = rules.id_from_text(app_arg, "oauthAppId") if app_arg else None
    page = profiles.list_profiles(current_principal(), page_request(), for_user=acting_name(),
                                  name_contains=name or None, app_id=app_id)
    return render_template("admin/profile_list.html", page=page, subject=subject, name=name,
                           app_id=app_id, apps=oauthapps.applications_for_choice(subject))


@bp.route("/oauthprofiles/new", methods=["GET", "POST"])
@requires()
def profile_new():
    subject = _subject(Permission.CREATE_DATA_SOURCE)
    form = ProfileForm()
    form.set_applications(oauthapps.applications_for_choice(subject))
    if form.validate_on_submit():
        try:
            if "authorize" in request.form:  # the tokens will come from the provider
                return begin_new_profile(form.data_for_domain())
            profile = profiles.create_profile(current_principal(), form.data_for_domain(),
                                              for_user=acting_name())
        except DomainError as exc:
            attach_error(form, exc)
        else:
            flash(f"OAuth profile {profile.name} created for {subject.user_name}.", "success")
            return redirect(url_for("admin.profile_detail", profile_id=profile.id))
    return render_template("admin/profile_form.html", form=form, profile=None,
                           subject=subject), form_status(form)


@bp.get("/oauthprofiles/<id:profile_id>")
@requires()
def profile_detail(profile_id: int):
    subject = _subject(Permission.VIEW_DATA_SOURCE)
    profile = profiles.get_profile(current_principal(), profile_id, for_user=acting_name())
    return render_template("admin/profile_detail.html", profile=profile, subject=subject,
                           has_access=profile.has_access_token,
                           has_refresh=profile.has_refresh_token)


@bp.route("/oauthprofiles/<id:profile_id>/edit", methods=["GET", "POST"])
@requires()
def profile_edit(profile_id: int):
    subject = _subject(Permission.MODIFY_DATA_SOURCE)
    profile = profiles.get_profile(current_principal(), profile_id, for_user=acting_name())
    form = ProfileEditForm(data={"name": profile.name, "oauthAppId": str(profile.oauth_app_id),
                                 "description": profile.description})
    form.set_applications(oauthapps.applications_for_choice(subject))
    has_access = profile.has_access_token
    done = run_form(form, lambda: profiles.update_profile(
        current_principal(), profile_id, form.data_for_domain(), for_user=acting_name()))
    if done:
        flash(f"OAuth profile {done.value.name} saved.", "success")
        return redirect(url_for("admin.profile_detail", profile_id=profile_id))
    return render_template("admin/profile_form.html", form=form, profile=profile,
                           subject=subject, has_access=has_access,
                           has_refresh=True), form_status(form)


@bp.route("/oauthprofiles/<id:profile_id>/delete", methods=["GET", "POST"])
@requires()
def profile_delete(profile_id: int):
    subject = _subject(Permission.DELETE_DATA_SOURCE)
    profile = profiles.get_profile(current_principal(), profile_id, for_user=acting_name())
    form = ConfirmForm()
    if form.validate_on_submit():
        profiles.delete_profile(current_principal(), profile_id, for_user=acting_name())
        flash(f"OAuth profile {profile.name} deleted.", "success")
        return redirect(url_for("admin.profile_list"))
    return render_template("admin/confirm_delete.html", form=form, subject=subject,
                           noun="OAuth profile", name=profile.name,
                           cancel=url_for("admin.profile_detail", profile_id=profile_id))
