import pytest
from django.db import connection
from django.urls import reverse

from outcomes.models import Entry
from outcomes.search import MARK_START, MARK_STOP, plain_snippet, snippet, terms, words
from tests.corpus import corpus_fixture, refs  # noqa: F401

URL = reverse("outcomes:entry-list")

postgresql_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL full-text search")
sqlite_only = pytest.mark.skipif("connection.vendor != 'sqlite'", reason="the SQLite fallback")


def found(client, q, extra=""):
    response = client.get(URL, {"q": q, **dict(pair.split("=") for pair in extra.split("&") if pair)})
    assert response.status_code == 200
    return {entry.reference for entry in response.context["entries"]}


@postgresql_only
@pytest.mark.parametrize(
    "q, expected",
    [
        ("cooperation", {"cooperation", "elsewhere"}),
        ("coopération", {"cooperation", "elsewhere"}),
        ("COOPERATION", {"cooperation", "elsewhere"}),
        ("patrouille", {"patrols"}),
        ("patrouilles conjointes", {"patrols"}),
        ('"patrouilles conjointes"', {"patrols"}),
        ("frontieres", {"training"}),
        ("echange informations", {"exchange"}),
        ("cooperation -transfrontalière", {"elsewhere"}),
        ("patrouille OR maroc", {"patrols", "training"}),
        ("le la les", set()),
        ("&|!():*", set()),
    ],
)
def test_french_full_text_search_stems_and_folds_accents(client, corpus, q, expected):
    assert found(client, q) == refs(corpus, *expected)


@postgresql_only
def test_search_uses_the_stored_vector_kept_by_the_trigger(corpus):
    entry = corpus["training"]
    entry.text = "Un texte tout neuf sur les douanes."
    entry.save()
    assert list(Entry.objects.filter(search_vector="douane").values_list("reference", flat=True)) == [entry.reference]


@postgresql_only
def test_relevance_ranks_the_best_match_first(client, make_entry):
    weak = make_entry(text="Une coopération parmi d'autres sujets, la formation, les équipements et les données.")
    strong = make_entry(text="Coopération, coopération et encore coopération entre les pays coopérants.")
    response = client.get(URL, {"q": "coopération", "sort": "relevance"})
    assert [entry.reference for entry in response.context["entries"]] == [strong.reference, weak.reference]
    document = client.get(URL, {"q": "coopération"})
    assert [entry.reference for entry in document.context["entries"]] == [weak.reference, strong.reference]


@postgresql_only
def test_highlighted_snippets_mark_the_matches(client, corpus):
    html = client.get(URL, {"q": "cooperation"}).content.decode()
    assert "<mark>coopération</mark>" in html
    assert "<mark>cooperation</mark>" in html


@postgresql_only
def test_snippets_escape_html_from_the_entry_text(client, make_entry):
    make_entry(text='Coopération <script>alert("x")</script> <img src=x onerror=alert(1)> fin.')
    html = client.get(URL, {"q": "coopération"}).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;img src=x" in html and "<mark>Coopération</mark>" in html


def test_snippet_turns_only_its_own_markers_into_mark_tags():
    entry = Entry(text="<b>gras</b> coopération &amp;")
    entry.headline = f"<b>gras</b> {MARK_START}coopération{MARK_STOP} &amp;"
    assert snippet(entry, "coopération") == "&lt;b&gt;gras&lt;/b&gt; <mark>coopération</mark> &amp;amp;"


def test_snippet_marks_cut_text_with_ellipses():
    entry = Entry(text="Au début, la coopération entre pays, puis la suite du texte.")
    entry.headline = f"la {MARK_START}coopération{MARK_STOP} entre pays"
    assert snippet(entry, "coopération") == "… la <mark>coopération</mark> entre pays …"


def test_websearch_syntax_as_the_fallback_reads_it():
    assert terms('coopération "patrouilles conjointes" -maroc OR frontex') == [
        [("coopération", False), ("patrouilles conjointes", False), ("maroc", True)],
        [("frontex", False)],
    ]
    assert words('coopération -maroc OR "frontex"') == ["coopération", "frontex"]
    assert terms("  ") == [] and terms("or OR") == []


def test_plain_snippet_marks_words_and_escapes_the_rest():
    text = "Début " + "x" * 300 + " la <b>coopération</b> & les PATROUILLES " + "y" * 300
    html = plain_snippet(text, ["coopération", "patrouilles"])
    assert html.startswith("… ") and html.endswith(" …")
    assert "&lt;b&gt;<mark>coopération</mark>&lt;/b&gt; &amp; les <mark>PATROUILLES</mark>" in html


def test_search_combines_with_filters(client, corpus):
    assert found(client, "réunion", "country=SN") == refs(corpus, "elsewhere")
    assert found(client, "réunion", "country=ML") == set()


def test_search_never_returns_drafts(client, corpus):
    assert found(client, "brouillon") == set()
    assert found(client, "Brouillon secret") == set()
    assert found(client, "publiée") == set()


@sqlite_only
@pytest.mark.parametrize(
    "q, expected",
    [
        ("patrouilles", {"patrols"}),
        ("PATROUILLES", {"patrols"}),
        ("patrouilles sénégal", {"patrols"}),
        ("patrouilles maroc", set()),
        ("coopération", {"cooperation"}),
        ("cooperation", {"elsewhere"}),
        ('"garde-frontières"', {"training"}),
        ("garde-frontières", {"training"}),
        ('"patrouilles conjointes"', {"patrols"}),
        ('"conjointes patrouilles"', set()),
        ("réunion -accent", set()),
        ("coopération -difficile", set()),
        ("patrouilles OR maroc", {"patrols", "training"}),
        ("OR", set()),
    ],
)
def test_sqlite_fallback_finds_entries_containing_every_word(client, corpus, q, expected):
    assert found(client, q) == refs(corpus, *expected)


@sqlite_only
def test_sqlite_fallback_keeps_document_order_and_a_plain_snippet(client, corpus):
    response = client.get(URL, {"q": "réunion", "sort": "relevance"})
    assert [entry.reference for entry in response.context["entries"]] == [corpus["elsewhere"].reference]
    assert "<mark>réunion</mark>" in response.content.decode()


def test_a_very_long_query_is_refused_with_a_message(client, corpus):
    response = client.get(URL, {"q": "coopération " * 100})
    assert response.status_code == 200 and response.context["entries"] == []
    assert response.context["messages_list"]


def test_the_vendor_is_what_the_suite_says():
    assert connection.vendor in {"postgresql", "sqlite"}
