"""/api/mgmt/datasources and /api/mgmt/oauthprofiles/{id}/stats: thin door into
domain.datasources."""
from __future__ import annotations

from webui.api import serialize
from webui.api.auth import caller
from webui.api.blueprint import bp
from webui.api.body import json_object
from webui.api.paging import page_request, page_response
from webui.domain import datasources


@bp.get("/mgmt/datasources")
def list_data_sources():
    page = datasources.list_data_sources(caller(), page_request())
    return page_response("dataSources", page, serialize.data_source_item)


@bp.post("/mgmt/datasources")
def create_data_source():
    return serialize.data_source(datasources.create_data_source(caller(), json_object())), 201


@bp.get("/mgmt/datasources/<id:ds_id>")
def get_data_source(ds_id: int):
    return serialize.data_source(datasources.get_data_source(caller(), ds_id))


@bp.put("/mgmt/datasources/<id:ds_id>")
def update_data_source(ds_id: int):
    return serialize.data_source(datasources.update_data_source(caller(), ds_id,
                                                                json_object()))


@bp.delete("/mgmt/datasources/<id:ds_id>")
def delete_data_source(ds_id: int):
    datasources.delete_data_source(caller(), ds_id)
    return "", 204


@bp.get("/mgmt/oauthprofiles/<id:profile_id>/stats")
def get_profile_stats(profile_id: int):
    stats = datasources.profile_stats(caller(), profile_id)
    return {"dataSourcesLinked": len(stats.data_sources), "dataStoreId": stats.data_store,
            "dataSources": [serialize.data_source_item(d) for d in stats.data_sources]}
