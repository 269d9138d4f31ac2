"""Every page, the API and the exports give the same entries in the same order, with their country tags in the same
order: dated meetings newest first, undated ones last (then by title), each meeting's entries in document order;
country tags implementing, then partner, then mentioned, by name within a role.

Both rules once drifted apart (the API listed undated meetings first on PostgreSQL; explorer cards listed
"mentioned" before "partner"), so each surface is checked against the one expected order, on both databases."""

import csv
import datetime
import io
import json
import re

import pytest
from django.urls import reverse

from outcomes.models import EntryCountry, Session, Status

IMPLEMENTING, PARTNER, MENTIONED = (
    EntryCountry.Role.IMPLEMENTING,
    EntryCountry.Role.PARTNER,
    EntryCountry.Role.MENTIONED,
)

# Created in this order, so that neither creation order nor ids match the expected order.
MEETINGS = [
    ("sans-date-alpha", "Alpha sans date", None),
    ("mars-zanzibar", "Zanzibar", datetime.date(2024, 3, 1)),
    ("sans-date-omega", "Oméga sans date", None),
    ("janvier-beta", "Beta", datetime.date(2025, 1, 10)),
    ("mars-atlas", "Atlas", datetime.date(2024, 3, 1)),
]
MEETING_ORDER = ["janvier-beta", "mars-atlas", "mars-zanzibar", "sans-date-alpha", "sans-date-omega"]
TAGGED = ("mars-atlas", 1)
TAGS = [("SN", MENTIONED), ("ML", PARTNER), ("MA", IMPLEMENTING), ("DZ", PARTNER)]
TAG_ORDER = [("MA", IMPLEMENTING), ("DZ", PARTNER), ("ML", PARTNER), ("SN", MENTIONED)]  # Algérie before Mali


@pytest.fixture
def mixed(make_meeting, make_session, make_entry, make_theme):
    """Five published meetings, dated and undated, two entries each (created last one first), one of them tagged
    with four countries and a theme; and a draft meeting, newer than all, that must never show."""
    theme = make_theme(slug="frontieres")
    references = {}
    for slug, title, start in MEETINGS:
        meeting = make_meeting(slug=slug, title=title, start_date=start)
        session = make_session(meeting=meeting, order=1)
        for order in (2, 1):
            tagged = (slug, order) == TAGGED
            entry = make_entry(
                session=session, order=order, countries=TAGS if tagged else (), themes=[theme] if tagged else ()
            )
            references[(slug, order)] = entry.reference
    draft = make_meeting(slug="brouillon", start_date=datetime.date(2026, 1, 1), status=Status.DRAFT)
    make_entry(session=make_session(meeting=draft))
    return {"references": references, "tagged": references[TAGGED], "theme": theme}


def expected_references(mixed):
    return [mixed["references"][(slug, order)] for slug in MEETING_ORDER for order in (1, 2)]


def card_tags(html):
    """The country tags of the entry cards of a page, as (code, role), in the order shown."""
    return [
        (code, role)
        for role, code in re.findall(r'class="tag tag--country tag--(\w+)" href="/countries/([A-Z]{2})/"', html)
    ]


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def streamed(response):
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_meetings_come_newest_first_undated_last_everywhere(client, mixed):
    assert [m.slug for m in get(client, reverse("outcomes:meeting-list")).context["meeting_list"]] == MEETING_ORDER
    assert [m.slug for m in get(client, reverse("outcomes:home")).context["meetings"]] == MEETING_ORDER
    api = get(client, "/api/meetings/").json()
    assert [meeting["slug"] for meeting in api["results"]] == MEETING_ORDER
    assert [meeting["start_date"] for meeting in api["results"]] == [
        "2025-01-10",
        "2024-03-01",
        "2024-03-01",
        None,
        None,
    ]


def test_entries_come_in_the_same_order_on_the_explorer_the_api_and_the_exports(client, mixed):
    expected = expected_references(mixed)
    page = get(client, reverse("outcomes:entry-list") + "?page_size=100")
    assert [entry.reference for entry in page.context["entries"]] == expected
    api = get(client, "/api/entries/?page_size=100").json()
    assert [entry["reference"] for entry in api["results"]] == expected
    csv_url = reverse("outcomes:entry-export-csv") + "?codes=1"
    rows = list(csv.DictReader(io.StringIO(streamed(get(client, csv_url))), delimiter=";"))
    assert [row["reference"] for row in rows] == expected
    exported = json.loads(streamed(get(client, reverse("outcomes:entry-export-json"))))["entries"]
    assert [entry["reference"] for entry in exported] == expected


def test_country_tags_come_in_role_order_everywhere(client, mixed):
    tagged = mixed["tagged"]
    pages = [
        reverse("outcomes:entry-list") + "?page_size=100",
        reverse("outcomes:country-detail", args=["SN"]),
        reverse("outcomes:theme-detail", args=[mixed["theme"].slug]),
        reverse("outcomes:meeting-detail", args=["mars-atlas"]),
    ]
    for url in pages:
        assert card_tags(get(client, url).content.decode()) == TAG_ORDER, url
    from_api = get(client, f"/api/entries/{tagged}/").json()["countries"]
    assert [(tag["code"], tag["role"]) for tag in from_api] == TAG_ORDER
    listed = get(client, "/api/entries/?page_size=100").json()["results"]
    assert [[(t["code"], t["role"]) for t in e["countries"]] for e in listed if e["reference"] == tagged] == [TAG_ORDER]
    exported = json.loads(streamed(get(client, reverse("outcomes:entry-export-json"))))["entries"]
    assert [[(t["code"], t["role"]) for t in e["countries"]] for e in exported if e["reference"] == tagged] == [
        TAG_ORDER
    ]
    csv_url = reverse("outcomes:entry-export-csv") + "?codes=1"
    rows = csv.DictReader(io.StringIO(streamed(get(client, csv_url))), delimiter=";")
    columns = ("implementing", "partner", "mentioned")
    assert [tuple(row[c] for c in columns) for row in rows if row["reference"] == tagged] == [
        ("MA:implementing", "DZ:partner; ML:partner", "SN:mentioned")
    ]


def test_the_entry_page_groups_countries_in_role_order(client, mixed):
    roles = get(client, reverse("outcomes:entry-detail", args=[mixed["tagged"]])).context["roles"]
    assert [(role, [country.code for country in countries]) for role, _label, countries in roles] == [
        (IMPLEMENTING, ["MA"]),
        (PARTNER, ["DZ", "ML"]),
        (MENTIONED, ["SN"]),
    ]


def test_a_tag_page_shows_its_first_entries_in_document_order(client, mixed, make_entry):
    more = {
        slug: make_entry(session=Session.objects.get(meeting__slug=slug), order=3, countries=["SN"])
        for slug, *_ in MEETINGS
    }
    in_order = [
        reference
        for slug in MEETING_ORDER
        for reference in ([mixed["tagged"]] if slug == TAGGED[0] else []) + [more[slug].reference]
    ]
    groups = get(client, reverse("outcomes:country-detail", args=["SN"])).context["groups"]
    assert [(kind, [entry.reference for entry in shown], count) for kind, _label, shown, count in groups] == [
        ("good_practice", in_order[:5], 6)
    ]
