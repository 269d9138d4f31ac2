"""Frameworks: loaded from fixtures/frameworks.yaml, browsed per framework and item, a facet of the explorer, and
carried with links by the API and the exports."""

import csv
import io

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from outcomes.framework_fixtures import FrameworkFileError, import_frameworks
from outcomes.models import Entry, EntryFrameworkItem, EntryLink, Framework, FrameworkItem, Status
from tests.test_export import json_entries
from tests.test_pages import text_of


@pytest.fixture
def frameworks(db):
    marrakech = Framework.objects.create(
        slug="plan-action-marrakech", code="MAP", name_fr="Plan d'action de Marrakech", name_en="Marrakesh Action Plan"
    )
    compact = Framework.objects.create(
        slug="pacte-mondial", code="GCM", name_fr="Pacte mondial", name_en="Global Compact", order=2
    )
    return {
        "MAP-4": FrameworkItem.objects.create(
            framework=marrakech, code="4", name_fr="Migration irrégulière", name_en="Irregular migration", order=4
        ),
        "MAP-5": FrameworkItem.objects.create(
            framework=marrakech, code="5", name_fr="Retour", name_en="Return", order=5
        ),
        "GCM-11": FrameworkItem.objects.create(
            framework=compact, code="11", name_fr="Gérer les frontières", name_en="Manage borders", order=11
        ),
    }


def tag(entry, *items):
    for item in items:
        EntryFrameworkItem.objects.create(entry=entry, item=item)


def test_the_real_frameworks_file_defines_the_four_frameworks_and_loads_twice_without_change(db):
    call_command("load_fixtures", stdout=io.StringIO())
    codes = {framework.code: framework.items.count() for framework in Framework.objects.all()}
    assert codes == {"MAP": 5, "CAP": 5, "JVAP": 5, "GCM": 23}
    assert FrameworkItem.objects.get(framework__code="GCM", code="11").name_en == (
        "Manage borders in an integrated, secure and coordinated manner"
    )
    out = io.StringIO()
    call_command("load_fixtures", stdout=out)
    assert "frameworks.yaml: nothing changed" in out.getvalue()


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"format": "rabatkb-meeting", "version": 1}, "expected `format: rabatkb-frameworks` and `version: 1`"),
        (
            {"format": "rabatkb-frameworks", "version": 1, "frameworks": [{"slug": "x", "code": "X", "url": "nope"}]},
            "frameworks[1].url: Saisissez une URL valide.",
        ),
        (
            {"format": "rabatkb-frameworks", "version": 1, "frameworks": [{"slug": "x", "code": "X", "colour": 1}]},
            "frameworks[1]: unknown key(s) colour",
        ),
        (
            {
                "format": "rabatkb-frameworks",
                "version": 1,
                "frameworks": [
                    {"slug": "x", "code": "X", "name_fr": "X", "name_en": "X", "items": [{"code": 1}, {"code": 1}]}
                ],
            },
            "frameworks[1].items[2].code: 1 appears twice in X",
        ),
    ],
)
def test_a_bad_frameworks_file_is_refused_with_the_place_of_each_problem_and_writes_nothing(db, data, problem):
    with pytest.raises(FrameworkFileError) as error:
        import_frameworks(data)
    assert any(found.startswith(problem) for found in error.value.problems), error.value.problems
    assert not Framework.objects.exists()


def test_load_fixtures_reports_a_bad_frameworks_file(db, tmp_path):
    (tmp_path / "meetings").mkdir()
    (tmp_path / "frameworks.yaml").write_text(yaml.safe_dump({"format": "rabatkb-frameworks", "version": 1}))
    with pytest.raises(CommandError, match=r"frameworks.yaml: frameworks: expected a list"):
        call_command("load_fixtures", "--dir", str(tmp_path), stdout=io.StringIO())


def test_framework_pages_list_items_with_their_entries(client, frameworks, make_entry):
    tagged = make_entry(kind=Entry.Kind.RECOMMENDATION, text="Renforcer les patrouilles")
    hidden = make_entry(status=Status.DRAFT)
    tag(tagged, frameworks["MAP-4"], frameworks["GCM-11"])
    tag(hidden, frameworks["MAP-4"])
    index = text_of(client.get(reverse("outcomes:framework-list")))
    assert "Plan d'action de Marrakech MAP MAP-4 Migration irrégulière 1 MAP-5 Retour 0" in index
    item = client.get(frameworks["MAP-4"].get_absolute_url())
    assert item.status_code == 200
    page = text_of(item)
    assert "MAP-4 Migration irrégulière" in page and tagged.reference in page and hidden.reference not in page
    with translation.override("fr"):  # the English page must not leave English active for the next tests
        english = text_of(client.get("/en" + frameworks["GCM-11"].get_absolute_url()))
    assert "GCM-11 Manage borders" in english
    assert client.get(reverse("outcomes:framework-item-detail", args=["plan-action-marrakech", "9"])).status_code == 404
    assert client.get(reverse("outcomes:framework-detail", args=["inconnu"])).status_code == 404


