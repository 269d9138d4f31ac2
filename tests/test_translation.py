"""The English edition of the content: English readers get the English with the French one click away, and the
secretariat sees which translations a change of the French has left to review."""

import csv
import io
import json
import re

import pytest
from django.core.management import call_command
from django.db import connection  # noqa: F401 (read by the skipif conditions)
from django.urls import reverse
from django.utils import translation

from outcomes.exchange import ExchangeError, export_meeting, import_meeting, parse_yaml, read_yaml
from outcomes.models import Entry, Meeting, Session, Speaker
from outcomes.translation import TranslationStatus
from tests.admin_support import form_data
from tests.test_api_contract import answer_schema, conforms
from tests.test_exchange import SAMPLE, flush
from tests.test_pages import html_of, text_of

UNOFFICIAL = TranslationStatus.UNOFFICIAL
NOTE = "Unofficial translation — read the French original"


@pytest.fixture(autouse=True)
def french_urls():
    """URLs built in French (an English page leaves English active in the thread), prefixed by hand for /en/."""
    with translation.override("fr"):
        yield


@pytest.fixture
def translated(make_meeting, make_session, make_entry):
    """A meeting, a session and an entry with sub-points, each with an unofficial English translation."""
    meeting = make_meeting(
        title="Réunion sur les frontières",
        title_en="Meeting on borders",
        summary="Échange de bonnes pratiques.",
        summary_en="Exchange of good practices.",
        translation_status=UNOFFICIAL,
    )
    session = make_session(
        meeting=meeting,
        title="Politique espagnole",
        title_en="Spanish policy",
        introduction="Les points suivants :",
        introduction_en="The following points:",
        translation_status=UNOFFICIAL,
    )
    entry = make_entry(
        session=session,
        kind=Entry.Kind.POLICY,
        text="Deux piliers : 1) Prévention en amont ; 2) Retour volontaire.",
        sub_points=["Prévention en amont", "Retour volontaire."],
        text_en="Two pillars: 1) Upstream prevention; 2) Voluntary return.",
        sub_points_en=["Upstream prevention", "Voluntary return."],
        translation_status=UNOFFICIAL,
    )
    return meeting, session, entry


def details_of(html):
    return re.findall(r'<details class="translation[^"]*">(.*?)</details>', html, flags=re.S)


# What readers see


def test_an_english_reader_gets_the_entry_in_english_with_the_french_behind_a_note(client, translated):
    _meeting, _session, entry = translated
    url = f"/en{entry.get_absolute_url()}"
    html = html_of(client.get(url))
    assert '<html lang="en">' in html
    text = html[html.index('class="entry-full__text"') :]
    assert text.startswith('class="entry-full__text" lang="en">')
    assert "<p>Two pillars:</p>" in text
    assert '<ol class="sub-points"><li>Upstream prevention</li><li>Voluntary return.</li></ol>' in text
    [original] = details_of(html)
    assert f"<summary>{NOTE}</summary>" in original
    assert '<div class="translation__original" lang="fr">' in original
    assert "<li>Prévention en amont</li><li>Retour volontaire.</li>" in original
    page = text_of(client.get(url))
    assert "Meeting on borders" in page and "Spanish policy" in page
    assert (
        f"“Meeting on borders”, {entry.reference}, Rabat Process knowledge base, unofficial English translation" in page
    )


def test_a_french_reader_gets_the_french_and_no_note(client, translated):
    _meeting, _session, entry = translated
    html = html_of(client.get(entry.get_absolute_url()))
    assert "Two pillars" not in html and "Upstream prevention" not in html and "<details" not in html
    assert '<div class="entry-full__text" lang="fr">' in html
    assert "original en français" in text_of(client.get(entry.get_absolute_url()))


def test_the_english_meeting_page_shows_every_translated_item_in_english(client, translated):
    meeting, _session, entry = translated
    Speaker.objects.create(
        meeting=meeting,
        order=1,
        honorific="Mme",
        name="Monique Pariat",
        position="Directrice Générale",
        position_en="Director-General",
        honorific_en="Ms",
        translation_status=UNOFFICIAL,
    )
    html = html_of(client.get(f"/en{meeting.get_absolute_url()}"))
    assert '<h1 lang="en">Meeting on borders</h1>' in html
    assert '<p class="lead" lang="en">Exchange of good practices.</p>' in html
    assert 'lang="en" id="session-' in html and ">Spanish policy</h2>" in html
    assert '<p class="session__intro" lang="en">The following points:</p>' in html
    assert "<strong>Ms Monique Pariat</strong>, Director-General" in html
    assert len(details_of(html)) == 4  # the meeting, the speaker, the session, the entry
    assert all(NOTE in original for original in details_of(html))
    assert "Réunion sur les frontières" in details_of(html)[0]


