import pytest

from outcomes.models import Session, Theme
from tests.corpus import PUBLISHED, build_entries, corpus_fixture, refs  # noqa: F401


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def references(client, query=""):
    return {entry["reference"] for entry in get(client, f"/api/entries/?{query}")["results"]}


def test_the_root_lists_the_endpoints(client, db):
    assert get(client, "/api/") == {
        "meetings": "http://testserver/api/meetings/",
        "sessions": "http://testserver/api/sessions/",
        "entries": "http://testserver/api/entries/",
        "countries": "http://testserver/api/countries/",
        "themes": "http://testserver/api/themes/",
        "organisations": "http://testserver/api/organisations/",
        "schema": "http://testserver/api/schema/",
        "reference": "http://testserver/api-reference/",
    }


def test_meetings_list_only_published_ones(client, corpus):
    data = get(client, "/api/meetings/")
    assert data["count"] == 2 and data["next"] is None and data["previous"] is None
    assert {meeting["slug"]: meeting["entries_count"] for meeting in data["results"]} == {
        "gestion-des-frontieres": 4,
        "autre-reunion": 1,
    }


def test_meeting_detail_has_its_sessions(client, corpus):
    data = get(client, "/api/meetings/gestion-des-frontieres/")
    assert [(s["slug"], s["parent"] is not None) for s in data["sessions"]] == [
        ("defis", False),
        ("defis-regionaux", True),
        ("pratiques", False),
    ]
    assert data["entries_url"] == "http://testserver/api/entries/?meeting=gestion-des-frontieres"
    get(client, "/api/meetings/reunion-brouillon/", status=404)
    get(client, "/api/meetings/nope/", status=404)


def test_sessions(client, corpus):
    data = get(client, "/api/sessions/?meeting=gestion-des-frontieres")
    assert [session["slug"] for session in data["results"]] == ["defis", "defis-regionaux", "pratiques"]
    assert get(client, "/api/sessions/")["count"] == 4
    session = Session.objects.get(slug="pratiques")
    assert get(client, f"/api/sessions/{session.pk}/")["title"] == "Bonnes pratiques"
    hidden = Session.objects.get(meeting__slug="reunion-brouillon")
    get(client, f"/api/sessions/{hidden.pk}/", status=404)
    get(client, "/api/sessions/99999999/", status=404)
    get(client, "/api/sessions/abc/", status=404)
    get(client, "/api/sessions/?meeting=reunion-brouillon", status=400)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", PUBLISHED),
        ("country=SN&country=ML", {"patrols", "cooperation", "exchange", "elsewhere"}),
        ("country=SN&role=implementing", {"patrols"}),
        ("theme=patrouilles&country=ML", {"exchange"}),
        ("kind=challenge", {"cooperation", "elsewhere"}),
        ("meeting=gestion-des-frontieres&session=defis", {"patrols", "cooperation"}),
        ("organisation=frontex", {"exchange"}),
        ("q=patrouilles", {"patrols"}),
        ("country=SN&country=ES&country_match=all", {"patrols"}),
        ("theme=patrouilles&theme=information&theme_match=all", {"exchange"}),
        ("organisation=frontex&organisation_match=any", {"exchange"}),
        ("country=MA&include_all_partners=1", {"training"}),
    ],
)
def test_entries_filter_exactly_like_the_explorer(client, corpus, query, expected):
    assert references(client, query) == refs(corpus, *expected)
    page = client.get(f"/entries/?{query}")
    assert references(client, query) == {entry.reference for entry in page.context["entries"]}


def test_entries_are_paginated_with_links(client, corpus):
    first = get(client, "/api/entries/?page_size=2&country=SN&country=ML")
    assert first["count"] == 4 and len(first["results"]) == 2 and first["previous"] is None
    assert first["next"] == "http://testserver/api/entries/?page_size=2&country=SN&country=ML&page=2"
    second = get(client, first["next"])
    assert second["next"] is None
    assert second["previous"] == "http://testserver/api/entries/?page_size=2&country=SN&country=ML&page=1"
    seen = {entry["reference"] for entry in first["results"] + second["results"]}
    assert seen == refs(corpus, "patrols", "cooperation", "exchange", "elsewhere")


def test_entry_detail(client, corpus):
    entry = get(client, f"/api/entries/{corpus['exchange'].reference}/")
    assert entry["countries"] == [
        {"code": "ML", "name": "Mali", "role": "implementing"},
        {"code": "SN", "name": "Sénégal", "role": "mentioned"},
    ]
    assert entry["organisations"] == [{"slug": "frontex", "acronym": "Frontex", "name": "Agence européenne"}]
    assert entry["sub_points"] == ["vite", "bien"]
    assert entry["meeting"]["slug"] == "gestion-des-frontieres"


