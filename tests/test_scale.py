"""What keeps pages fast as meetings accumulate: capped lists, and counts cached only until the content changes."""

from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe

from outcomes.caching import cached_by_version
from outcomes.models import Entry, EntryCountry, Meeting, Status
from outcomes.views import meeting_document_key
from tests.corpus import corpus_fixture  # noqa: F401


def test_a_country_page_shows_five_entries_of_each_kind_and_sends_to_the_explorer_for_the_rest(
    client, make_entry, make_session
):
    session = make_session()
    for order in range(1, 8):
        make_entry(session=session, order=order, kind=Entry.Kind.GOOD_PRACTICE, countries=["SN"])
    make_entry(session=session, order=20, kind=Entry.Kind.CHALLENGE, countries=["SN"])

    response = client.get("/countries/SN/")

    groups = {kind: (shown, count) for kind, _label, shown, count in response.context["groups"]}
    assert [entry.order for entry in groups["good_practice"][0]] == [1, 2, 3, 4, 5]
    assert groups["good_practice"][1] == 7
    assert groups["challenge"][1] == 1
    assert response.context["entry_count"] == 8
    html = response.content.decode()
    assert f'href="{reverse("outcomes:entry-list")}?country=SN&amp;kind=good_practice"' in html
    assert "Les 7 entrées de ce type dans l'explorateur" in html
    assert "?country=SN&amp;kind=challenge" not in html  # nothing more to see


def test_the_home_page_lists_the_latest_ten_meetings_and_counts_them_all(client, make_meeting):
    for day in range(1, 13):
        make_meeting(title=f"Réunion du {day} mars", start_date=f"2024-03-{day:02d}")

    response = client.get("/")

    titles = [meeting.title for meeting in response.context["meetings"]]
    assert titles == [f"Réunion du {day} mars" for day in range(12, 2, -1)]
    assert response.context["meeting_count"] == 12
    assert "Les 12 réunions dans l'explorateur" in response.content.decode()


def test_cached_counts_follow_what_the_secretariat_publishes(client, make_entry):
    entry = make_entry(status=Status.DRAFT, countries=["ML"])
    assert client.get("/").context["total_entries"] == 0
    assert client.get(reverse("outcomes:entry-list")).context["page_obj"].paginator.count == 0

    Entry.objects.filter(pk=entry.pk).update(status=Status.PUBLISHED)  # as the admin's bulk action does

    assert client.get("/").context["total_entries"] == 1
    explorer = client.get(reverse("outcomes:entry-list"))
    assert explorer.context["page_obj"].paginator.count == 1
    assert [option.value for option in explorer.context["facets"]["country"]] == ["ML"]
    assert [country.code for country in client.get("/countries/").context["countries"]] == ["ML"]

    Meeting.objects.filter(pk=entry.meeting_id).update(status=Status.DRAFT)

    assert client.get("/").context["total_entries"] == 0
    assert client.get(reverse("outcomes:entry-list")).context["page_obj"].paginator.count == 0


def test_related_entries_share_the_most_themes_and_countries(client, make_entry, make_session, make_theme):
    session = make_session()
    border, training = make_theme(), make_theme()
    entry = make_entry(session=session, order=1, themes=[border, training], countries=["SN", "MA"])
    both = make_entry(session=session, order=2, themes=[border, training], countries=["SN"])
    one = make_entry(session=session, order=3, countries=[("MA", EntryCountry.Role.PARTNER)])
    make_entry(session=session, order=4, countries=["ML"])  # shares nothing
    make_entry(session=session, order=5, themes=[border], status=Status.DRAFT)  # not published

    related = client.get(entry.get_absolute_url()).context["related"]

    assert related == [both, one]


def test_exports_are_streamed_in_blocks_not_one_write_per_row(client, make_entry, make_session):
    session = make_session()
    for order in range(1, 31):
        make_entry(session=session, order=order)

    response = client.get(reverse("outcomes:entry-export-csv"))

    chunks = list(response.streaming_content)
    assert b"".join(chunks).decode("utf-8-sig").count("\r\n") == 31  # header and 30 rows
    assert len(chunks) == 2  # the header, then the chunk of rows in one block


def test_the_csv_is_written_one_chunk_of_entries_at_a_time(client, make_entry, make_session, monkeypatch):
    monkeypatch.setattr("outcomes.exports.EXPORT_CHUNK", 10)  # memory bounded by a chunk, never every row
    session = make_session()
    for order in range(1, 26):
        make_entry(session=session, order=order)

    chunks = list(client.get(reverse("outcomes:entry-export-csv")).streaming_content)

    assert [chunk.decode("utf-8-sig").count("\r\n") for chunk in chunks] == [1, 10, 10, 5]


