"""The API's contract: the OpenAPI schema describes every endpoint, parameter and field the code has, and every answer
(good or bad input) conforms to it; conditional requests, CORS and the cursor walk behave as documented."""

import jsonschema_rs
import pytest
from django.urls import get_resolver

from outcomes import api_params, openapi
from outcomes.models import Entry
from tests.corpus import PUBLISHED, corpus_fixture, refs  # noqa: F401


def answer_schema(path, status="200"):
    operation = openapi.schema()["paths"][path]["get"]
    return operation["responses"][status]["content"]["application/json"]["schema"]


def conforms(data, schema):
    document = {**schema, "components": openapi.schema()["components"]}
    errors = [error.message for error in jsonschema_rs.validator_for(document).iter_errors(data)]
    assert not errors, errors


def get(client, url, status=200, **headers):
    response = client.get(url, **headers)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return response


# --- the schema holds the code ---------------------------------------------------------------------------------


def test_every_endpoint_of_the_api_is_in_the_schema():
    api = next(p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "api")
    endpoints = {pattern.name for pattern in api.url_patterns} - {"not-found", "schema"}
    assert endpoints == set(openapi.RESULTS)
    assert len(openapi.schema()["paths"]) == len(endpoints)


def test_every_parameter_a_view_takes_is_in_the_schema_and_no_other():
    for path, name, path_names in openapi.api_paths():
        described = {p["name"] for p in openapi.schema()["paths"][path]["get"]["parameters"] if p["in"] == "query"}
        assert described == set(api_params.list_parameters(name)), path
        described_path = {p["name"] for p in openapi.schema()["paths"][path]["get"]["parameters"] if p["in"] == "path"}
        assert described_path == set(path_names)


def test_choices_come_from_the_models():
    parameters = {p["name"]: p for p in openapi.schema()["paths"]["/api/entries/"]["get"]["parameters"]}
    assert parameters["kind"]["schema"]["items"]["enum"] == Entry.Kind.values
    assert parameters["role"]["schema"]["enum"] == ["implementing", "partner", "mentioned"]
    assert parameters["country"]["schema"]["items"]["pattern"] == openapi.COUNTRY_CODE
    assert parameters["page_size"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 100}


def test_the_schema_is_served_with_its_version(client, db):
    data = get(client, "/api/schema/").json()
    assert data["openapi"] == "3.1.0" and data["info"]["version"] == openapi.API_VERSION
    root = get(client, "/api/").json()
    assert root["schema"] == "http://testserver/api/schema/"
    assert root["reference"] == "http://testserver/api-reference/"


@pytest.mark.parametrize(
    "path, url",
    [
        ("/api/", "/api/"),
        ("/api/meetings/", "/api/meetings/"),
        ("/api/meetings/{slug}/", "/api/meetings/gestion-des-frontieres/"),
        ("/api/sessions/", "/api/sessions/?meeting=gestion-des-frontieres"),
        ("/api/entries/", "/api/entries/?country=SN&page_size=2"),
        ("/api/entries/", "/api/entries/?cursor="),
        ("/api/countries/", "/api/countries/?with_entries=1"),
        ("/api/countries/{code}/", "/api/countries/sn/"),
        ("/api/themes/", "/api/themes/"),
        ("/api/organisations/", "/api/organisations/"),
    ],
)
def test_answers_conform_to_the_schema(client, corpus, path, url):
    conforms(get(client, url).json(), answer_schema(path))


def test_every_entry_conforms_one_by_one(client, corpus):
    for reference in refs(corpus, *PUBLISHED):
        conforms(get(client, f"/api/entries/{reference}/").json(), answer_schema("/api/entries/{reference}/"))


def test_a_field_the_schema_lacks_fails_conformance(client, corpus):
    data = get(client, "/api/entries/?page_size=1").json()
    data["results"][0]["new_field"] = 1
    with pytest.raises(AssertionError):
        conforms(data, answer_schema("/api/entries/"))


# --- bad input: a 4xx JSON error in the schema's shape, never a 5xx --------------------------------------------


@pytest.mark.parametrize(
    "url, status",
    [
        ("/api/entries/?unknown=1", 400),
        ("/api/entries/?page=1&page=2", 400),
        ("/api/entries/?page=abc", 400),
        ("/api/entries/?page=99999999999999999999999", 400),
        ("/api/entries/?page_size=0", 400),
        ("/api/entries/?page_size=1000", 400),
        ("/api/entries/?kind=nope", 400),
        ("/api/entries/?country=XX1", 400),
        ("/api/entries/?role=implementing&role=partner", 400),
        ("/api/entries/?cursor=not-a-cursor", 400),
        ("/api/entries/?cursor=&page=2", 400),
        ("/api/entries/?cursor=&sort=newest", 400),
        ("/api/meetings/?meeting=x", 400),
        ("/api/countries/?with_entries=maybe", 400),
        ("/api/sessions/?meeting=%00", 400),
        ("/api/sessions/99999999999999999999/", 404),
        ("/api/entries/NOPE-1/", 404),
        ("/api/nowhere/", 404),
    ],
)
def test_bad_input_gets_a_json_error_in_the_schema(client, corpus, url, status):
    conforms(get(client, url, status=status).json(), {"$ref": "#/components/schemas/Error"})