def test_drafts_are_never_served(client, corpus):
    get(client, f"/api/entries/{corpus['draft'].reference}/", status=404)
    get(client, f"/api/entries/{corpus['hidden'].reference}/", status=404)
    assert corpus["draft"].reference not in references(client, "q=brouillon")
    assert references(client, "q=publiée") == set()
    senegal = get(client, "/api/countries/SN/")
    assert senegal["entries_count"] == 3


def test_countries_themes_organisations(client, corpus):
    countries = get(client, "/api/countries/?with_entries=1&page_size=100")
    assert {c["code"]: c["entries_count"] for c in countries["results"]} == {"SN": 3, "ML": 2, "ES": 1, "MA": 1}
    assert get(client, "/api/countries/?page_size=100")["count"] >= 249
    assert get(client, "/api/countries/sn/")["name_fr"] == "Sénégal"
    get(client, "/api/countries/XX/", status=404)
    themes = get(client, "/api/themes/")
    assert {t["slug"]: t["entries_count"] for t in themes["results"]} == {"information": 2, "patrouilles": 2}
    assert get(client, "/api/themes/patrouilles/")["name_en"] == "Joint patrols"
    get(client, "/api/themes/nope/", status=404)
    assert get(client, "/api/organisations/frontex/")["entries_count"] == 1
    get(client, "/api/organisations/nope/", status=404)


@pytest.mark.parametrize(
    "query",
    [
        "country=XX",
        "country=SN&country=%27%3B%20DROP%20TABLE",
        "kind=unknown",
        "role=boss",
        "theme=nope",
        "meeting=reunion-brouillon",
        "session=nope",
        "q=" + "x" * 500,
        "sort=sideways",
        "country=SN&country_match=both",
        "theme_match=any&theme_match=all",
        "country=SN&include_all_partners=yes",
        "page=0",
        "page=-1",
        "page=abc",
        "page=99",
        "page=99999999999999999999",
        "page_size=0",
        "page_size=1000",
        "page_size=abc",
    ],
)
def test_invalid_parameters_answer_400_with_the_errors(client, corpus, query):
    data = get(client, f"/api/entries/?{query}", status=400)
    assert data["error"] and data["errors"]


@pytest.mark.parametrize("url", ["/api/themes/?page=9", "/api/countries/?page_size=-1", "/api/meetings/?page=x"])
def test_invalid_pages_on_every_list_answer_400(client, corpus, url):
    get(client, url, status=400)


def test_unknown_api_paths_answer_json_404(client, db):
    assert get(client, "/api/nothing/here/", status=404) == {"error": "Introuvable."}


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_is_read_only(client, corpus, method):
    response = getattr(client, method)("/api/entries/")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert "error" in response.json()
    assert client.head("/api/entries/").status_code == 200


@pytest.mark.parametrize("count", [5, 50])
def test_the_entry_list_runs_a_constant_number_of_queries(
    client, make_entry, make_session, make_theme, django_assert_max_num_queries, count
):
    build_entries(make_entry, make_session, make_theme, count)
    theme = Theme.objects.get()
    # +1: the content version that keys the cached total and page (outcomes/caching.py); +2: links, framework items;
    # the tags from the facet rows (one query) named from the countries, themes and organisations held per content
    # version (three, only on the first request after a write)
    with django_assert_max_num_queries(12):
        data = get(client, f"/api/entries/?page_size=100&country=SN&theme={theme.slug}")
    assert len(data["results"]) == count


def test_entries_say_whom_they_are_addressed_to_and_may_be_asked_with_those_addressed_to_all(
    client, corpus, make_entry
):
    everyone = make_entry(session=corpus["exchange"].session, order=9, text="À tous.", scope="all_partners")
    entry = get(client, f"/api/entries/{everyone.reference}/")
    assert (entry["scope"], entry["region"]) == ("all_partners", "")
    assert get(client, f"/api/entries/{corpus['patrols'].reference}/")["scope"] == "countries"
    assert references(client, "country=SN&include_all_partners=1") == {
        *refs(corpus, "patrols", "exchange", "elsewhere"),
        everyone.reference,
    }
    assert everyone.reference not in references(client, "country=SN")


def test_the_schema_describes_the_modes_and_the_scope(client, db):
    schema = get(client, "/api/schema/")
    assert schema["info"]["version"] == "1.4.1"
    parameters = {p["name"]: p for p in schema["paths"]["/api/entries/"]["get"]["parameters"]}
    for name in ("country_match", "theme_match", "organisation_match"):
        assert parameters[name]["schema"] == {"type": "string", "enum": ["any", "all"]}
    assert parameters["include_all_partners"]["schema"]["enum"] == ["1", "0"]
    entry = schema["components"]["schemas"]["Entry"]["properties"]
    assert entry["scope"]["enum"] == ["countries", "region", "all_partners"]
