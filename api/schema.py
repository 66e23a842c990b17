"""Finishing touches on the OpenAPI schema (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"])."""

from __future__ import annotations

from typing import Any

RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before the next request.",
        "schema": {"type": "integer", "minimum": 0},
    }
}


def api_schema_finish(result: dict, generator: Any, request: Any, public: bool) -> dict:
    """An optional query parameter sent empty (`?status=`) is read as left out, as the pages' forms read
    them: the schema says so (allowEmptyValue). Every action needs its JSON body, even one whose fields
    are each optional (a reply's text or its link), and takes no field but its own (api.fields.StrictInput:
    additionalProperties false). A 429 names its Retry-After header."""
    components = result.get("components", {}).get("schemas", {})
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if "requestBody" in operation:
                operation["requestBody"]["required"] = True
                for media in operation["requestBody"].get("content", {}).values():
                    _closed(media.get("schema", {}), components)
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
            too_many = operation.get("responses", {}).get("429")
            if too_many is not None:
                too_many["headers"] = RETRY_AFTER
    return result


def _closed(schema: dict, components: dict) -> None:
    """The request body's object schema (a component it refers to, or inline; each of a oneOf's) says no other
    property is taken."""
    ref = schema.get("$ref", "")
    target = components.get(ref.rsplit("/", 1)[-1]) if ref.startswith("#/components/schemas/") else schema
    if target is None:
        return
    for each in target.get("oneOf", []):
        _closed(each, components)
    if target.get("type") == "object":
        target["additionalProperties"] = False
