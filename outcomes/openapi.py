"""The API's contract as an OpenAPI 3.1 document, built from the code it describes.

Paths come from the API's URLconf, query parameters from `api_params` (the declarations the views enforce), allowed
values from the models' choices; the shapes of the objects are written here beside `serializers.py`, closed
(`additionalProperties: false`), so a field the code adds without the schema fails the conformance tests.
"""

import re

from django import forms
from django.urls import URLPattern, get_resolver
from django.utils.translation import gettext as _

from . import api_params
from .followup import RELATIONS as RELATION_LABELS
from .models import Country, Entry, EntryCountry, Meeting, Organisation
from .scope import Region, Scope
from .translation import TranslationStatus

API_VERSION = "1.4.0"  # semantic: a new field or parameter is a minor version, a removal a major one
SLUG = r"^[-a-zA-Z0-9_]+$"
COUNTRY_CODE = r"^[A-Za-z]{2}$"
CONVERTER = re.compile(r"<\w+:(\w+)>")
RELATIONS = [code for code, _label in RELATION_LABELS]  # how an entry's link reads from that entry


def nullable(schema):
    return {"anyOf": [schema, {"type": "null"}]}


def closed(properties, description=""):
    """An object with exactly these properties, all present."""
    schema = {"type": "object", "properties": properties, "required": list(properties), "additionalProperties": False}
    return {**schema, "description": description} if description else schema


STRING, INTEGER, URL = {"type": "string"}, {"type": "integer"}, {"type": "string", "format": "uri"}
DATE = nullable({"type": "string", "format": "date"})
DATETIME = {"type": "string", "format": "date-time"}


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def enum(choices):
    return {"type": "string", "enum": [value for value, _label in choices]}


def translated(properties):
    """`properties` (the texts of a translated item, in the language asked for) with `language`,
    `translation_status` and both editions, `fr` and `en` (null when the item has no English)."""
    edition = closed(properties)
    return {
        **properties,
        "language": {"type": "string", "enum": ["fr", "en"]},
        "translation_status": nullable(enum(TranslationStatus.choices)),
        "fr": edition,
        "en": nullable(edition),
    }


def object_schemas():
    links = {"url": URL, "api_url": URL}
    return {
        "Error": {
            "type": "object",
            "properties": {
                "error": STRING,
                "errors": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "array",
                        "items": closed({"message": STRING, "code": STRING}),
                    },
                },
            },
            "required": ["error"],
            "additionalProperties": False,
        },
        "Unavailable": closed(
            {
                "error": STRING,
                "reason": {"type": "string", "enum": ["database", "timeout"]},
                "message_fr": STRING,
                "message_en": STRING,
                "request_id": STRING,
            },
            _("Le service ne peut pas répondre pour l'instant (base de données injoignable, ou requête trop longue)."),
        ),
        "Withdrawn": closed(
            {
                "error": STRING,
                "reference": STRING,
                "title": STRING,
                "kind": STRING,
                "withdrawn": {"type": "boolean", "const": True},
                "withdrawn_at": nullable(DATETIME),
                "meeting": closed({"title": STRING, "url": nullable(URL)}),
                "api_meeting": nullable(URL),
            },
            _("Une entrée publiée puis retirée (410) : sa référence reste citée (outcomes/withdrawals.py)."),
        ),
        "Entry": closed(
            {
                "reference": {"type": "string", "pattern": r"^[A-Z0-9]+-\d+$"},
                **links,
                "kind": enum(Entry.Kind.choices),
                "kind_label": STRING,
                "meeting": closed({"slug": STRING, "code": STRING, "title": STRING}),
                "session": closed(
                    {"id": INTEGER, "slug": STRING, "title": STRING, "path": {"type": "array", "items": STRING}}
                ),
                "order": INTEGER,
                **translated({"title": STRING, "text": STRING, "sub_points": {"type": "array", "items": STRING}}),
                "countries": {
                    "type": "array",
                    "items": closed({"code": STRING, "name": STRING, "role": enum(EntryCountry.Role.choices)}),
                },
                "scope": enum(Scope.choices),
                "region": {"type": "string", "enum": ["", *Region.values]},
                "themes": {"type": "array", "items": closed({"slug": STRING, "name": STRING})},
                "organisations": {
                    "type": "array",
                    "items": closed({"slug": STRING, "acronym": STRING, "name": STRING}),
                },
                "source_line": nullable(INTEGER),
                "created_at": DATETIME,
                "updated_at": DATETIME,
                "links": {
                    "type": "array",
                    "items": closed(
                        {"relation": {"type": "string", "enum": RELATIONS}, "reference": STRING, "url": URL}
                    ),
                },
                "framework_items": {
                    "type": "array",
                    "items": closed({"reference": STRING, "framework": STRING, "code": STRING, "name": STRING}),
                },
            },
            _("Une entrée publiée, citée mot pour mot du document final."),
        ),
        "MeetingSummary": closed(meeting_summary_properties()),
        "Meeting": closed(
            {
                **meeting_summary_properties(),
                **{
                    name: schema
                    for name, schema in translated(dict.fromkeys(Meeting.translated_fields, STRING)).items()
                    if name not in Meeting.translated_fields
                },
                "co_chairs": {"type": "array", "items": closed({"code": STRING, "name": STRING})},
                "framework": STRING,
                "continuity": STRING,
                "participants_count": nullable(INTEGER),
                "countries_count": nullable(INTEGER),
                "summary": STRING,
                "source": closed({"title": STRING, "language": STRING, "url": STRING, "file": STRING}),
                "sessions": {"type": "array", "items": ref("Session")},
                "entries_url": URL,
            }
        ),
        "Session": closed(session_properties()),
        "SessionSummary": closed({**session_properties(), "meeting": STRING, "api_url": URL, "entries_url": URL}),
        "Country": closed(
            {
                "code": {"type": "string", "pattern": r"^[A-Z]{2}$"},
                "name_fr": STRING,
                "name_en": STRING,
                "entries_count": INTEGER,
                **links,
                "entries_url": URL,
            }
        ),
        "Theme": closed(
            {
                "slug": STRING,
                "name_fr": STRING,
                "name_en": STRING,
                "description_fr": STRING,
                "description_en": STRING,
                "entries_count": INTEGER,
                **links,
                "entries_url": URL,
            }
        ),
        "Organisation": closed(
            {
                "slug": STRING,
                "acronym": STRING,
                "name": STRING,
                "name_en": STRING,
                "kind": enum(Organisation.Kind.choices),
                "country": nullable(STRING),
                "description": STRING,
                "entries_count": INTEGER,
                **links,
                "entries_url": URL,
            }
        ),
        "Root": {"type": "object", "additionalProperties": URL},
    }


