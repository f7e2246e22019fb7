"""What a request to the participant API may contain: one place, driven by the OpenAPI document.

Every body is read here and checked against the request schema of its operation in
`kit/server/openapi.py` (JSON Schema 2020-12, as OpenAPI 3.1 has it), so the document and the
server cannot drift. The schema decides the shape (types, known fields, enums, the fields that must
be there); the domain checks behind it (the store, kit.voting) decide the content and say so in
their own words: an idea that is empty or too long is "idea_required" or "idea_too_long" with the
numbers, not a generic length error. So lengths, and the presence of text fields (an absent text is
an empty one), are left to them; number bounds stay (an id beyond any database's integer is refused
here, before it reaches one).
"""

from __future__ import annotations

import json
from functools import cache

from jsonschema import Draft202012Validator

from kit.config import LIMITS
from kit.errors import KitError

MAX_DEPTH = 8  # the deepest body the API takes has 3 levels ({"answers": {"q1": {"i1": 3}}})
# left to the domain checks, which name the limit and what was sent
CONTENT_KEYWORDS = ("minLength", "maxLength")


def _reject_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise KitError("duplicate_key")
    return dict(pairs)


def _depth(value, limit: int) -> int:
    """How deep a parsed JSON value nests (iteratively: a deep value cannot exhaust the stack)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        v, d = stack.pop()
        if d > limit:
            return d
        deepest = max(deepest, d)
        if isinstance(v, dict):
            stack.extend((x, d + 1) for x in v.values())
        elif isinstance(v, list):
            stack.extend((x, d + 1) for x in v)
    return deepest


def _is_text(schema) -> bool:
    kind = schema.get("type") if isinstance(schema, dict) else None
    return kind == "string" or (isinstance(kind, list) and "string" in kind)


def _shape_only(schema):
    """The schema without the content keywords the domain checks say better."""
    if isinstance(schema, dict):
        out = {k: _shape_only(v) for k, v in schema.items() if k not in CONTENT_KEYWORDS}
        if "required" in out:
            props = schema.get("properties", {})
            out["required"] = [f for f in out["required"] if not _is_text(props.get(f))]
        return out
    if isinstance(schema, list):
        return [_shape_only(v) for v in schema]
    return schema


@cache
def validator(path: str, method: str) -> Draft202012Validator | None:
    from kit.server.openapi import openapi_document

    op = openapi_document("/")["paths"][path][method]
    body = op.get("requestBody")
    if body is None:
        return None
    schema = body["content"]["application/json"]["schema"]
    return Draft202012Validator(_shape_only(schema))


def parse(raw: bytes, content_type: str | None) -> dict:
    """The body as a JSON object, or a KitError: 413 over the size limit, 415 for a body that is not
    JSON, 400 for JSON that does not read, repeats a key or nests too deep."""
    if len(raw) > LIMITS.body_bytes:
        raise KitError("too_large", status=413, max=LIMITS.body_bytes)
    if not raw.strip():
        return {}
    media = (content_type or "").split(";")[0].strip().lower()
    if media != "application/json":
        # a page on another site can post text/plain from a participant's browser without asking:
        # only JSON, which a browser sends cross-site only after a CORS check the kit never passes
        raise KitError("unsupported_media_type", status=415)
    try:
        data = json.loads(raw, object_pairs_hook=_reject_duplicates)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise KitError("bad_json") from None
    if not isinstance(data, dict) or _depth(data, MAX_DEPTH) > MAX_DEPTH:
        raise KitError("bad_json")
    return data


def check(data: dict, path: str, method: str) -> dict:
    v = validator(path, method)
    if v is None:
        return data
    err = min(v.iter_errors(data), key=lambda e: (len(e.absolute_path), str(e.absolute_path)), default=None)
    if err is None:
        return data
    if err.validator == "additionalProperties" and not err.absolute_path:
        raise KitError("bad_field", field="unknown")
    field = str(err.absolute_path[0]) if err.absolute_path else "body"
    raise KitError("bad_field", field=field)


def read_body(raw: bytes, content_type: str | None, path: str, method: str) -> dict:
    """Parse and check a request body for the operation `method` of the document's `path`."""
    return check(parse(raw, content_type), path, method)
