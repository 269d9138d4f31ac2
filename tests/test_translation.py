"""The English edition of the content: English readers get the English with the French one click away, and the
secretariat sees which translations a change of the French has left to review."""

import re

import pytest
from django.db import connection  # noqa: F401 (read by the skipif conditions)
from django.urls import reverse
from django.utils import translation

from outcomes.models import Entry, Session, Speaker
from outcomes.translation import TranslationStatus
from tests.admin_support import form_data
from tests.test_pages import html_of, text_of

UNOFFICIAL = TranslationStatus.UNOFFICIAL
NOTE = "Unofficial translation — read the French original"


@pytest.fixture(autouse=True)
def french_urls():
    """URLs built in French (an English page leaves English active in the thread), prefixed by hand for /en/."""
    with translation.override("fr"):
        yield


@pytest.fixture(name="translated")
def translated_fixture(make_meeting, make_session, make_entry):
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
    cited = f"{entry.reference}. In: Meeting on borders (Rabat Process, n.d.). Text: unofficial English translation."
    assert cited in page


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


def test_a_reloaded_item_compares_with_what_it_reloaded(translated):
    _meeting, _session, entry = translated
    Entry.objects.filter(pk=entry.pk).update(text="Texte changé ailleurs.", sub_points=[])
    entry.refresh_from_db()
    entry.kind = Entry.Kind.GOOD_PRACTICE
    entry.save()
    assert Entry.objects.get(pk=entry.pk).translation_status == UNOFFICIAL


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
    assert "Statut de la traduction : Non officielle → À revoir" in changes


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