def meeting_summary_properties():
    return {
        "slug": STRING,
        "code": STRING,
        "title": STRING,
        "kind": enum(Meeting.Kind.choices),
        "start_date": DATE,
        "end_date": DATE,
        "venue": STRING,
        "entries_count": INTEGER,
        "url": URL,
        "api_url": URL,
    }


def session_properties():
    return {
        "id": INTEGER,
        "slug": STRING,
        "parent": nullable(INTEGER),
        "order": INTEGER,
        **translated({"title": STRING, "introduction": STRING}),
    }


def page_of(item):
    return closed(
        {
            "count": INTEGER,
            "next": nullable(URL),
            "previous": nullable(URL),
            "results": {"type": "array", "items": ref(item)},
        }
    )


# What each endpoint answers with, by URL name: its object, and whether it is a page of them.
RESULTS = {
    "root": ("Root", False),
    "meeting-list": ("MeetingSummary", True),
    "meeting-detail": ("Meeting", False),
    "session-list": ("SessionSummary", True),
    "session-detail": ("SessionSummary", False),
    "entry-list": ("Entry", True),
    "entry-detail": ("Entry", False),
    "country-list": ("Country", True),
    "country-detail": ("Country", False),
    "theme-list": ("Theme", True),
    "theme-detail": ("Theme", False),
    "organisation-list": ("Organisation", True),
    "organisation-detail": ("Organisation", False),
}
PATH_PARAMETERS = {
    "slug": {"type": "string", "pattern": SLUG},
    "pk": {"type": "integer", "minimum": 1},
    "reference": {"type": "string", "maxLength": 30},
    "code": {"type": "string", "pattern": COUNTRY_CODE},
}


def field_schema(field):
    """The JSON schema of one value of a form field."""
    if isinstance(field, forms.ModelMultipleChoiceField | forms.ModelChoiceField):
        model = field.queryset.model
        pattern = COUNTRY_CODE if model is Country else SLUG
        return {"type": "string", "pattern": pattern}
    if isinstance(field, forms.ChoiceField):
        return {"type": "string", "enum": [str(value) for value, _label in field.choices if value != ""]}
    if isinstance(field, forms.IntegerField):
        return {"type": "integer", "minimum": field.min_value, "maximum": field.max_value}
    if isinstance(field, forms.SlugField):
        return {"type": "string", "pattern": SLUG}
    if isinstance(field, forms.CharField):
        return {"type": "string", "maxLength": field.max_length} if field.max_length else {"type": "string"}
    raise TypeError(f"No schema for {type(field).__name__}: describe it in outcomes/openapi.py")


