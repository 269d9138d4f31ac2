"""Links and framework items in the exchange format (by reference), and those of the first meeting's file."""

import copy
import io

import pytest
from django.core.management import call_command

from outcomes.exchange import ExchangeError, dump_meeting, import_meeting
from outcomes.models import Entry, EntryFrameworkItem, EntryLink, Framework, FrameworkItem


@pytest.fixture
def items(db):
    marrakech = Framework.objects.create(slug="marrakech", code="MAP", name_fr="Marrakech", name_en="Marrakesh")
    FrameworkItem.objects.create(framework=marrakech, code="4", name_fr="Domaine 4", name_en="Domain 4")
    FrameworkItem.objects.create(framework=marrakech, code="5", name_fr="Domaine 5", name_en="Domain 5")


def meeting_file(*entries, slug="reunion-liens", code="RL", start_date=None):
    return {
        "format": "rabatkb-meeting",
        "version": 1,
        "meeting": {"slug": slug, "code": code, "title": f"Réunion {code}", "start_date": start_date},
        "sessions": [{"slug": "s", "title": "Session", "entries": list(entries)}],
    }


def entry(reference, kind, **extra):
    return {"reference": reference, "kind": kind, "text": f"Texte {reference}", **extra}


PRACTICE = entry(
    "RL-001", "good_practice", frameworks=["MAP-4"], links=[{"kind": "addresses", "to": "RL-002"}]
)  # fmt: skip
CHALLENGE = entry("RL-002", "challenge", frameworks=["MAP-5", "MAP-4"])


def problems_of(data):
    with pytest.raises(ExchangeError) as error:
        import_meeting(data)
    return error.value.problems


def test_links_and_framework_items_are_imported_by_reference_and_written_back(items):
    result = import_meeting(meeting_file(PRACTICE, CHALLENGE))
    assert result.summary() == "created 1 meeting, 1 session, 2 entries, 1 link, 3 framework tags"
    link = EntryLink.objects.get()
    assert (link.from_entry.reference, link.kind, link.to_entry.reference) == ("RL-001", "addresses", "RL-002")
    dumped = {entry["reference"]: entry for entry in dump_meeting(result.meeting)["sessions"][0]["entries"]}
    assert dumped["RL-001"]["links"] == [{"kind": "addresses", "to": "RL-002"}]
    assert dumped["RL-002"]["frameworks"] == ["MAP-4", "MAP-5"]
    assert import_meeting(dump_meeting(result.meeting)).summary() == "nothing changed"


def test_a_link_the_file_no_longer_lists_is_removed_and_history_keeps_it(items):
    import_meeting(meeting_file(PRACTICE, CHALLENGE))
    without = copy.deepcopy(PRACTICE)
    without["links"], without["frameworks"] = [], []
    assert "removed 1 link, 1 framework tag" in import_meeting(meeting_file(without, CHALLENGE)).summary()
    assert not EntryLink.objects.exists()
    assert EntryLink.history.filter(history_type="-").count() == 1
    assert list(EntryFrameworkItem.objects.values_list("entry__reference", flat=True)) == ["RL-002", "RL-002"]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"links": [{"kind": "addresses", "to": "XX-999"}]}, "sessions[0].entries[0].links[0].to: no entry 'XX-999'"),
        ({"links": [{"kind": "contradicts", "to": "RL-002"}]}, "sessions[0].entries[0].links[0].kind: unknown link"),
        ({"links": [{"kind": "see_also"}]}, "sessions[0].entries[0].links[0].to: missing"),
        ({"links": "RL-002"}, "sessions[0].entries[0].links: expected a list"),
        ({"frameworks": ["MAP-9"]}, "sessions[0].entries[0].frameworks[0]: unknown framework item 'MAP-9'"),
        ({"frameworks": ["MAP-4", "MAP-4"]}, "sessions[0].entries[0].frameworks[1]: 'MAP-4' listed twice"),
        (
            {"links": [{"kind": "implements", "to": "RL-002"}]},
            "sessions[0].entries[0].links[0]: Un lien « met en œuvre » ne peut pas aboutir à une entrée de type "
            "« Défi »",
        ),
        ({"links": [{"kind": "see_also", "to": "RL-001"}]}, "Une entrée ne peut pas être liée à elle-même."),
    ],
)
def test_a_bad_link_or_framework_item_is_a_problem_with_its_place_and_nothing_is_written(items, change, problem):
    found = problems_of(meeting_file({**PRACTICE, **change}, CHALLENGE))
    assert any(problem in message for message in found), found
    assert not Entry.objects.exists()


def test_links_cross_meetings_and_a_follow_up_must_come_from_a_later_meeting(items):
    import_meeting(meeting_file(CHALLENGE, slug="avant", code="RL", start_date="2019-07-01"))
    later = entry("AP-001", "result", links=[{"kind": "follows_up", "to": "RL-002"}])
    import_meeting(meeting_file(later, slug="apres", code="AP", start_date="2022-03-01"))
    assert EntryLink.objects.get().to_entry.meeting.slug == "avant"
    earlier = entry("TO-001", "result", links=[{"kind": "follows_up", "to": "RL-002"}])
    found = problems_of(meeting_file(earlier, slug="plus-tot", code="TO", start_date="2018-01-01"))
    assert found == [
        "sessions[0].entries[0].links[0]: RL-002 n'appartient pas à une réunion antérieure à celle de TO-001 : une "
        "suite vient d'une réunion plus récente que ce qu'elle suit."
    ]


def test_removing_an_entry_another_meeting_links_to_is_a_problem_not_a_dangling_link(items):
    import_meeting(meeting_file(CHALLENGE, slug="avant", code="RL"))
    import_meeting(meeting_file(entry("AP-001", "good_practice", links=[{"kind": "addresses", "to": "RL-002"}]),
                                slug="apres", code="AP"))  # fmt: skip
    found = problems_of(meeting_file(entry("RL-003", "challenge"), slug="avant", code="RL"))
    assert found == [
        "an entry the file no longer lists is still the target of lien entre entrées « AP-001 répond au défi "
        "RL-002 »: remove that first"
    ]
    assert Entry.objects.filter(reference="RL-002").exists() and EntryLink.objects.count() == 1


def test_the_first_meeting_carries_the_links_its_text_supports(db):
    call_command("load_fixtures", stdout=io.StringIO())
    links = {(link.from_entry.reference, link.kind, link.to_entry.reference) for link in EntryLink.objects.all()}
    assert {
        ("GF-068", "addresses", "GF-058"),
        ("GF-069", "addresses", "GF-058"),
        ("GF-070", "addresses", "GF-059"),
        ("GF-054", "implements", "GF-063"),
        ("GF-052", "implements", "GF-061"),
    } <= links
    tagged = EntryFrameworkItem.objects.filter(item__framework__code="MAP", item__code="4")
    assert tagged.count() == Entry.objects.exclude(kind="feedback").count() - 6  # the six of another domain only
    border = set(EntryFrameworkItem.objects.filter(item__framework__code="GCM", item__code="11").values_list(
        "entry__reference", flat=True))  # fmt: skip
    assert {"GF-052", "GF-061", "GF-062", "GF-043"} <= border
    assert "GF-080" not in border