def test_the_meeting_page_keeps_its_rendered_sessions_until_something_is_published(
    client, make_entry, django_assert_max_num_queries
):
    entry = make_entry(text="Première version du texte.")
    url = entry.meeting.get_absolute_url()
    assert "Première version du texte." in client.get(url).content.decode()

    with django_assert_max_num_queries(6):  # the cards come from the cache: no entry or tag query
        assert "Première version du texte." in client.get(url).content.decode()

    entry.text = "Texte corrigé par le secrétariat."
    entry.save()
    html = client.get(url).content.decode()
    assert "Texte corrigé par le secrétariat." in html
    assert "Première version du texte." not in html
    Entry.objects.filter(pk=entry.pk).update(status=Status.DRAFT)  # a bulk update sends no signal
    assert "Texte corrigé par le secrétariat." not in client.get(url).content.decode()


def test_staff_never_get_the_sessions_cached_for_anonymous_visitors(client, make_entry, secretariat_user):
    entry = make_entry(text="Le texte publié.")
    url = entry.meeting.get_absolute_url()
    planted = {"html": mark_safe("<p>Copie anonyme</p>"), "kinds": [], "entry_count": 0}
    with translation.override("fr"):  # the key of the current content version, in French
        cached_by_version(meeting_document_key(entry.meeting), lambda: planted)
    assert "Copie anonyme" in client.get(url).content.decode()  # anonymous visitors read the cached copy

    client.force_login(secretariat_user)
    html = client.get(url).content.decode()

    assert "Copie anonyme" not in html
    assert "Le texte publié." in html


def test_the_explorer_lists_the_most_used_meetings_and_counts_the_others(client, make_entry, make_session):
    from outcomes.filters import FACET_LIMIT

    assert FACET_LIMIT == 15  # uncapped, the options of a search on a large corpus outweighed its entries
    sessions = [make_session() for _ in range(FACET_LIMIT + 5)]
    for rank, session in enumerate(sessions):
        for order in range(len(sessions) - rank):  # the first meeting has the most entries
            make_entry(session=session, order=order + 1)
    rarest = sessions[-1].meeting

    response = client.get(reverse("outcomes:entry-list"), {"meeting": rarest.slug})

    facet = response.context["facets"]["meeting"]
    shown = {option.value for option in facet}
    assert shown == {session.meeting.slug for session in sessions[:FACET_LIMIT]} | {rarest.slug}
    assert facet.others == 4
    assert "Afficher les 4 autres options" in response.content.decode()  # one click away, never out of reach


def test_past_a_few_thousand_other_options_a_facet_s_page_says_how_many_a_narrower_search_shows(
    monkeypatch, client, corpus
):
    monkeypatch.setattr("outcomes.facets.FACET_LIMIT", 1)
    monkeypatch.setattr("outcomes.facets.ALL_LIMIT", 1)
    facet = client.get(reverse("outcomes:entry-list")).context["facets"]["country"]
    assert (len(facet), facet.others) == (1, 3)
    page = client.get(reverse("outcomes:entry-facet-options", args=["country"]))
    assert (len(page.context["others"]), page.context["beyond"]) == (1, 2)
    assert "et 2 autres options, avec moins d'entrées" in page.content.decode()


def test_the_explorer_keeps_its_rendered_cards_and_facets_until_something_is_published(
    client, make_entry, make_theme, django_assert_max_num_queries
):
    theme = make_theme(name_fr="Gestion des frontières")
    entry = make_entry(text="Première version du texte.", themes=[theme])
    url = f"{reverse('outcomes:entry-list')}?theme={theme.slug}"
    first = client.get(url).content.decode()
    assert "Première version du texte." in first and "Gestion des frontières" in first

    with django_assert_max_num_queries(3):  # cards and facets come from the cache: no entry, tag or facet query
        assert client.get(url).content.decode() == first

    entry.text = "Texte corrigé par le secrétariat."
    entry.save()
    html = client.get(url).content.decode()
    assert "Texte corrigé par le secrétariat." in html and "Première version du texte." not in html
    Entry.objects.filter(pk=entry.pk).update(status=Status.DRAFT)  # a bulk update sends no signal
    html = client.get(url).content.decode()
    assert "Texte corrigé par le secrétariat." not in html and "Aucune entrée ne correspond" in html
    english = client.get(f"/en{url}").content.decode()
    assert "No entry matches these criteria." in english and "Aucune entrée" not in english  # cached per language