def query_parameter(name, field):
    schema = field_schema(field)
    parameter = {"name": name, "in": "query", "required": False, "description": str(field.label or name)}
    if api_params.is_repeatable(field):
        return {**parameter, "schema": {"type": "array", "items": schema}, "style": "form", "explode": True}
    return {**parameter, "schema": schema}


def json_content(schema):
    return {"application/json": {"schema": schema}}


def operation(name, path_names):
    item, is_page = RESULTS[name]
    error = {"content": json_content(ref("Error"))}
    parameters = [
        {"name": param, "in": "path", "required": True, "schema": PATH_PARAMETERS[param]} for param in path_names
    ]
    parameters += [query_parameter(n, f) for n, f in api_params.list_parameters(name).items()]
    responses = {
        "200": {"description": _("Réponse"), "content": json_content(page_of(item) if is_page else ref(item))},
        "304": {"description": _("Inchangé depuis la version que le client a (If-None-Match).")},
        "400": {"description": _("Paramètres invalides."), **error},
        "405": {"description": _("Méthode non autorisée."), **error},
        "503": {
            "description": _("Indisponible pour l'instant ; réessayer après Retry-After (docs/operations.md)."),
            "content": json_content(ref("Unavailable")),
        },
    }
    if path_names:
        responses["404"] = {"description": _("Introuvable."), **error}
    if name == "entry-detail":
        responses["410"] = {"description": _("Cette entrée a été retirée."), "content": json_content(ref("Withdrawn"))}
    return {"operationId": name.replace("-", "_"), "parameters": parameters, "responses": responses}


def api_paths():
    """[(OpenAPI path, URL name, path parameter names)] in the API URLconf's order."""
    api = next(p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "api")
    paths = []
    for pattern in api.url_patterns:
        if isinstance(pattern, URLPattern) and pattern.name in RESULTS:
            route = CONVERTER.sub(r"{\1}", str(pattern.pattern))
            paths.append(("/api/" + route, pattern.name, list(pattern.pattern.converters)))
    return paths


def schema():
    """The OpenAPI 3.1 document of the API."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Rabat KB API",
            "version": API_VERSION,
            "description": _(
                "API en lecture seule des résultats publiés des réunions du Processus de Rabat. Les listes sont "
                "paginées (page, page_size ; liens next/previous et en-tête Link), les entrées se filtrent comme "
                "dans l'explorateur et se parcourent aussi par curseur. Réponses conditionnelles (ETag) et CORS."
            ),
        },
        "paths": {path: {"get": operation(name, params)} for path, name, params in api_paths()},
        "components": {"schemas": object_schemas()},
    }


def describe(schema):
    """A short human reading of a JSON schema, for the reference page."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[1]
    if "anyOf" in schema:
        return " | ".join(describe(option) for option in schema["anyOf"])
    kind = schema.get("type", "object")
    if kind == "array":
        return f"[{describe(schema['items'])}]"
    if "enum" in schema:
        return " | ".join(schema["enum"])
    details = [schema[key] for key in ("format", "pattern") if key in schema]
    if "minimum" in schema or "maximum" in schema:
        details.append(f"{schema.get('minimum', '')}–{schema.get('maximum', '')}")
    if "maxLength" in schema:
        details.append(f"≤ {schema['maxLength']}")
    return f"{kind} ({', '.join(map(str, details))})" if details else kind


def reference():
    """The schema as rows a template can show: operations with their parameters and responses, then objects."""
    document = schema()
    operations = [
        {
            "path": path,
            "id": item["get"]["operationId"],
            "parameters": [
                {**param, "reads": describe(param["schema"]), "repeatable": param["schema"].get("type") == "array"}
                for param in item["get"]["parameters"]
            ],
            "responses": [
                {"status": status, "description": answer["description"], "body": body_of(answer)}
                for status, answer in item["get"]["responses"].items()
            ],
        }
        for path, item in document["paths"].items()
    ]
    objects = [
        {
            "name": name,
            "description": object_schema.get("description", ""),
            "fields": [(field, describe(value)) for field, value in object_schema.get("properties", {}).items()],
        }
        for name, object_schema in document["components"]["schemas"].items()
    ]
    return {"info": document["info"], "operations": operations, "objects": objects}


def body_of(answer):
    content = answer.get("content", {}).get("application/json")
    return describe(content["schema"]) if content else ""
