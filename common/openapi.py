"""OpenAPI post-processing: the errors API.md promises, documented on every operation.

API.md's "General" section holds for every endpoint: 400 with ``{"field": ["message", ...]}``
for bad input, 401 without credentials, 403 with credentials that may not do this, 404 for
what does not exist or is not visible to the caller. drf-spectacular documents only what a
view declares; this hook adds the rest, so a client (and the fuzzer in tests/test_fuzz.py) can
hold every answer to the schema. A view that documents one of these codes itself keeps its own.
"""

ERROR_BODY = {
    "type": "object",
    "additionalProperties": True,
    "description": 'DRF style: {"field": ["message", ...]} or {"detail": "message"}',
}
ERRORS = {
    "400": "Bad input: each field with what to fix",
    "401": "No credentials, or a token that no longer works",
    "403": "Credentials that may not do this",
    "404": "Does not exist, or is not visible to the caller",
}


# DRF's answer to a body it cannot parse (a Content-Type the view does not take).
UNSUPPORTED = {"415": "The request body's Content-Type is not one this operation takes"}


def document_errors(result, generator, request, public):
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            errors = {**ERRORS, **(UNSUPPORTED if "requestBody" in operation else {})}
            for code, description in errors.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": ERROR_BODY}},
                    },
                )
    return result
