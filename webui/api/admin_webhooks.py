"""/api/admin/webhooks: thin door into domain.webhooks (Administrator, decided there)."""
from __future__ import annotations

from webui.api import serialize
from webui.api.auth import caller
from webui.api.blueprint import bp
from webui.api.body import json_object
from webui.api.paging import page_request, page_response
from webui.domain import webhooks


@bp.get("/admin/webhooks")
def list_webhooks():
    return page_response("webhooks", webhooks.list_webhooks(caller(), page_request()),
                         serialize.webhook)


@bp.post("/admin/webhooks")
def create_webhook():
    created = webhooks.create_webhook(caller(), json_object())
    # The signing secret, this once: it is stored encrypted and never shown again.
    return {**serialize.webhook(created.endpoint), "secret": created.secret}, 201


@bp.get("/admin/webhooks/<id:webhook_id>")
def get_webhook(webhook_id: int):
    return serialize.webhook(webhooks.get_webhook(caller(), webhook_id))


@bp.put("/admin/webhooks/<id:webhook_id>")
def update_webhook(webhook_id: int):
    return serialize.webhook(webhooks.update_webhook(caller(), webhook_id, json_object()))


@bp.delete("/admin/webhooks/<id:webhook_id>")
def delete_webhook(webhook_id: int):
    webhooks.delete_webhook(caller(), webhook_id)
    return "", 204


@bp.get("/admin/webhooks/<id:webhook_id>/deliveries")
def list_webhook_deliveries(webhook_id: int):
    return page_response("deliveries",
                         webhooks.list_deliveries(caller(), webhook_id, page_request()),
                         serialize.webhook_delivery)


@bp.post("/admin/webhooks/<id:webhook_id>/test")
def send_webhook_test(webhook_id: int):
    return serialize.webhook_delivery(webhooks.send_test_event(caller(), webhook_id)), 201
