"""/api/admin/userdetails/changePassword: the caller changes their own password (HDP's User
Details API)."""
from __future__ import annotations

from webui.api.auth import caller
from webui.api.blueprint import bp
from webui.api.body import json_object
from webui.domain import account


@bp.put("/admin/userdetails/changePassword")
def change_own_password():
    user = account.change_own_password(caller(), json_object())
    return {"passwordStatus": user.password_status, "passwordExpiration": None}