def test_an_item_not_yet_translated_shows_the_french_with_a_note(client, make_entry):
    entry = make_entry(text="Patrouilles conjointes entre l'Espagne et le Sénégal")
    html = html_of(client.get(f"/en{entry.get_absolute_url()}"))
    assert '<div class="entry-full__text" lang="fr">' in html
    assert "Patrouilles conjointes" in html
    assert "Not yet translated into English: the French original is shown." in html
    assert "<details" not in html


def test_explorer_cards_and_search_facets_read_in_english(client, translated):
    meeting, _session, entry = translated
    html = html_of(client.get(f"/en/entries/?meeting={meeting.slug}"))
    assert '<div class="entry-card__text" lang="en">' in html and "Two pillars:" in html
    assert f'<a lang="en" href="{meeting.get_absolute_url()}#{entry.anchor}">Meeting on borders</a>' in html
    assert NOTE in html


# Staleness


def test_changing_the_french_alone_marks_the_english_as_needing_review(translated):
    _meeting, session, entry = translated
    entry = Entry.objects.get(pk=entry.pk)
    entry.text = "Deux piliers : 1) Prévention en amont ; 2) Retour volontaire et forcé."
    entry.save()
    entry.refresh_from_db()
    assert entry.translation_status == TranslationStatus.NEEDS_REVIEW
    assert [v.translation_status for v in entry.history.order_by("history_id")] == [UNOFFICIAL, "needs_review"]

    session = Session.objects.get(pk=session.pk)
    session.title = "Politique de l'Espagne"
    session.save(update_fields=["title"])
    session.refresh_from_db()
    assert session.translation_status == TranslationStatus.NEEDS_REVIEW


def test_changing_french_and_english_together_keeps_the_status_given(translated):
    _meeting, _session, entry = translated
    entry = Entry.objects.get(pk=entry.pk)
    entry.text, entry.text_en = "Un pilier.", "One pillar."
    entry.sub_points, entry.sub_points_en = [], []
    entry.save()
    entry.refresh_from_db()
    assert entry.translation_status == UNOFFICIAL


def test_other_changes_leave_the_translation_as_it_is(translated):
    _meeting, _session, entry = translated
    entry = Entry.objects.get(pk=entry.pk)
    entry.kind = Entry.Kind.GOOD_PRACTICE
    entry.save()
    entry.refresh_from_db()
    assert entry.translation_status == UNOFFICIAL


def test_an_english_reader_is_told_when_the_english_needs_review(client, translated):
    _meeting, _session, entry = translated
    entry = Entry.objects.get(pk=entry.pk)
    entry.text = "Trois piliers."
    entry.sub_points = []
    entry.save()
    page = text_of(client.get(f"/en{entry.get_absolute_url()}"))
    assert "Translation needs review, the French has changed since — read the French original" in page
    assert "English translation under review" in page  # in the citation


# The secretariat's admin


@pytest.fixture
def curator(client, secretariat_user):
    client.force_login(secretariat_user)
    return client


def test_the_admin_edits_french_and_english_side_by_side_and_a_french_edit_asks_for_review(curator, translated):
    _meeting, _session, entry = translated
    url = reverse("admin:outcomes_entry_change", args=[entry.pk])
    page = curator.get(url).content.decode()
    row = page[page.index('name="text"') - 2000 : page.index('name="text_en"')]
    assert "field-text" in row and "form-row" in row  # one row: the French, then the English
    curator.post(
        url, form_data(curator.get(url), text="Deux piliers corrigés : 1) Prévention en amont ; 2) Retour volontaire.")
    )
    entry.refresh_from_db()
    assert entry.translation_status == TranslationStatus.NEEDS_REVIEW
    history = curator.get(reverse("admin:outcomes_entry_history", args=[entry.pk])).content.decode()
    changes = " ".join(re.sub(r"<[^>]+>|&nbsp;", " ", history).replace("&rarr;", "→").split())
    assert "Statut de la traduction: unofficial → needs_review" in changes


