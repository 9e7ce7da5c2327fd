"""Request validation and the OpenAPI description, from one set of marshmallow schemas.

A view says what it takes and gives with `@described(...)` and reads its body with
`request_body()`: the body schema validates the request (415 for a body that is not JSON,
400 naming unknown fields or the first bad field, in the API's error shape) and the same schemas, through apispec's marshmallow plugin, make
the operation in /api/v1/openapi.json. The description is built from the app's URL map, so
a route added to the blueprint is described even before anyone decorates it, and the test
in tests/api/test_openapi.py fails if a write takes a body no schema describes.

apispec + marshmallow was chosen over spectree/pydantic and flask-smorest: it keeps the
plain Flask blueprint, its CSRF hook and the API's error shape as they are (flask-smorest
brings its own Blueprint and webargs' 422 errors; spectree its own 422 shape), and the
schemas are ordinary classes anyone can read.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app, request
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields

from .common import ApiError

API_PREFIX = "/api/v1"
OPENAPI_VERSION = "3.1.0"


class Error(Schema):
    """Every refusal: what went wrong, and the field it is about when there is one."""

    error = fields.String(required=True, metadata={"description": "A plain-English message"})
    field = fields.String(metadata={"description": "The field the message is about"})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "Every bad field with its messages"})


class Page(Schema):
    """A list: the items of one page and how many there are in all."""

    items = fields.List(fields.Dict(), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)


class Body(Schema):
    """Base of request bodies: a field the API does not know is refused, not ignored."""

    class Meta:
        unknown = RAISE


class Query(Schema):
    """Base of query-string schemas: other arguments (a cache-buster, say) are ignored."""

    class Meta:
        unknown = EXCLUDE


@dataclass
class Operation:
    """What one view takes and gives, read by the validator and by the description."""

    body: type[Schema] | Schema | None = None
    query: type[Schema] | None = None
    response: type[Schema] | Schema | None = None
    status: int = 200
    #: Statuses besides 400/401/403 it may answer with (404, 409, 422...).
    errors: tuple[int, ...] = (404, 422)
    tags: tuple[str, ...] = ()
    partial: bool = False
    extra: dict = field(default_factory=dict)


def _schema(value):
    return value() if isinstance(value, type) else value


def load_body(schema: Schema, partial: bool = False) -> dict:
    """The request's JSON body, validated by `schema`; refusals in the API's error shape."""
    if not request.is_json:
        raise ApiError(415, "Send the body as JSON with Content-Type: application/json")
    body = request.get_json(silent=True)
    if body is None:
        raise ApiError(400, "The body is not valid JSON")
    if not isinstance(body, dict):
        raise ApiError(400, "Send a JSON object")
    try:
        return schema.load(body, partial=partial)
    except ValidationError as err:
        raise validation_error(err.messages) from None


def load_query(schema: Schema) -> dict:
    """The query string, validated by `schema`: 400 naming the argument, never a 500. An
    empty argument (`?page=`, as a form with a blank field sends) is as if not given."""
    try:
        return schema.load({k: v for k, v in request.args.items() if v != ""})
    except ValidationError as err:
        raise validation_error(err.messages) from None


def _flatten(messages, prefix: str = "") -> dict[str, list[str]]:
    """{"deputies": {0: {"name": [...]}}} -> {"deputies.0.name": [...]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        flat[prefix] = messages
    elif isinstance(messages, list):
        for i, value in enumerate(messages):
            flat.update(_flatten(value, f"{prefix}.{i}"))
    else:
        flat[prefix] = [str(messages)]
    return flat


def validation_error(messages) -> ApiError:
    flat = _flatten(messages)
    unknown = sorted(k for k, v in flat.items() if v == ["Unknown field."])
    if unknown:
        error = ApiError(400, f"Unknown field{'s' if len(unknown) > 1 else ''}: "
                              f"{', '.join(unknown)}", field=unknown[0])
    else:
        name, problems = next(iter(flat.items()))
        top = name.split(".")[0] if name != "_schema" else None
        message = problems[0]
        if top and message[:1].islower():  # our messages: "is required", "must be text"
            message = f"{name} {message}"
        elif top:
            message = f"{name}: {message}"
        error = ApiError(400, message, field=top)
    error.errors = flat
    return error


def described(*, body=None, query=None, response=None, status: int = 200,
              errors: tuple[int, ...] = (404, 422), tags: tuple[str, ...] = (),
              partial: bool = False):
    """Describe the view with these schemas; `request_body()` validates with the same ones.

    The view asks for its body after checking rights and finding its objects, so a reader
    without the right gets 403 and a missing object 404, whatever they sent.
    """
    op = Operation(body=body, query=query, response=response, status=status, errors=errors,
                   tags=tags, partial=partial)

    def decorate(view):
        view.api_operation = op
        return view
    return decorate


def _current_operation() -> Operation:
    view = current_app.view_functions[request.endpoint]
    return view.api_operation


def request_body() -> dict:
    """The request's body, validated by the schema the view is described with."""
    op = _current_operation()
    return load_body(_schema(op.body), partial=op.partial)


def request_query() -> dict:
    return load_query(_schema(_current_operation().query))


# ---------------------------------------------------------------------------------------------
# The description

_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


def _path_and_parameters(rule: str) -> tuple[str, list[dict]]:
    parameters = []

    def swap(match) -> str:
        kind = "integer" if match["converter"] == "int" else "string"
        parameters.append({"in": "path", "name": match["name"], "required": True,
                           "schema": {"type": kind}})
        return "{" + match["name"] + "}"
    return _ARGUMENT.sub(swap, rule), parameters


def _tag_of(path: str) -> str:
    return path[len(API_PREFIX):].strip("/").split("/")[0] or "api"


def _summary(view) -> tuple[str, str]:
    doc = (view.__doc__ or "").strip()
    if not doc:
        return view.__name__.replace("_", " ").capitalize(), ""
    first, _, rest = doc.partition("\n")
    return first.strip().rstrip("."), rest.strip()


def _operation(view, method: str, path: str, parameters: list[dict], endpoint: str) -> dict:
    op: Operation = getattr(view, "api_operation", None) or Operation()
    summary, description = _summary(view)
    operation = {"operationId": f"{endpoint.split('.')[-1]}_{method}",
                 "summary": summary, "tags": list(op.tags or (_tag_of(path),)),
                 "parameters": list(parameters)}
    if description:
        operation["description"] = description
    if op.query is not None:
        operation["parameters"].append({"in": "query", "schema": op.query})
    if op.body is not None and method in ("post", "put", "patch"):
        operation["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": op.body}}}
    ok = {"description": "Done" if method != "get" else "Found"}
    if op.response is not None:
        ok["content"] = {"application/json": {"schema": op.response}}
    else:
        ok["content"] = {"application/json": {"schema": {"type": "object"}}}
    responses = {str(op.status): ok}
    refusals = {400: "Bad input: the message names the field",
                401: "Not signed in and no valid token",
                403: "Signed in, but not allowed to do this",
                404: "Not found", 409: "Changed by someone else meanwhile",
                415: "The body is not JSON",
                422: "Refused by a rule: the message says why"}
    codes = {401, 403, *op.errors}
    if op.body is not None or op.query is not None or parameters:
        codes.add(400)
    if op.body is not None and method in ("post", "put", "patch"):
        codes.add(415)
    for code in sorted(codes):
        responses[str(code)] = {"description": refusals.get(code, "Refused"), "content": {
            "application/json": {"schema": "Error"}}}
    operation["responses"] = responses
    return operation


