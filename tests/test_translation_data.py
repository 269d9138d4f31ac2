"""The English edition in the exchange format, the API and the exports: translations and statuses round-trip, bad
English is refused with its place, and readers of the API and the exports get the language they ask for."""

import csv
import io
import json

import pytest
from django.core.management import call_command

from outcomes.exchange import ExchangeError, export_meeting, import_meeting, parse_yaml, read_yaml
from outcomes.models import Entry, Meeting, Session, Speaker
from outcomes.translation import TranslationStatus
from tests.test_api_contract import answer_schema, conforms
from tests.test_exchange import SAMPLE, flush
from tests.test_translation import translated_fixture  # noqa: F401

UNOFFICIAL = TranslationStatus.UNOFFICIAL


# The exchange format


def sample_with_english():
    """The sample exchange file with English for its meeting, a speaker, a session and its first entry."""
    data = read_yaml(SAMPLE)
    data["meeting"]["en"] = {"status": "official", "title": "Sample thematic meeting on border management"}
    data["speakers"][0]["en"] = {"status": "unofficial", "honorific": "Ms", "position": "Secretary of State"}
    session = data["sessions"][1]
    session["en"] = {"status": "unofficial", "title": "Objectives of the meeting", "introduction": "Objectives:"}
    session["entries"][0]["en"] = {
        "status": "needs_review",
        "text": "Inform participants of the latest developments in border management since 2019;",
    }
    return data


def english_of(model):
    names = [*(f"{name}_en" for name in model.translated_fields), "translation_status"]
    return sorted(model.objects.values_list(*names))


def test_the_exchange_format_round_trips_translations_and_statuses(db):
    import_meeting(sample_with_english())
    meeting = Meeting.objects.get(slug="reunion-exemple")
    before = [english_of(model) for model in (Meeting, Speaker, Session, Entry)]
    assert before[0] == [("Sample thematic meeting on border management", "", "", "", "", "official")]
    text = export_meeting(meeting)
    assert "  en:\n    status: official\n    title: Sample thematic meeting on border management\n" in text
    flush()

    import_meeting(parse_yaml(text))
    assert [english_of(model) for model in (Meeting, Speaker, Session, Entry)] == before
    assert export_meeting(Meeting.objects.get(slug="reunion-exemple")) == text
    assert import_meeting(parse_yaml(text)).summary().endswith("nothing changed")


def test_the_real_meeting_round_trips_its_english(db):
    call_command("load_fixtures", stdout=io.StringIO())
    text = export_meeting(Meeting.objects.get(code="GF"))
    assert text.count("    status: unofficial\n") >= 84
    assert import_meeting(parse_yaml(text)).summary() == "nothing changed"


@pytest.mark.parametrize(
    "change, problem",
    [
        (
            lambda data: data["sessions"][1]["entries"][0]["en"].update(status="draft"),
            "sessions[1].entries[0].en.status: unknown translation status 'draft' "
            "(one of: official, unofficial, needs_review)",
        ),
        (lambda data: data["meeting"]["en"].pop("status"), "meeting.en.status: missing"),
        (lambda data: data["meeting"]["en"].update(venue="Online"), "meeting.en.venue: unknown key"),
        (
            lambda data: data["sessions"][1]["entries"][0]["en"].update(title="Inform"),
            "sessions[1].entries[0].en.title: English for an empty title: there is no French to translate",
        ),
        (
            lambda data: data["sessions"][1]["entries"][0]["en"].update(sub_points=["Inform"]),
            "sessions[1].entries[0].en.sub_points: 1 English sub-points for 0 French ones",
        ),
        (
            lambda data: data["sessions"][1]["en"].pop("title"),
            "sessions[1].en.title: missing: the English of the item's main text",
        ),
        (lambda data: data["speakers"][0].update(en="Ms"), "speakers[0].en: expected a mapping, got text"),
    ],
)
def test_an_import_with_bad_english_is_refused_with_its_place_and_writes_nothing(db, change, problem):
    data = sample_with_english()
    change(data)
    with pytest.raises(ExchangeError) as error:
        import_meeting(data)
    assert problem in error.value.problems
    assert not Meeting.objects.exists() and not Entry.objects.exists()


def test_english_sub_points_must_be_found_in_the_english_text(db):
    data = sample_with_english()
    entry = next(e for s in data["sessions"] for e in s["entries"] if e.get("sub_points"))
    place = next(
        f"sessions[{i}].entries[{j}]"
        for i, s in enumerate(data["sessions"])
        for j, e in enumerate(s["entries"])
        if e is entry
    )
    entry["en"] = {"status": "unofficial", "text": "Two pillars.", "sub_points": ["x"] * len(entry["sub_points"])}
    with pytest.raises(ExchangeError) as error:
        import_meeting(data)
    assert f"{place}.en.sub_points[0]: not found verbatim in the English text" in error.value.problems


def test_an_import_that_changes_the_french_alone_marks_the_english_as_needing_review(db):
    data = sample_with_english()
    import_meeting(data)
    data["sessions"][1]["title"] = "Les objectifs de la réunion"
    import_meeting(data)
    session = Session.objects.get(slug="objectifs")
    assert session.translation_status == TranslationStatus.NEEDS_REVIEW
    import_meeting(data)  # the same file again: the English is still to review
    assert Session.objects.get(slug="objectifs").translation_status == TranslationStatus.NEEDS_REVIEW
    data["sessions"][1]["en"]["title"] = "The objectives of the meeting"
    import_meeting(data)  # reviewed English: the file's status
    assert Session.objects.get(slug="objectifs").translation_status == UNOFFICIAL