def test_wrong_methods_get_405_json(client, corpus):
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)("/api/entries/")
        assert response.status_code == 405 and response["Allow"] == "GET, HEAD"
        conforms(response.json(), {"$ref": "#/components/schemas/Error"})


@pytest.mark.parametrize("accept", ["text/html", "application/xml", "*/*", "application/json;q=0.1", "garbage"])
def test_any_accept_header_gets_json(client, corpus, accept):
    response = client.get("/api/entries/?page_size=1", HTTP_ACCEPT=accept)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"


# --- conditional requests and CORS ------------------------------------------------------------------------------


def test_answers_carry_an_etag_and_a_matching_request_gets_304(client, corpus):
    response = get(client, "/api/entries/?country=SN")
    assert response["ETag"] and "public" in response["Cache-Control"]
    again = client.get("/api/entries/?country=SN", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again.content == b""
    Entry.objects.filter(reference=refs(corpus, "patrols").pop()).update(text="Changé")
    assert client.get("/api/entries/?country=SN", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 200


def test_any_origin_may_read_without_credentials(client, corpus):
    response = get(client, "/api/entries/", HTTP_ORIGIN="https://partner.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert set(response["Access-Control-Expose-Headers"].split(", ")) == {"ETag", "Link"}
    preflight = client.options(
        "/api/entries/", HTTP_ORIGIN="https://partner.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "Access-Control-Allow-Origin" not in client.get("/")


def test_named_origins_only_when_configured(client, corpus, settings):
    settings.API_CORS_ORIGINS = ["https://partner.example"]
    allowed = client.get("/api/", HTTP_ORIGIN="https://partner.example")
    assert allowed["Access-Control-Allow-Origin"] == "https://partner.example" and "Origin" in allowed["Vary"]
    assert "Access-Control-Allow-Origin" not in client.get("/api/", HTTP_ORIGIN="https://other.example")


# --- cursor pagination -----------------------------------------------------------------------------------------


def walk(client, url):
    seen, pages = [], 0
    while url:
        response = get(client, url)
        data = response.json()
        seen += [entry["reference"] for entry in data["results"]]
        if data["next"]:
            assert f'<{data["next"]}>; rel="next"' in response["Link"]
        url, pages = data["next"], pages + 1
    return seen, pages


def test_a_cursor_walks_every_entry_once_in_the_order_they_were_added(client, corpus):
    seen, pages = walk(client, "/api/entries/?cursor=&page_size=2")
    expected = Entry.objects.published().order_by("pk").values_list("reference", flat=True)
    assert seen == list(expected) and pages == (len(seen) + 1) // 2


def test_a_cursor_is_stable_when_entries_are_added_meanwhile(client, corpus, make_entry):
    first = get(client, "/api/entries/?cursor=&page_size=2").json()
    added = make_entry(session=Entry.objects.published().first().session)
    rest, _pages = walk(client, first["next"])
    references = [entry["reference"] for entry in first["results"]] + rest
    assert references[-1] == added.reference and len(references) == len(set(references))


def test_a_cursor_goes_back_with_previous(client, corpus):
    first = get(client, "/api/entries/?cursor=&page_size=2").json()
    second = get(client, first["next"]).json()
    assert first["previous"] is None and second["previous"]
    back = get(client, second["previous"]).json()
    assert [e["reference"] for e in back["results"]] == [e["reference"] for e in first["results"]]


def test_page_numbers_keep_working_with_a_link_header(client, corpus):
    response = get(client, "/api/entries/?page_size=2")
    assert response.json()["next"] == "http://testserver/api/entries/?page_size=2&page=2"
    assert response["Link"] == '<http://testserver/api/entries/?page_size=2&page=2>; rel="next"'


# --- the human-readable reference -------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix, heading", [("", "Référence de l'API"), ("/en", "API reference")])
def test_the_reference_page_lists_every_operation(client, db, prefix, heading):
    response = client.get(f"{prefix}/api-reference/")
    assert response.status_code == 200
    html = response.content.decode()
    assert heading in html
    for path in openapi.schema()["paths"]:
        assert f"GET {path}" in html
    assert 'href="/api/schema/"' in html


def test_the_footer_links_the_reference(client, corpus):
    assert 'href="/api-reference/"' in client.get("/").content.decode()