def build_spec(app) -> dict:
    """The OpenAPI 3.1 description of every /api/v1 route of `app`."""
    organisation = app.config.get("ORGANISATION_NAME")
    spec = APISpec(title=f"riskapp API ({organisation})" if organisation else "riskapp API",
                   version="1", openapi_version=OPENAPI_VERSION,
                   plugins=[MarshmallowPlugin()],
                   info={"description": (
                       "Everything the pages do. Send a personal token as "
                       "'Authorization: Bearer <token>' (Your account, then API). Errors are "
                       "{\"error\": message, \"field\": name}.")},
                   servers=[{"url": "/"}])
    spec.components.schema("Error", schema=Error)
    spec.components.security_scheme("token", {"type": "http", "scheme": "bearer"})
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(API_PREFIX):
            continue
        path, parameters = _path_and_parameters(rule.rule)
        view = app.view_functions[rule.endpoint]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(
                view, method.lower(), path, parameters, rule.endpoint)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    document["security"] = [{"token": []}]
    return document


def openapi_document() -> dict:
    """Built once per app: the routes do not change while it runs."""
    app = current_app._get_current_object()
    document = app.extensions.get("riskapp_openapi")
    if document is None:
        document = app.extensions["riskapp_openapi"] = build_spec(app)
    return document
