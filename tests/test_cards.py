"""An entry's card as a reader sees it on every page that lists entries (outcomes/cards.py): its kind, reference,
meeting and session, title, text or sub-points, tags with their roles, and for English readers the French
original or a note that there is no English yet; everything escaped."""

import pytest
from django.utils import translation
from django.utils.safestring import mark_safe

from outcomes.cards import entry_card
from outcomes.models import Entry, EntryCountry
from outcomes.translation import TranslationStatus

pytestmark = pytest.mark.django_db


def card_of(entry, **options):
    return str(entry_card(Entry.objects.for_cards().get(pk=entry.pk), **options))


def test_a_card_shows_the_kind_the_reference_linked_to_the_entry_and_its_tags(make_entry, make_theme):
    theme = make_theme(name_fr="Gestion intégrée")
    entry = make_entry(
        kind=Entry.Kind.RECOMMENDATION,
        countries=[("SN", EntryCountry.Role.IMPLEMENTING), ("ES", EntryCountry.Role.PARTNER), "MA"],
        themes=[theme],
    )
    html = card_of(entry)
    assert '<span class="kind kind--recommendation">Recommandation</span>' in html
    assert f'href="{entry.get_absolute_url()}">{entry.reference}</a>' in html
    implementing = 'title="Pays qui met en œuvre ou présente">Sénégal<span class="tag__role"> · met en œuvre</span>'
    assert f'href="/countries/SN/" {implementing}' in html
    assert '<span class="tag__role"> · partenaire</span>' in html
    assert 'Maroc<span class="visually-hidden"> (mentionné)</span>' in html
    assert f'href="{theme.get_absolute_url()}"><span class="visually-hidden">Thème : </span>Gestion intégrée' in html


def test_a_card_in_context_names_its_meeting_and_session_and_titles_at_the_level_asked(make_entry):
    entry = make_entry(title="Un titre")
    html = card_of(entry, show_context=True, heading=4)
    assert f'href="{entry.meeting.get_absolute_url()}#{entry.anchor}">{entry.meeting.title}</a>' in html
    assert f'<span lang="fr">{entry.session.title}</span>' in html
    assert '<h4 class="entry-card__title" lang="fr">' in html
    assert "entry-card__context" not in card_of(entry)


def test_sub_points_are_a_numbered_list_between_their_lead_in_and_closing(make_entry):
    entry = make_entry(
        text="Deux piliers : 1) la prévention ; 2) le retour. Fin.", sub_points=["la prévention ;", "le retour."]
    )
    html = card_of(entry)
    assert '<ol class="sub-points"><li>la prévention ;</li><li>le retour.</li></ol>' in html
    assert "<p>Deux piliers :</p>" in html and "<p>Fin.</p>" in html


def test_a_search_shows_its_snippet_and_why_a_tag_matched(make_entry, make_theme):
    theme = make_theme(name_fr="Biométrie")
    entry = Entry.objects.for_cards().get(pk=make_entry(themes=[theme]).pk)
    entry.snippet, entry.matched_tags = mark_safe("…<mark>frontière</mark>…"), [theme]
    html = str(entry_card(entry))
    assert '<p class="entry-card__reason">Trouvée par son étiquette : Biométrie</p>' in html
    assert "<mark>frontière</mark>" in html and entry.text not in html


def test_english_readers_get_the_english_with_the_french_behind_a_note_or_a_note_that_there_is_none(make_entry):
    translated = make_entry(
        text="Renforcer la coopération.", text_en="Strengthen cooperation.",
        translation_status=TranslationStatus.UNOFFICIAL,
    )  # fmt: skip
    untranslated = make_entry(text="Seulement en français.")
    with translation.override("en"):
        html = card_of(translated)
        assert '<div class="entry-card__text" lang="en"><p>Strengthen cooperation.</p></div>' in html
        assert '<details class="translation translation--unofficial">' in html
        assert '<div class="translation__original" lang="fr"><p>Renforcer la coopération.</p></div>' in html
        assert "Not yet translated into English" in card_of(untranslated)
    assert "translation" not in card_of(translated)  # French readers read the original


def test_every_value_on_a_card_is_escaped(make_entry):
    entry = make_entry(text='<script>alert("x")</script>\nligne 2', title="<b>titre</b>")
    html = card_of(entry)
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>ligne 2" in html


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_page_of_cards_shows_the_same_tags_read_from_the_facet_rows_as_from_the_join_tables(lang):
    """The explorer's pages read a published entry's tags from its facet row (one query on PostgreSQL); every card
    equals the card made from the join tables, each country in its role's order, themes and organisations in theirs;
    an entry that is not published (no facet row) still gets its tags."""
    from bench.synthetic import Generator
    from outcomes.listing import tags_from_facet_row, with_tags, with_tags_of_published

    Generator(120, meetings=3, seed=11).run()
    draft = Entry.objects.filter(country_tags__isnull=False, themes__isnull=False).order_by("pk").last()
    Entry.objects.filter(pk=draft.pk).update(status="draft")
    ids = list(Entry.objects.order_by("pk").values_list("pk", flat=True))
    with translation.override(lang):
        for start in range(0, len(ids), 25):
            pks = ids[start : start + 25]
            joined = with_tags(list(Entry.objects.filter(pk__in=pks).card_rows()))
            from_rows = with_tags_of_published(list(Entry.objects.filter(pk__in=pks).card_rows()))
            assert [str(entry_card(e)) for e in from_rows] == [str(entry_card(e)) for e in joined]
    (unpublished,) = with_tags_of_published([Entry.objects.card_rows().get(pk=draft.pk)])
    assert unpublished.country_tags.all() and unpublished.themes.all()
    # A tag naming an object created since the held ones were read (a concurrent write): the join tables answer.
    assert tags_from_facet_row(1, ["t:999999"], {"r:": {}, "t:": {}, "o:": {}}) is None
