"""HDP's own API answers as a snapshot (webui/transfer/snapshot.py's shape), so that an HDP
installation moves with curl and one command.

Input: JSON objects holding ``{"applications": [...]}`` (each as GET /api/mgmt/oauthapps/{id}
answers it: id, name, dataStore, description, clientId, clientSecret, authorizeURI, tokenURI,
scope) and/or ``{"profiles": [...]}`` (each as GET /api/mgmt/oauthprofiles/{id} answers it:
name, oauthAppId, description, accessToken, refreshToken), secrets in clear. A profile names
its application by HDP's id, which must be among the file's applications; profiles belong to
``owner`` (HDP answers for the user who asked, or ``?user=``).
"""
from __future__ import annotations

from typing import Any, Iterable


class HdpShapeError(ValueError):
    """The JSON is not HDP's shape; the message says where."""


def to_snapshot(documents: Iterable[Any], owner: str | None) -> dict[str, Any]:
    """Raises HdpShapeError."""
    applications, profiles = [], []
    for number, document in enumerate(documents, 1):
        if not isinstance(document, dict) or not ({"applications", "profiles"} & set(document)):
            raise HdpShapeError(f"file {number}: expected {{\"applications\": [...]}} or "
                                "{\"profiles\": [...]}")
        for key, into in (("applications", applications), ("profiles", profiles)):
            items = document.get(key, [])
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                raise HdpShapeError(f"file {number}: \"{key}\" must be a list of objects")
            into.extend(items)
    names = {str(a.get("id")): a.get("name") for a in applications if "id" in a}
    if profiles and not owner:
        raise HdpShapeError("profiles need an owner: pass --owner USERNAME")
    converted = []
    for profile in profiles:
        app_id = str(profile.get("oauthAppId"))
        if app_id not in names:
            raise HdpShapeError(f"profile '{profile.get('name')}': application id {app_id} is "
                                "not among the file's applications")
        converted.append({"owner": owner, "name": profile.get("name"),
                          "application": names[app_id],
                          "description": profile.get("description") or "",
                          "accessToken": profile.get("accessToken"),
                          "refreshToken": profile.get("refreshToken")})
    return {"applications": [
        {"name": a.get("name"), "dataStore": a.get("dataStore"),
         "description": a.get("description") or "", "clientId": a.get("clientId"),
         "clientSecret": a.get("clientSecret"), "authorizeURI": a.get("authorizeURI"),
         "tokenURI": a.get("tokenURI"), "scope": a.get("scope") or ""}
        for a in applications], "profiles": converted}
