"""Webhook pages (Administrator, decided by domain.webhooks): endpoints, their deliveries
with status, attempts and last error, and a "send a test event" button. The signing secret is
shown once, on the page that answers the create; it never reaches a flash message, the
session or a log."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from webui.admin.binding import ConfirmForm, form_status, page_request, run_form
from webui.admin.blueprint import bp
from webui.admin.webhook_forms import FIELDS, WebhookForm
from webui.auth.access import caller
from webui.domain import webhooks
from webui.domain.events import subscribed


@bp.get("/webhooks")
def webhook_list():
    page = webhooks.list_webhooks(caller(), page_request())
    return render_template("admin/webhook_list.html", page=page, subscribed=subscribed)


@bp.route("/webhooks/new", methods=["GET", "POST"])
def webhook_new():
    webhooks.require_may_manage(caller())
    form = WebhookForm()
    done = run_form(form, lambda: webhooks.create_webhook(caller(), form.data_for_domain()),
                    FIELDS)
    if done:
        return render_template("admin/webhook_created.html", webhook=done.value.endpoint,
                               secret=done.value.secret), 201
    return render_template("admin/webhook_form.html", form=form, webhook=None), \
        form_status(form)


@bp.route("/webhooks/<id:webhook_id>", methods=["GET", "POST"])
def webhook_edit(webhook_id: int):
    webhook = webhooks.get_webhook(caller(), webhook_id)
    form = WebhookForm(data={"endpoint_url": webhook.url, "events": subscribed(webhook.events),
                             "description": webhook.description, "active": webhook.active})
    done = run_form(form, lambda: webhooks.update_webhook(caller(), webhook_id,
                                                          form.data_for_domain()), FIELDS)
    if done:
        flash("Webhook saved.", "success")
        return redirect(url_for("admin.webhook_edit", webhook_id=webhook_id))
    deliveries = webhooks.list_deliveries(caller(), webhook_id, page_request())
    return render_template("admin/webhook_form.html", form=form, webhook=webhook,
                           deliveries=deliveries, test_form=ConfirmForm()), form_status(form)


@bp.post("/webhooks/<id:webhook_id>/test")
def webhook_test(webhook_id: int):
    form = ConfirmForm()
    done = run_form(form, lambda: webhooks.send_test_event(caller(), webhook_id))
    if done:
        delivery = done.value
        if delivery.status == "delivered":
            flash("Test event delivered.", "success")
        else:
            then = " It will be retried." if delivery.status == "pending" else ""
            flash(f"Test event not delivered: {delivery.last_error}{then}", "error")
    return redirect(url_for("admin.webhook_edit", webhook_id=webhook_id))


@bp.route("/webhooks/<id:webhook_id>/delete", methods=["GET", "POST"])
def webhook_delete(webhook_id: int):
    webhook = webhooks.get_webhook(caller(), webhook_id)
    form = ConfirmForm()
    if run_form(form, lambda: webhooks.delete_webhook(caller(), webhook_id)):
        flash("Webhook deleted.", "success")
        return redirect(url_for("admin.webhook_list"))
    return render_template("admin/confirm_delete.html", form=form, noun="webhook",
                           name=webhook.url,
                           cancel=url_for("admin.webhook_edit", webhook_id=webhook_id)), \
        form_status(form)
