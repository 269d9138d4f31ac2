"""Search as a delegate uses it, the same on PostgreSQL and on SQLite (docs/search.md)."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils.translation import override
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings_of
from hypothesis import strategies as st

from outcomes.models import Entry, SearchWord
from outcomes.search import analyser, query
from outcomes.search.highlight import snippet
from outcomes.search.query import read
from outcomes.search.vocabulary import similarity
from tests.corpus import corpus_fixture, refs  # noqa: F401

URL = reverse("outcomes:entry-list")


def found(client, q, **extra):
    response = client.get(URL, {"q": q, **extra})
    assert response.status_code == 200
    return {entry.reference for entry in response.context["entries"]}


@pytest.mark.parametrize(
    "q, expected",
    [
        ("cooperation", {"cooperation", "elsewhere"}),
        ("coopération", {"cooperation", "elsewhere"}),
        ("COOPÉRATION", {"cooperation", "elsewhere"}),
        ("patrouille", {"patrols"}),
        ("PATROUILLES", {"patrols"}),
        ("patrouilles conjointes", {"patrols", "exchange"}),  # the text, or the theme of that name
        ('"patrouilles conjointes"', {"patrols", "exchange"}),
        ('"conjointes patrouilles"', set()),
        ("frontieres", {"training"}),
        ("garde-frontières", {"training"}),
        ("echange informations", {"exchange", "cooperation"}),  # the text, or the theme of that name
        ("d'informations", {"exchange"}),
        ("transfrontalier", {"cooperation"}),
        ("transfrontaliers", {"cooperation"}),
        ("transfrontalieres", {"cooperation"}),
        ("cooperation -transfrontalière", {"elsewhere"}),
        ("patrouille OR maroc", {"patrols", "training"}),
        ("patrouilles maroc", set()),
        ("patr*", {"patrols"}),
        ("le la les", set()),
        ("&|!():*", set()),
        ("OR", set()),
    ],
)
def test_search_finds_variants_of_words_on_every_database(client, corpus, q, expected):
    assert found(client, q) == refs(corpus, *expected)


def test_formation_does_not_find_informations(client, make_entry):
    training = make_entry(text="Des formations pour les agents.")
    make_entry(text="Des informations pour les agents.")
    assert found(client, "formation") == {training.reference}


def test_the_last_word_being_typed_is_a_prefix(client, make_entry):
    entry = make_entry(text="La biométrie aux frontières.")
    assert found(client, "biom") == {entry.reference}
    assert found(client, "frontières biom") == {entry.reference}


def test_the_analyser_stems_before_folding_accents():
    for word in ("transfrontalier", "transfrontalière", "transfrontaliers", "transfrontalières", "transfrontalieres"):
        assert analyser.stem(word, "fr") == "transfrontali"
    assert analyser.terms("L'échange d'informations", "fr") == ["echang", "inform"]
    assert analyser.stem("formations", "fr") != analyser.stem("informations", "fr")


def test_relevance_is_the_default_order_when_searching(client, make_entry):
    weak = make_entry(text="Une coopération parmi d'autres sujets, la formation, les équipements et les données.")
    strong = make_entry(text="Coopération, coopération et encore coopération entre les pays coopérants.")
    response = client.get(URL, {"q": "coopération"})
    assert [entry.reference for entry in response.context["entries"]] == [strong.reference, weak.reference]
    document = client.get(URL, {"q": "coopération", "sort": "document"})
    assert [entry.reference for entry in document.context["entries"]] == [weak.reference, strong.reference]


def test_the_whole_phrase_ranks_above_scattered_words(client, make_entry):
    scattered = make_entry(text="Les patrouilles en mer et, ailleurs, des opérations conjointes.")
    together = make_entry(text="Des patrouilles conjointes en mer.")
    response = client.get(URL, {"q": "patrouilles conjointes"})
    assert [entry.reference for entry in response.context["entries"]] == [together.reference, scattered.reference]


def test_highlights_mark_every_variant_and_escape_the_text(client, make_entry):
    make_entry(text='Coopération <script>alert("x")</script> et coopérations <img src=x onerror=alert(1)> fin.')
    html = client.get(URL, {"q": "cooperation"}).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "<mark>Coopération</mark>" in html and "<mark>coopérations</mark>" in html


def test_snippet_is_a_window_around_the_first_match():
    text = "Début " + "x " * 200 + "la <b>coopération</b> & les PATROUILLES " + "y " * 200
    html = snippet(text, {"cooper", "patrouill"}, "fr")
    assert html.startswith("… ") and html.endswith(" …")
    assert "&lt;b&gt;<mark>coopération</mark>&lt;/b&gt; &amp; les <mark>PATROUILLES</mark>" in html


def test_a_reference_goes_to_its_entry_in_any_case(client, corpus):
    reference = corpus["patrols"].reference
    for q in (reference, reference.lower(), f" {reference.lower()} "):
        response = client.get(URL, {"q": q})
        assert response.status_code == 302 and response["Location"] == corpus["patrols"].get_absolute_url()
    from_the_explorer_form = client.get(URL, {"q": reference.lower(), "sort": ""})
    assert from_the_explorer_form.status_code == 302
    assert client.get(URL, {"q": corpus["draft"].reference}).status_code == 200  # a draft is not shown


def test_an_entry_url_in_lower_case_redirects_to_the_canonical_one(client, corpus):
    entry = corpus["patrols"]
    response = client.get(f"/entries/{entry.reference.lower()}/")
    assert response.status_code == 301 and response["Location"] == entry.get_absolute_url()


@pytest.mark.parametrize("q", ["Sénégal", "senegal", "Senegal", "SN", "sn"])
def test_a_country_name_or_code_finds_its_tagged_entries_and_says_why(client, corpus, q):
    response = client.get(URL, {"q": q})
    assert {e.reference for e in response.context["entries"]} == refs(corpus, "patrols", "exchange", "elsewhere")
    assert "Trouvée par son étiquette" in response.content.decode()


def test_a_theme_or_organisation_name_finds_its_tagged_entries(client, corpus):
    assert found(client, "joint patrols") >= refs(corpus, "patrols", "exchange")
    assert found(client, "frontex") == refs(corpus, "exchange")


def test_no_result_proposes_close_words_and_filters_to_remove(client, corpus):
    response = client.get(URL, {"q": "patrouiles", "country": "ML", "kind": "challenge"})
    html = response.content.decode()
    assert response.context["entries"] == []
    assert "Vouliez-vous dire" in html and "patrouilles" in html
    assert "Ou retirez un filtre" in html


def test_trigram_similarity_is_pg_trgms():
    assert similarity("patrouiles", "patrouilles") > 0.6
    assert similarity("abc", "xyz") == 0


def test_search_combines_with_filters(client, corpus):
    assert found(client, "réunion", country="SN") == refs(corpus, "elsewhere")
    assert found(client, "réunion", country="ML") == set()


def test_search_never_returns_drafts(client, corpus):
    assert found(client, "brouillon") == set()
    assert found(client, "Brouillon secret") == set()


def test_the_index_follows_saves_bulk_updates_and_session_titles(client, corpus):
    entry = corpus["training"]
    entry.text = "Un texte tout neuf sur les douanes."
    entry.save()
    assert found(client, "douane") == {entry.reference}
    Entry.objects.filter(pk=entry.pk).update(text="Maintenant il parle de pirogues.")
    assert "pirogu" in Entry.objects.get(pk=entry.pk).index_text
    assert found(client, "pirogue") == {entry.reference} and found(client, "douane") == set()
    session = entry.session
    session.title = "Surveillance maritime"
    session.save()
    assert entry.reference in found(client, "maritime")


def test_rebuild_search_index_recounts_the_vocabulary(corpus):
    SearchWord.objects.all().delete()
    call_command("rebuild_search_index", stdout=__import__("io").StringIO())
    assert SearchWord.objects.get(lang="fr", folded="patrouilles").stem == "patrouill"
    assert query("patrouilles").stems("fr") >= {"patrouill"}


def test_a_very_long_query_is_refused_with_a_message(client, corpus):
    response = client.get(URL, {"q": "coopération " * 100})
    assert response.status_code == 200 and response.context["entries"] == []
    assert response.context["messages_list"]


def test_the_vendor_is_what_the_suite_says():
    assert connection.vendor in {"postgresql", "sqlite"}


hypothesis_settings = hypothesis_settings_of(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

HOSTILE = [
    "",
    " ",
    '"',
    '"unbalanced quote',
    '""',
    "-",
    "--",
    "OR",
    "OR OR -",
    "*",
    "a*",
    "-coopération",
    "((((",
    "&|!():*<->",
    "'; DROP TABLE outcomes_entry; --",
    "NEAR(a b)",
    "{index_text}: x",
    "x\x00y",
    "coopération " * 30,
    "a" * 500,
    "سلام الحدود",
    "边境 合作",
    "🙂 frontières",
    "\u202e\u200b",
]


@pytest.mark.parametrize("q", HOSTILE)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_any_query_answers_200_with_results_or_a_message(client, corpus, q, lang):
    prefix = "/en" if lang == "en" else ""
    response = client.get(prefix + "/entries/", {"q": q, "sort": "relevance"})
    assert response.status_code == 200


@pytest.mark.django_db
@hypothesis_settings
@given(st.text(max_size=80))
def test_arbitrary_text_never_breaks_the_search(q):
    parsed = read(q)
    for expression in (parsed.tsquery(), parsed.fts5()):
        assert "\x00" not in expression
    with connection.cursor() as cursor:
        if parsed.is_empty:
            return
        if connection.vendor == "postgresql":
            cursor.execute("SELECT to_tsquery('simple', %s)", [parsed.tsquery()])
        else:
            cursor.execute("SELECT count(*) FROM outcomes_entry_fts WHERE outcomes_entry_fts MATCH %s", [parsed.fts5()])


def test_english_readers_search_the_english_text_with_english_stemming(client, make_entry):
    entry = make_entry(text="Des formations pour les agents.", text_en="Trainings for the officers.")
    with override("en"):
        url = reverse("outcomes:entry-list")
    assert {e.reference for e in client.get(url, {"q": "training"}).context["entries"]} == {entry.reference}
    assert {e.reference for e in client.get(url, {"q": "formation"}).context["entries"]} == {entry.reference}


def test_relevance_ranks_the_readers_language_first(client, make_entry):
    french = make_entry(text="Frontex et les garde-côtes.", text_en="The coastguards.")
    english = make_entry(text="Les garde-côtes.", text_en="Frontex and the coastguards.")
    with override("en"):
        english_url = reverse("outcomes:entry-list")
    french_order = [e.reference for e in client.get(URL, {"q": "frontex"}).context["entries"]]
    english_order = [e.reference for e in client.get(english_url, {"q": "frontex"}).context["entries"]]
    assert french_order == [french.reference, english.reference]
    assert english_order == [english.reference, french.reference]
