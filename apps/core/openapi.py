"""How the published API schema (/api/schema/) says what the server really answers.

drf-spectacular documents the success of each operation from its serializers; this
module adds what every staff and intake operation can also answer, so a client
generated from the schema knows each status code it may get.
"""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework.relations import RelatedField

from apps.core.api import SlugEnumMixin

_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
_FIELD_ERRORS = {
    "type": "object",
    "description": "Errors by field name (`non_field_errors` for the whole request).",
    "additionalProperties": {},
}


class SlugEnumFieldExtension(OpenApiSerializerFieldExtension):
    target_class = SlugEnumMixin
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        # Read when the schema is generated (each request for /api/schema/), so a
        # service line added this morning is listed without a restart.
        enum: list = sorted(self.target.slugs())
        if not enum:
            return {"type": "string"}  # nothing set up yet: OpenAPI has no empty enum
        if getattr(self.target, "allow_blank", False):
            enum.append("")
        if getattr(self.target, "allow_null", False):
            enum.append(None)
            if isinstance(self.target, RelatedField) and "" not in enum:
                enum.append("")  # DRF reads "" as null for a related field
        # Named by field, so two fields taking the same kind of slug share one enum.
        return {"type": "string", "enum": enum, "x-spec-enum-id": self.target.field_name}


def _response(description: str, schema: dict | None = None) -> dict:
    answer = {"description": description}
    if schema is not None:
        answer["content"] = {"application/json": {"schema": schema}}
    return answer


def _add(responses: dict, code: str, description: str, schema: dict | None = None) -> None:
    if code not in responses:
        responses[code] = _response(description, schema)


# DRF's and Django's CharField refuse a NUL character (PostgreSQL cannot store one).
NO_NUL_PATTERN = r"^[^\x00]*$"


def _text_without_nul(schema: dict) -> None:
    if schema.get("type") == "string" and not ({"pattern", "enum", "format"} & schema.keys()):
        schema["pattern"] = NO_NUL_PATTERN
    for child in schema.get("properties", {}).values():
        _text_without_nul(child)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            _text_without_nul(schema[key])


def text_without_nul_document(result, generator, request, public):
    """Postprocessing hook: free text sent to the API (request bodies, query strings)
    may hold any character but NUL, which every text field refuses."""
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request"):  # COMPONENT_SPLIT_REQUEST: what clients send
            _text_without_nul(schema)
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") == "query" and "schema" in parameter:
                    _text_without_nul(parameter["schema"])
    return result


def error_responses_document(result, generator, request, public):
    """Postprocessing hook: document the error answers each operation can give."""
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            parameters = operation.get("parameters", [])
            query = {p["name"] for p in parameters if p.get("in") == "query"}
            if operation.get("security"):
                _add(responses, "401", "No credentials, or not valid ones.", _DETAIL)
                _add(responses, "403", "The caller's role may not do this.", _DETAIL)
            if any(p.get("in") == "path" for p in parameters):
                _add(responses, "404", "Nothing with this id that the caller may see.", _DETAIL)
            if "cursor" in query:
                invalid = "Invalid cursor (send `next` or `previous` as given)."
                _add(responses, "404", invalid, _DETAIL)
            if query - {"cursor"} or "requestBody" in operation:
                _add(responses, "400", "Field-level errors.", _FIELD_ERRORS)
            if query:
                # Proxies and gunicorn refuse a request line past their limit (4 KB).
                _add(responses, "414", "The query string is too long.")
    return result