def test_the_admin_lists_what_needs_review(curator, translated, make_entry):
    _meeting, _session, entry = translated
    stale = make_entry(text="Texte", text_en="Text", translation_status=TranslationStatus.NEEDS_REVIEW)
    response = curator.get("/admin/outcomes/entry/", {"translation_status__exact": "needs_review"})
    assert {e.reference for e in response.context["cl"].result_list} == {stale.reference}
    for model in ("meeting", "session"):
        response = curator.get(f"/admin/outcomes/{model}/", {"translation_status__exact": "unofficial"})
        assert response.status_code == 200 and len(response.context["cl"].result_list) == 1


# Search in English

postgresql_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL full-text search")


def found(client, path, q, **extra):
    response = client.get(path, {"q": q, **extra})
    assert response.status_code == 200
    return [entry.reference for entry in response.context["entries"]]


@pytest.fixture
def patrols(make_entry):
    return make_entry(
        text="Patrouilles conjointes entre l'Espagne et le Sénégal",
        text_en="Joint patrols between Spain and Senegal",
        translation_status=UNOFFICIAL,
    )


def test_english_readers_find_entries_by_their_english_and_their_french(client, patrols, make_entry):
    make_entry(
        text="Formation des garde-frontières", text_en="Training of border guards", translation_status=UNOFFICIAL
    )
    assert found(client, "/en/entries/", "patrols") == [patrols.reference]
    assert found(client, "/en/entries/", "patrouilles") == [patrols.reference]
    assert found(client, "/entries/", "patrols") == [patrols.reference]  # one knowledge base, two editions


@postgresql_only
def test_english_search_stems_english_words(client, patrols):
    for q in ["patrol", "patrolling", "PATROLS", "joint patrols", '"joint patrols"']:
        assert found(client, "/en/entries/", q) == [patrols.reference], q
    assert found(client, "/en/entries/", "patrols -senegal") == []


@postgresql_only
def test_relevance_ranks_the_readers_language_first(client, make_entry):
    in_french = make_entry(
        text="Une mission de contrôle des frontières", text_en="A border control task", translation_status=UNOFFICIAL
    )
    in_english = make_entry(
        text="Une tâche de contrôle des frontières", text_en="A border control mission", translation_status=UNOFFICIAL
    )
    assert found(client, "/en/entries/", "mission", sort="relevance") == [in_english.reference, in_french.reference]
    assert found(client, "/entries/", "mission", sort="relevance")[0] == in_french.reference


def test_english_search_results_quote_the_english_with_the_matches_marked(client, patrols):
    html = html_of(client.get("/en/entries/", {"q": "patrols"}))
    assert '<div class="entry-card__text" lang="en">' in html
    assert "<mark>patrols</mark>" in html


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
    return list(csv.DictReader(io.StringIO(b"".join(client.get(url).streaming_content).decode("utf-8-sig"))))


def test_exports_from_english_pages_carry_the_english_and_the_french_apart(client, translated, make_entry):
    meeting, _session, entry = translated
    make_entry(session=entry.session, text="Non traduit.")
    rows = csv_rows(client, "/en/entries.csv")
    assert [(r["reference"], r["language"], r["translation_status"], r["text"], r["text_fr"]) for r in rows] == [
        (entry.reference, "en", "unofficial", entry.text_en, entry.text),
        (rows[1]["reference"], "fr", "", "Non traduit.", "Non traduit."),
    ]
    assert rows[0]["sub_points"] == "Upstream prevention; Voluntary return."
    assert rows[0]["sub_points_fr"] == "Prévention en amont; Retour volontaire."
    assert rows[0]["meeting"] == "Meeting on borders"
    french = csv_rows(client, "/entries.csv")
    assert "text_fr" not in french[0] and french[0]["text"] == entry.text

    exported = json.loads(b"".join(client.get("/en/entries.json").streaming_content))["entries"][0]
    assert (exported["text"], exported["fr"]["text"], exported["translation_status"]) == (
        entry.text_en,
        entry.text,
        "unofficial",
    )


def test_a_reloaded_item_compares_with_what_it_reloaded(translated):
    _meeting, _session, entry = translated
    Entry.objects.filter(pk=entry.pk).update(text="Texte changé ailleurs.", sub_points=[])
    entry.refresh_from_db()
    entry.kind = Entry.Kind.GOOD_PRACTICE
    entry.save()
    assert Entry.objects.get(pk=entry.pk).translation_status == UNOFFICIAL


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