# The API and the exports in the reader's language


def api(client, path, **params):
    response = client.get(f"/api/{path}", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_api_gives_an_entry_in_english_with_both_editions_and_its_status(client, translated):
    meeting, session, entry = translated
    data = api(client, f"entries/{entry.reference}/", lang="en")
    assert (data["language"], data["translation_status"]) == ("en", "unofficial")
    assert data["text"] == "Two pillars: 1) Upstream prevention; 2) Voluntary return."
    assert data["sub_points"] == ["Upstream prevention", "Voluntary return."]
    assert data["fr"] == {"title": "", "text": entry.text, "sub_points": entry.sub_points}
    assert data["en"] == {"title": "", "text": entry.text_en, "sub_points": entry.sub_points_en}
    assert data["kind_label"] == "Policy"
    assert data["meeting"]["title"] == "Meeting on borders"
    assert (data["session"]["title"], data["session"]["path"]) == ("Spanish policy", ["Spanish policy"])
    assert data["url"].endswith(f"/en/entries/{entry.reference}/")

    french = api(client, f"entries/{entry.reference}/")
    assert (french["language"], french["text"], french["kind_label"]) == ("fr", entry.text, "Politique")
    assert french["en"]["text"] == entry.text_en and french["translation_status"] == "unofficial"
    assert api(client, f"entries/{entry.reference}/", lang="fr") == french


def test_the_api_gives_the_french_of_an_untranslated_entry_and_says_so(client, make_entry):
    entry = make_entry(text="Patrouilles conjointes")
    data = api(client, f"entries/{entry.reference}/", lang="en")
    assert (data["language"], data["text"], data["translation_status"], data["en"]) == (
        "fr",
        "Patrouilles conjointes",
        None,
        None,
    )


def test_the_api_gives_meetings_and_sessions_in_english(client, translated):
    meeting, session, _entry = translated
    data = api(client, f"meetings/{meeting.slug}/", lang="en")
    assert (data["title"], data["summary"], data["language"]) == (
        "Meeting on borders",
        "Exchange of good practices.",
        "en",
    )
    assert data["fr"]["title"] == "Réunion sur les frontières"
    assert [(s["title"], s["introduction"], s["translation_status"]) for s in data["sessions"]] == [
        ("Spanish policy", "The following points:", "unofficial")
    ]
    listed = api(client, "entries/", lang="en", meeting=meeting.slug, page_size=1)
    assert listed["results"][0]["text"].startswith("Two pillars")


def test_the_api_refuses_a_language_it_does_not_have(client, db):
    response = client.get("/api/entries/", {"lang": "de"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"lang": [{"message": "de", "code": "invalid"}]}


def csv_rows(client, url):
    """The machine CSV (`codes=1`): `,` from English pages, `;` from French ones."""
    text = b"".join(client.get(f"{url}?codes=1").streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter="," if url.startswith("/en/") else ";"))


def test_exports_from_english_pages_carry_the_english_and_the_french_apart(client, translated, make_entry):
    meeting, _session, entry = translated
    make_entry(session=entry.session, text="Non traduit.")
    rows = csv_rows(client, "/en/entries.csv")
    assert [(r["reference"], r["language"], r["translation_status"], r["text"], r["text_fr"]) for r in rows] == [
        (entry.reference, "en", "unofficial", "Two pillars:", "Deux piliers :"),  # sub-points in their own column
        (rows[1]["reference"], "fr", "", "Non traduit.", "Non traduit."),
    ]
    assert rows[0]["sub_points"] == "1) Upstream prevention\n2) Voluntary return."
    assert rows[0]["sub_points_fr"] == "1) Prévention en amont\n2) Retour volontaire."
    assert rows[0]["meeting"] == "Meeting on borders"
    french = csv_rows(client, "/entries.csv")
    assert "text_fr" not in french[0] and french[0]["text"] == "Deux piliers :"

    exported = json.loads(b"".join(client.get("/en/entries.json").streaming_content))["entries"][0]
    assert (exported["text"], exported["fr"]["text"], exported["translation_status"]) == (
        entry.text_en,
        entry.text,
        "unofficial",
    )


@pytest.mark.parametrize(
    "path, url",
    [
        ("/api/meetings/{slug}/", "/api/meetings/reunion-thematique-gestion-des-frontieres/?lang=en"),
        ("/api/sessions/", "/api/sessions/?meeting=reunion-thematique-gestion-des-frontieres&lang=en"),
        ("/api/entries/", "/api/entries/?lang=en&page_size=100"),
        ("/api/entries/", "/api/entries/?lang=fr&page_size=100"),
        ("/api/entries/{reference}/", "/api/entries/GF-016/?lang=en"),
    ],
)
def test_translated_answers_conform_to_the_api_schema(client, db, path, url):
    call_command("load_fixtures", stdout=io.StringIO())
    data = api(client, url.removeprefix("/api/"))
    conforms(data, answer_schema(path))
    assert "unofficial" in json.dumps(data)