def test_an_entry_page_names_the_framework_items_it_serves(client, frameworks, make_entry):
    entry = make_entry()
    tag(entry, frameworks["GCM-11"], frameworks["MAP-4"])
    assert "Cadres servis MAP-4 · Migration irrégulière GCM-11 · Gérer les frontières" in text_of(
        client.get(entry.get_absolute_url())
    )


def test_the_explorer_filters_by_framework_item_and_counts_each(client, frameworks, make_entry):
    first, second, _untagged = make_entry(), make_entry(), make_entry()
    tag(first, frameworks["MAP-4"], frameworks["GCM-11"])
    tag(second, frameworks["MAP-4"])
    response = client.get(reverse("outcomes:entry-list"), {"framework": "GCM-11"})
    assert [entry.reference for entry in response.context["entries"]] == [first.reference]
    counts = {option.value: option.count for option in response.context["facets"]["framework"]}
    assert counts == {"MAP-4": 2, "GCM-11": 1}
    bad = client.get(reverse("outcomes:entry-list"), {"framework": "MAP-99"})
    assert "Cadre : Sélectionnez un choix valide. MAP-99 n’en fait pas partie." in text_of(bad)
    assert client.get(reverse("api:entry-list"), {"framework": "MAP-99"}).status_code == 400


def test_the_api_and_the_exports_carry_links_and_framework_items(client, frameworks, make_entry):
    challenge = make_entry(kind=Entry.Kind.CHALLENGE)
    practice = make_entry(kind=Entry.Kind.GOOD_PRACTICE)
    draft = make_entry(kind=Entry.Kind.GOOD_PRACTICE, status=Status.DRAFT)
    EntryLink.objects.create(from_entry=practice, to_entry=challenge, kind="addresses")
    EntryLink.objects.create(from_entry=draft, to_entry=challenge, kind="addresses")
    tag(challenge, frameworks["MAP-4"], frameworks["GCM-11"])
    data = client.get(reverse("api:entry-detail", args=[challenge.reference])).json()
    assert data["links"] == [
        {
            "relation": "addressed_by",
            "reference": practice.reference,
            "url": f"http://testserver{practice.get_absolute_url()}",
        }
    ]
    assert [item["reference"] for item in data["framework_items"]] == ["MAP-4", "GCM-11"]
    assert data["framework_items"][0] == {
        "reference": "MAP-4", "framework": "MAP", "code": "4", "name": "Migration irrégulière"
    }  # fmt: skip
    listed = client.get(reverse("api:entry-list")).json()["results"]
    assert {entry["reference"]: [link["relation"] for link in entry["links"]] for entry in listed} == {
        challenge.reference: ["addressed_by"],
        practice.reference: ["addresses"],
    }
    exported = json_entries(client)
    assert [entry["links"] for entry in exported] == [entry["links"] for entry in listed]
    rows = list(
        csv.DictReader(
            io.StringIO(b"".join(client.get(reverse("outcomes:entry-export-csv")).streaming_content).decode())
        )
    )
    by_reference = {row["\ufeffreference"]: row for row in rows}
    assert by_reference[challenge.reference]["links"] == f"addressed_by:{practice.reference}"
    assert by_reference[challenge.reference]["framework_items"] == "MAP-4; GCM-11"
    assert by_reference[practice.reference]["links"] == f"addresses:{challenge.reference}"


@pytest.mark.parametrize("name", ["framework-list", "framework-detail", "framework-item-detail"])
def test_framework_pages_run_a_constant_number_of_queries(
    client, frameworks, make_entry, name, django_assert_max_num_queries
):
    args = {"framework-list": [], "framework-detail": ["plan-action-marrakech"]}
    url = reverse(f"outcomes:{name}", args=args.get(name, ["plan-action-marrakech", "4"]))
    for _ in range(10):
        tag(make_entry(), frameworks["MAP-4"])
    # The ETag's content version, then: frameworks and their counted items; or the item, the counts by kind and
    # the first ids of each (cached), then the cards and their three kinds of tags.
    pinned = {"framework-list": 3, "framework-detail": 3, "framework-item-detail": 8}[name]
    with django_assert_max_num_queries(pinned):
        assert client.get(url).status_code == 200
