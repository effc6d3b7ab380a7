"""The sales routes in the OpenAPI schema: every operation named, typed and authenticated."""

from __future__ import annotations

from tests.api.client import ApiClient

SALES_PATHS = {
    "/api/v1/pipelines": {"get", "post"},
    "/api/v1/pipelines/{pipeline_id}": {"get", "patch"},
    "/api/v1/pipelines/{pipeline_id}/stages": {"post"},
    "/api/v1/pipelines/{pipeline_id}/stage-order": {"put"},
    "/api/v1/stages/{stage_id}": {"patch", "delete"},
    "/api/v1/stages/{stage_id}/checklist": {"post"},
    "/api/v1/checklist-items/{item_id}": {"delete"},
    "/api/v1/lost-reasons": {"get", "post"},
    "/api/v1/lost-reasons/{reason_id}/archive": {"post"},
    "/api/v1/deals": {"get", "post"},
    "/api/v1/deals/{deal_id}": {"get", "patch", "delete"},
    "/api/v1/deals/{deal_id}/move": {"post"},
    "/api/v1/deals/{deal_id}/pipeline": {"post"},
    "/api/v1/deals/{deal_id}/transitions": {"get"},
    "/api/v1/deals/{deal_id}/checklist/{item_id}": {"put"},
}


def test_every_sales_operation_has_a_summary_a_tag_and_typed_errors(db):
    schema = ApiClient(None).get("/openapi.json").json()

    for path, methods in SALES_PATHS.items():
        assert set(schema["paths"][path]) == methods, path
        for method in methods:
            operation = schema["paths"][path][method]
            assert operation["summary"], (method, path)
            assert operation["tags"] in (["pipelines"], ["deals"]), (method, path)
            assert {"401", "403", "404", "422"} <= set(operation["responses"]), (method, path)


def test_a_refused_move_documents_the_missing_list(db):
    schema = ApiClient(None).get("/openapi.json").json()

    conflict = schema["paths"]["/api/v1/deals/{deal_id}/move"]["post"]["responses"]["409"]
    reference = conflict["content"]["application/json"]["schema"]["$ref"]
    name = reference.rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][name]["properties"]) == {
        "code",
        "message",
        "fields",
        "missing",
    }
    deal = schema["components"]["schemas"]["DealDetailOut"]["properties"]
    assert {"contacts", "checklist", "missing", "next_stage_id", "version"} <= set(deal)
