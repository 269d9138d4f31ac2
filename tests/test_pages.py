"""The public pages: what a reader sees, what stays hidden, and how many queries each page costs."""

import datetime
import re
from html import unescape

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format

from outcomes.caching import forget_memos
from outcomes.models import Entry, EntryCountry, Meeting, Organisation, Session, Speaker, Status

IMPLEMENTING, PARTNER, MENTIONED = (
    EntryCountry.Role.IMPLEMENTING,
    EntryCountry.Role.PARTNER,
    EntryCountry.Role.MENTIONED,
)
SOURCE_FILE = "document-final-gestion-des-frontieres.txt"


def text_of(response):
    """The visible text of a page, tags stripped and spaces collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def html_of(response):
    return response.content.decode()


@pytest.fixture
def document(make_meeting, make_session, make_entry, make_theme):
    """A published meeting shaped like a final document, plus a draft entry and a draft meeting."""
    meeting = make_meeting(
        slug="gestion-des-frontieres",
        code="GF",
        title="Réunion thématique sur la gestion des frontières",
        participants_count=70,
        countries_count=26,
        framework="Domaine 4 du Plan d'action de Marrakech",
        continuity="Suite de la réunion technique de Madrid",
        source_title="Document final",
        source_file=SOURCE_FILE,
    )
    meeting.co_chairs.set(["ES", "MA"])
    patrols = make_theme(slug="patrouilles", name_fr="Patrouilles conjointes", name_en="Joint patrols")
    sharing = make_theme(slug="echange", name_fr="Échange d'informations", name_en="Information sharing")
    lonely = make_theme(slug="solitaire", name_fr="Thème sans entrée", name_en="Theme without entries")
    frontex = Organisation.objects.create(slug="frontex", acronym="Frontex", name="Agence européenne")
    objectives = make_session(meeting=meeting, order=1, slug="objectifs", title="Objectifs de la réunion")
    cooperation = make_session(meeting=meeting, order=2, slug="cooperation", title="Coopération frontalière")
    spain = make_session(meeting=meeting, order=3, slug="politique", title="Politique espagnole", parent=cooperation)
    Speaker.objects.create(meeting=meeting, order=1, honorific="Mme", name="Angeles Moreno Bau", country_id="ES")
    entries = {
        "objective": make_entry(
            session=objectives, order=1, kind=Entry.Kind.OBJECTIVE, text="Informer les participants.", themes=[sharing]
        ),
        "key_point": make_entry(
            session=cooperation, order=1, kind=Entry.Kind.KEY_POINT, text="Aucun État ne peut relever seul ces défis."
        ),
        "policy": make_entry(
            session=spain,
            order=1,
            kind=Entry.Kind.POLICY,
            text="Trois piliers : 1) Prévention en amont ; 2) Patrouilles conjointes ; 3) Retour.",
            sub_points=["Prévention en amont ;", "Patrouilles conjointes ;", "Retour."],
            source_line=111,
            countries=[("ES", IMPLEMENTING), ("SN", PARTNER), ("ML", MENTIONED)],
            themes=[patrols],
        ),
        "practice": make_entry(
            session=spain,
            order=2,
            kind=Entry.Kind.GOOD_PRACTICE,
            text="L'Espagne coopère avec le Sénégal.",
            source_line=115,
            countries=[("ES", IMPLEMENTING), ("SN", PARTNER)],
            themes=[patrols, sharing],
        ),
        "draft": make_entry(
            session=spain,
            order=3,
            kind=Entry.Kind.CHALLENGE,
            text="Texte en brouillon invisible.",
            status=Status.DRAFT,
            countries=[("SN", IMPLEMENTING), ("TD", MENTIONED)],
            themes=[patrols],
        ),
    }
    entries["policy"].organisations.set([frontex])
    entries["draft"].organisations.set([frontex])
    Entry.objects.filter(pk=entries["draft"].pk).update(source_line=120)
    hidden = make_meeting(slug="reunion-brouillon", code="BR", title="Réunion en brouillon", status=Status.DRAFT)
    entries["hidden"] = make_entry(
        session=make_session(meeting=hidden),
        kind=Entry.Kind.RECOMMENDATION,
        text="Entrée d'une réunion en brouillon.",
        countries=[("SN", IMPLEMENTING), ("NE", PARTNER)],
        themes=[patrols],
    )
    entries["hidden"].organisations.set([frontex])
    return {
        "meeting": meeting,
        "draft_meeting": hidden,
        "themes": (patrols, sharing, lonely),
        "frontex": frontex,
        **entries,
    }


def add_entries(meeting, count, make_entry, themes):
    """`count` more published entries in a new session, each tagged with two countries, the themes and Frontex."""
    last = meeting.sessions.order_by("-order").first()
    session = Session.objects.create(meeting=meeting, order=last.order + 1, slug="extra", title="Session ajoutée")
    frontex = Organisation.objects.get(slug="frontex")
    for n in range(count):
        entry = make_entry(
            session=session,
            order=n + 1,
            kind=Entry.Kind.RECOMMENDATION,
            countries=[("SN", IMPLEMENTING), ("GM", PARTNER)],
            themes=themes,
            source_line=200 + n,
        )
        entry.organisations.add(frontex)


# Home


def test_home_shows_published_meetings_with_key_figures_and_counts_by_kind(client, document):
    page = text_of(client.get("/"))
    assert "Réunion thématique sur la gestion des frontières" in page
    assert "Co-présidence Espagne , Maroc" in page
    assert "Participants 70" in page and "Pays représentés 26" in page
    assert "4 entrées publiées" in page
    for label in ["Objectif 1", "Point souligné 1", "Politique 1", "Bonne pratique 1"]:
        assert label in page
    assert "Défi" not in page  # the only challenge is a draft
    assert "Réunion en brouillon" not in page
    assert "Tchad" not in page and "Niger" not in page  # named only in draft entries


def test_home_links_to_browse_by_country_and_theme_and_has_a_search_box(client, document):
    response = client.get("/")
    html = html_of(response)
    assert 'href="/countries/"' in html and 'href="/themes/"' in html
    assert 'href="/countries/SN/"' in html and 'href="/themes/patrouilles/"' in html
    assert re.search(r'<form class="search" role="search" action="[^"]*" method="get">', html)
    assert '<label for="home-q">' in html and 'name="q"' in html


def test_home_search_box_sends_the_query_to_the_entries_explorer(client, document):
    try:
        explorer = reverse("outcomes:entry-list")
    except NoReverseMatch:
        pytest.skip("the entries explorer (branch explorer) is not merged yet")
    assert f'action="{explorer}" method="get"' in html_of(client.get("/"))


def test_home_links_to_every_meeting(client, document):
    html = html_of(client.get("/"))
    assert f'<a class="more" href="{reverse("outcomes:meeting-list")}">Toutes les réunions</a>' in html


def test_home_without_meetings_says_so(client, db):
    assert "Aucune réunion publiée pour l'instant." in text_of(client.get("/"))


def test_pages_link_to_their_entries_in_the_explorer(client, document):
    try:
        explorer = reverse("outcomes:entry-list")
    except NoReverseMatch:
        pytest.skip("the entries explorer (branch explorer) is not merged yet")
    assert f'href="{explorer}?country=SN"' in html_of(client.get("/countries/SN/"))
    assert f'href="{explorer}?theme=patrouilles"' in html_of(client.get("/themes/patrouilles/"))
    assert f'href="{explorer}?organisation=frontex"' in html_of(client.get("/organisations/frontex/"))
    assert f'href="{explorer}?meeting=gestion-des-frontieres"' in html_of(
        client.get("/meetings/gestion-des-frontieres/")
    )
    assert "?country=FR" not in html_of(client.get("/countries/FR/"))  # nothing to explore
    html = html_of(client.get("/"))
    nav = html[html.index('<nav class="site-nav"') : html.index("</nav>", html.index('<nav class="site-nav"'))]
    assert f'<a href="{explorer}">Entrées</a>' in nav


# Meeting


def test_meeting_page_shows_metadata_sessions_and_entries_in_document_order(client, document):
    response = client.get(document["meeting"].get_absolute_url())
    assert response.status_code == 200
    page = text_of(response)
    assert "Co-présidence Espagne , Maroc" in page
    assert "Domaine 4 du Plan d'action de Marrakech" in page
    assert "Suite de la réunion technique de Madrid" in page
    assert "Mme Angeles Moreno Bau" in page
    assert "Entrées publiées 4" in page
    assert "Entrées par type Objectif 1 Point souligné 1 Politique 1 Bonne pratique 1" in page
    order = [
        "Objectifs de la réunion",
        "Informer les participants.",
        "Coopération frontalière",
        "Aucun État ne peut relever seul ces défis.",
        "Politique espagnole",
        "Prévention en amont",
        "L'Espagne coopère avec le Sénégal.",
    ]
    body = page[page.index("Mme Angeles Moreno Bau") :]
    positions = [body.index(text) for text in order]
    assert positions == sorted(positions)
    assert "Texte en brouillon invisible." not in page


def test_meeting_page_has_a_table_of_contents_with_anchors_and_sub_headings(client, document):
    html = html_of(client.get(document["meeting"].get_absolute_url()))
    toc = html[
        html.index('<nav class="toc toc--wide"') : html.index("</nav>", html.index('<nav class="toc toc--wide"'))
    ]
    folded = html[html.index('<details class="toc toc--folded">') : html.index("</details>", html.index("toc--folded"))]
    assert folded.count("<li>") == toc.count("<li>"), "on a phone, the same contents fold under a summary"
    for anchor in ["session-objectifs", "session-cooperation", "session-politique"]:
        assert f'href="#{anchor}"' in toc
        assert f'id="{anchor}"' in html
    assert (
        toc.index("session-cooperation")
        < toc.index("<ol>", toc.index("session-cooperation"))
        < toc.index("session-politique")
    )
    assert '<h3 lang="fr" id="session-politique-title">Politique espagnole</h3>' in html
    assert f'id="{document["policy"].anchor}"' in html


def test_meeting_page_shows_each_entry_with_its_tags_and_roles(client, document):
    html = html_of(client.get(document["meeting"].get_absolute_url()))
    card = html[html.index(f'id="{document["policy"].anchor}"') : html.index(f'id="{document["practice"].anchor}"')]
    assert '<span class="kind kind--policy">Politique</span>' in card
    assert f'href="{document["policy"].get_absolute_url()}"' in card
    assert "<li>Prévention en amont ;</li>" in card
    assert 'href="/countries/ES/"' in card and "met en œuvre" in card
    assert card.index("/countries/ES/") < card.index("/countries/SN/") < card.index("/countries/ML/")
    assert "(mentionné)" in card
    assert 'href="/countries/SN/"' in card and "partenaire" in card
    assert 'href="/themes/patrouilles/"' in card and 'href="/organisations/frontex/"' in card
    assert f'href="{reverse("outcomes:meeting-source", args=["gestion-des-frontieres"])}"' in html


def test_entry_titles_sit_one_level_below_their_heading(client, document, make_entry):
    session = Session.objects.get(slug="politique")  # a sub-heading (h3) of "Coopération frontalière" (h2)
    titled = make_entry(session=session, order=9, title="Trois piliers", text="Texte titré.")
    html = html_of(client.get(document["meeting"].get_absolute_url()))
    assert (
        f'<h4 class="entry-card__title" lang="fr"><a href="{titled.get_absolute_url()}">Trois piliers</a></h4>' in html
    )


def test_meeting_page_links_the_previous_meeting_only_when_published(client, document, make_meeting):
    meeting = document["meeting"]
    meeting.previous_meeting = make_meeting(slug="madrid-2019", title="Réunion technique de Madrid")
    meeting.save()
    page = html_of(client.get(meeting.get_absolute_url()))
    assert 'href="/meetings/madrid-2019/">Réunion technique de Madrid</a>' in page
    assert 'href="/meetings/gestion-des-frontieres/">Réunion thématique' in html_of(
        client.get("/meetings/madrid-2019/")
    )  # the earlier meeting lists its follow-up
    Meeting.objects.filter(slug="madrid-2019").update(status=Status.DRAFT)
    assert "Réunion technique de Madrid" not in text_of(client.get(meeting.get_absolute_url()))


def test_draft_and_unknown_meetings_are_404_in_the_site_design(client, document):
    for url in [document["draft_meeting"].get_absolute_url(), "/meetings/nope/"]:
        response = client.get(url)
        assert response.status_code == 404
        assert "Page introuvable" in text_of(response)
        assert 'class="site-header"' in html_of(response)


# Entry


def test_entry_page_shows_text_sub_points_kind_meeting_session_and_tags_with_roles(client, document):
    entry = document["policy"]
    response = client.get(entry.get_absolute_url())
    html, page = html_of(response), text_of(response)
    assert response.status_code == 200
    assert "Trois piliers :" in page
    assert re.search(r'<ol class="sub-points"><li>Prévention en amont ;</li><li>Patrouilles conjointes ;</li>', html)
    assert "Politique GF-" in page
    assert f'href="{entry.meeting.get_absolute_url()}"' in html
    assert "Pays qui met en œuvre ou présente Espagne" in page
    assert "Pays partenaire Sénégal" in page
    assert "Pays mentionné Mali" in page
    assert "Thèmes Patrouilles conjointes" in page
    assert "Organisations Frontex" in page


def test_entry_page_says_where_the_entry_comes_from(client, document):
    entry = document["policy"]
    response = client.get(entry.get_absolute_url())
    html, page = html_of(response), text_of(response)
    assert "Document final Coopération frontalière Politique espagnole" in page
    assert "Position 1 dans sa rubrique." in page
    assert "Commence à la ligne 111 du texte source." in page
    assert f'href="{entry.meeting.get_absolute_url()}#{entry.anchor}"' in html
    assert f'href="/meetings/gestion-des-frontieres/source/#L{entry.source_line}"' in html


def test_entry_page_has_a_stable_reference_and_a_how_to_cite_line(client, document):
    entry = document["policy"]
    page = text_of(client.get(entry.get_absolute_url()))
    assert f"Référence stable {entry.reference}" in page
    today = date_format(timezone.localdate(), "DATE_FORMAT")
    assert (
        f"« {entry.text} », Politique {entry.reference}. Dans : Document final "
        f"(Processus de Rabat, s.d.). Texte : original en français. Rabat KB, "
        f"http://testserver/entries/{entry.reference}/ (consulté le {today})."
    ) in page
    html = client.get(entry.get_absolute_url()).content.decode()
    assert f"<title>{entry.display_title} · Politique {entry.reference} · Rabat KB</title>" in html
    assert f'<h1 lang="fr">{entry.display_title}</h1>' in html
    assert f'<meta property="og:url" content="http://testserver/entries/{entry.reference}/">' in html
    assert (
        f'href="/entries/{entry.reference}/cite.bib"' in html and f'href="/entries/{entry.reference}/cite.ris"' in html
    )
    assert html.index('class="entry-full__text"') < html.index('id="provenance-title"'), "the text comes first"


def test_related_entries_share_themes_or_countries_and_are_published(client, document, make_entry, make_session):
    unrelated = make_entry(session=make_session(meeting=document["meeting"]), text="Sans lien", countries=["BR"])
    html = html_of(client.get(document["policy"].get_absolute_url()))
    related = html[html.index('id="related-title"') :]
    assert document["practice"].reference in related  # shares Spain, Senegal and the patrols theme
    assert document["key_point"].reference not in related  # no tag in common
    assert unrelated.reference not in related
    assert document["draft"].reference not in related
    assert document["hidden"].reference not in related
    assert document["objective"].reference not in related  # its theme is not the policy's


def test_related_entries_come_most_shared_first(client, document):
    html = html_of(client.get(document["practice"].get_absolute_url()))
    related = html[html.index('id="related-title"') :]
    # the policy shares Spain, Senegal and patrols; the objective only the information sharing theme
    assert related.index(document["policy"].reference) < related.index(document["objective"].reference)


def test_related_entries_are_limited(client, document, make_entry):
    add_entries(document["meeting"], 10, make_entry, [document["themes"][0]])
    html = html_of(client.get(document["policy"].get_absolute_url()))
    related = html[html.index('id="related-title"') :]
    assert related.count('class="reference"') == 6


def test_draft_entries_entries_of_draft_meetings_and_unknown_references_are_404(client, document):
    for url in [document["draft"].get_absolute_url(), document["hidden"].get_absolute_url(), "/entries/ZZ-999/"]:
        response = client.get(url)
        assert response.status_code == 404
        assert "Page introuvable" in text_of(response)


# Source document


def test_source_page_serves_the_text_with_line_anchors_and_entry_markers(client, document):
    response = client.get(reverse("outcomes:meeting-source", args=["gestion-des-frontieres"]))
    assert response.status_code == 200
    html = html_of(response)
    assert 'id="L1"' in html and 'id="L594"' in html
    line_111 = html[html.index('id="L111"') : html.index('id="L112"')]
    assert f'href="{document["policy"].get_absolute_url()}"' in line_111
    assert "Co-présidée par l’Espagne et le Maroc" in text_of(response)
    line_120 = html[html.index('id="L120"') : html.index('id="L121"')]
    assert document["draft"].reference not in line_120 and "/entries/" not in line_120


def test_source_page_is_404_when_missing_outside_the_directory_or_for_a_draft(client, document, settings, tmp_path):
    meeting = document["meeting"]
    url = reverse("outcomes:meeting-source", args=[meeting.slug])
    (tmp_path / "docs").mkdir()
    (tmp_path / "secret.txt").write_text("secret")
    settings.SOURCE_DOCUMENTS_DIR = tmp_path / "docs"
    (tmp_path / "docs" / "link.txt").symlink_to(tmp_path / "secret.txt")
    for source_file in [SOURCE_FILE, "", "../secret.txt", str(tmp_path / "secret.txt"), ".", "link.txt"]:
        meeting.source_file = source_file
        meeting.save()
        response = client.get(url)
        assert response.status_code == 404, source_file
        assert "secret" not in text_of(response)
    assert client.get(reverse("outcomes:meeting-source", args=[document["draft_meeting"].slug])).status_code == 404


def test_source_names_the_filesystem_refuses_give_no_file(settings):
    for source_file in ["a\x00b", "x" * 1000, "../" * 50 + "etc/passwd"]:
        assert Meeting(source_file=source_file).source_path() is None


def test_entry_and_meeting_pages_do_not_link_a_missing_source(client, document):
    meeting = document["meeting"]
    meeting.source_file = "absent.txt"
    meeting.save()
    assert "/source/" not in html_of(client.get(meeting.get_absolute_url()))
    assert "/source/" not in html_of(client.get(document["policy"].get_absolute_url()))


# Countries


def test_country_index_lists_countries_with_published_entries_and_counts_by_kind(client, document):
    page = text_of(client.get(reverse("outcomes:country-list")))
    assert "Espagne 2 entrées Politique 1 Bonne pratique 1" in page
    assert "Sénégal 2 entrées" in page
    assert "Mali 1 entrée Politique 1" in page
    assert "Tchad" not in page and "Niger" not in page  # only named in drafts
    assert "France" not in page
    assert page.index("Espagne") < page.index("Mali") < page.index("Sénégal")


def test_country_page_groups_entries_by_kind_with_the_role_and_lists_partner_countries(client, document):
    response = client.get("/countries/SN/")
    html, page = html_of(response), text_of(response)
    assert "Sénégal SN" in page
    assert "2 entrées publiées citent ce pays." in page
    assert page.index("Politique 1") < page.index("Bonne pratique 1")
    assert '<span class="role role--partner">Pays partenaire</span>' in html
    partners = page[page.index("Pays cités avec lui") :]
    assert "Espagne 2" in partners and "Mali 1" in partners
    assert partners.index("Espagne 2") < partners.index("Mali 1")
    assert "Niger" not in page and "Tchad" not in page
    assert "Texte en brouillon invisible." not in page and "Entrée d'une réunion en brouillon." not in page


def test_every_country_has_a_page_even_without_entries(client, document):
    response = client.get("/countries/FR/")
    assert response.status_code == 200
    assert "Aucune entrée publiée ne cite ce pays pour l'instant." in text_of(response)


@pytest.mark.parametrize("code", ["sn", "Sn", "ZZ", "SEN", "S", "S1"])
def test_lowercase_invalid_and_unknown_country_codes_are_404(client, document, code):
    response = client.get(f"/countries/{code}/")
    assert response.status_code == 404
    assert "Page introuvable" in text_of(response)


# Themes and organisations


def test_theme_index_lists_themes_with_counts_of_published_entries(client, document):
    page = text_of(client.get(reverse("outcomes:theme-list")))
    assert "Patrouilles conjointes 2 entrées Politique 1 Bonne pratique 1" in page
    assert "Échange d'informations 2 entrées" in page
    assert "Thème sans entrée 0 entrée" in page
    assert page.index("Échange d'informations") < page.index("Patrouilles conjointes") < page.index("Thème sans")


def test_theme_page_shows_its_published_entries_and_countries(client, document):
    response = client.get(document["themes"][0].get_absolute_url())
    page = text_of(response)
    assert "2 entrées publiées." in page
    assert "Trois piliers" in page and "L'Espagne coopère avec le Sénégal." in page
    assert "Texte en brouillon invisible." not in page and "Entrée d'une réunion en brouillon." not in page
    countries = page[page.index("Pays concernés") :]
    assert "Espagne 2" in countries and "Sénégal 2" in countries and "Mali 1" in countries
    assert "Tchad" not in countries


def test_organisation_pages_list_organisations_and_their_published_entries(client, document):
    index = text_of(client.get(reverse("outcomes:organisation-list")))
    assert "Organisation Frontex 1 entrée Agence européenne" in index
    page = text_of(client.get(document["frontex"].get_absolute_url()))
    assert "Frontex" in page and "Trois piliers" in page
    assert "L'Espagne coopère" not in page


@pytest.mark.parametrize(
    "url", ["/themes/nope/", "/organisations/nope/", "/entries/zz-999/", "/entries/ZZ-999/", "/nowhere/"]
)
def test_unknown_slugs_are_404_in_the_site_design(client, document, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Page introuvable" in text_of(response)
    assert 'href="/countries/"' in html_of(response)


# Languages


def test_english_pages_show_english_interface_country_and_theme_names(client, document):
    page = text_of(client.get("/en/countries/SN/"))
    assert "Senegal SN" in page
    assert "Sénégal" not in page.replace("L'Espagne coopère avec le Sénégal.", "")
    assert "Countries named with it" in page and "Spain 2" in page
    assert "Partner country" in page and "Good practice" in page
    page = text_of(client.get("/en/themes/"))
    assert "Joint patrols 2 entries" in page and "Themes" in page
    page = text_of(client.get(f"/en/entries/{document['policy'].reference}/"))
    assert "How to cite" in page and "Implementing or presenting country Spain" in page
    reference = document["policy"].reference
    assert f"“{document['policy'].text}”, Policy {reference}. In: Document final (Rabat Process, n.d.)." in page
    assert "Text: French original." in page
    assert "Trois piliers" in page  # content not yet translated stays in French, with a note
    assert "Not yet translated into English: the French original is shown." in page
    assert "Page not found" in text_of(client.get("/en/entries/NOPE/"))


def test_language_switcher_keeps_the_current_page(client, document):
    html = html_of(client.get("/countries/SN/?x=1"))
    assert '<a href="/en/countries/SN/?x=1" hreflang="en" lang="en">' in html
    assert "csrfmiddlewaretoken" not in html  # a token would make the public pages uncacheable
    html = html_of(client.get("/en/countries/SN/"))
    assert '<a href="/countries/SN/" hreflang="fr" lang="fr">' in html
    assert '<span aria-current="true" lang="en">' in html


def test_navigation_links_every_section_and_marks_the_current_one(client, document):
    html = html_of(client.get("/themes/"))
    nav = html[html.index('<nav class="site-nav"') : html.index("</nav>", html.index('<nav class="site-nav"'))]
    for url in ["/", "/meetings/", "/countries/", "/themes/", "/organisations/"]:
        assert f'href="{url}"' in nav
    assert '<a href="/themes/" aria-current="page">' in nav
    for url in ["/meetings/", document["meeting"].get_absolute_url()]:
        assert '<a href="/meetings/" aria-current="page">' in html_of(client.get(url))


# Query counts: a page costs the same number of queries with 3 entries or 30


# Pinned counts include the content-version query of the ETag (outcomes/caching.py).
PAGES = {
    "home": (lambda d: "/", 9),  # the latest meetings, then their counts; +2: the map (counts, names)
    "meetings": (lambda d: reverse("outcomes:meeting-list"), 7),  # total, page, co-chairs, their counts; +2: chart
    "meeting": (lambda d: d["meeting"].get_absolute_url(), 11),  # +1: the chart of kinds per session
    # +1: related entries ranked on the tag tables; +2: links both ways, framework items
    "entry": (lambda d: d["practice"].get_absolute_url(), 9),
    "source": (lambda d: reverse("outcomes:meeting-source", args=[d["meeting"].slug]), 3),
    "countries": (lambda d: reverse("outcomes:country-list"), 6),  # +4: the map and the network (counts, names)
    # +2: counts by kind, ids of the first cards of each; +2: network; +2: follow-up counts by status and without any;
    # +1: the entries addressed to all partner countries (they concern this one too)
    "country": (lambda d: "/countries/SN/", 16),
    "themes": (lambda d: reverse("outcomes:theme-list"), 2),
    # +2: the chart (counts, meetings); +2: follow-up counts by status and without any; the cards' tags from their
    # facet rows, named from the countries, themes and organisations held per content version (+3 after a write)
    "theme": (lambda d: d["themes"][0].get_absolute_url(), 14),
    "organisations": (lambda d: reverse("outcomes:organisation-list"), 2),
    "organisation": (lambda d: d["frontex"].get_absolute_url(), 9),  # the cards' tags as on a theme's page
}


@pytest.mark.parametrize("page", PAGES)
def test_pages_render_in_a_constant_number_of_queries(
    client, document, make_entry, page, django_assert_max_num_queries
):
    url, pinned = PAGES[page][0](document), PAGES[page][1]
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add_entries(document["meeting"], 30, make_entry, list(document["themes"][:2]))
    with django_assert_max_num_queries(pinned):
        response = client.get(url)
    assert response.status_code == 200
    cache.clear()  # some counts are cached until the content changes (outcomes/caching.py): compare uncached
    forget_memos()  # and some names held in the process for the content version
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_server_error_page_renders_without_a_database_or_a_context(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Une erreur est survenue" in response.content.decode()


def test_home_lists_the_newest_meetings_first_and_undated_ones_last(client, make_meeting):
    make_meeting(title="Réunion sans date")
    make_meeting(title="Réunion de 2019", start_date=datetime.date(2019, 7, 1))
    make_meeting(title="Réunion de 2022", start_date=datetime.date(2022, 3, 1))
    page = text_of(client.get("/"))
    assert page.index("Réunion de 2022") < page.index("Réunion de 2019") < page.index("Réunion sans date")


# Meetings index


def test_meetings_page_lists_published_meetings_with_their_key_figures(client, document):
    response = client.get(reverse("outcomes:meeting-list"))
    assert response.status_code == 200
    page = text_of(response)
    assert "Réunion thématique sur la gestion des frontières" in page
    assert "Réunion thématique" in page  # its kind
    assert "Co-présidence Espagne , Maroc" in page
    assert "Participants 70" in page and "Pays représentés 26" in page
    assert "Entrées 4" in page  # the draft entry is not counted
    for label in ["Objectif 1", "Point souligné 1", "Politique 1", "Bonne pratique 1"]:
        assert label in page
    assert "Réunion en brouillon" not in page and "Défi" not in page
    assert "1 réunion publiée." in page


def test_meetings_page_lists_the_newest_first_undated_last_and_is_paginated(client, make_meeting):
    make_meeting(title="Réunion sans date")
    for day in range(1, 21):
        make_meeting(title=f"Réunion du {day:02d} mars", start_date=datetime.date(2024, 3, day))
    make_meeting(title="Réunion de 2019", start_date=datetime.date(2019, 7, 1))

    first = client.get(reverse("outcomes:meeting-list"))
    titles = [meeting.title for meeting in first.context["meeting_list"]]
    assert titles == [f"Réunion du {day:02d} mars" for day in range(20, 0, -1)]
    assert 'rel="next" href="?page=2"' in html_of(first)
    second = client.get(reverse("outcomes:meeting-list") + "?page=2")
    assert [meeting.title for meeting in second.context["meeting_list"]] == ["Réunion de 2019", "Réunion sans date"]
    assert "Page 2 sur 2" in text_of(second)
    for page in ["3", "0", "abc", "99999999999999999999"]:
        assert client.get(reverse("outcomes:meeting-list") + f"?page={page}").status_code == 404


def test_meetings_page_says_when_there_is_none(client, db):
    assert "Aucune réunion publiée pour l'instant." in text_of(client.get(reverse("outcomes:meeting-list")))


def test_meetings_page_costs_the_same_queries_for_one_meeting_or_a_full_page(
    client, make_meeting, make_entry, make_session, django_assert_max_num_queries
):
    def add_meeting(n):
        meeting = make_meeting(start_date=datetime.date(2020, 1, 1) + datetime.timedelta(days=n))
        meeting.co_chairs.set(["ES", "SN"])
        make_entry(session=make_session(meeting=meeting), kind=Entry.Kind.CHALLENGE)

    add_meeting(0)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("outcomes:meeting-list"))
    for n in range(1, 30):
        add_meeting(n)
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("outcomes:meeting-list"))
    assert len(response.context["meeting_list"]) == 20
    assert all(meeting.n_total == 1 for meeting in response.context["meeting_list"])


# Staff preview of drafts


def test_staff_who_may_change_entries_preview_a_draft_with_a_banner(client, document, secretariat_user):
    client.force_login(secretariat_user)
    for entry in [document["draft"], document["hidden"]]:
        response = client.get(entry.get_absolute_url())
        assert response.status_code == 200
        assert "Brouillon — non publié" in text_of(response)
        assert entry.text in text_of(response)
        assert set(response["Cache-Control"].split(", ")) == {"private", "no-cache"}  # never in a shared cache
        assert not response.has_header("ETag")
    published = client.get(document["practice"].get_absolute_url())
    assert "Brouillon" not in text_of(published)


def test_the_draft_banner_is_translated(client, document, secretariat_user):
    client.force_login(secretariat_user)
    page = text_of(client.get("/en" + document["draft"].get_absolute_url()))
    assert "Draft — not published" in page


def test_drafts_stay_404_for_visitors_users_and_staff_who_may_not_change_entries(client, document, make_user):
    draft = document["draft"].get_absolute_url()
    assert client.get(draft).status_code == 404
    for user in [make_user(), make_user(is_staff=True)]:
        client.force_login(user)
        response = client.get(draft)
        assert response.status_code == 404
        assert "Brouillon" not in text_of(response)
    client.logout()
    anonymous = client.get(draft)
    assert anonymous.status_code == 404
    assert "public" not in anonymous.get("Cache-Control", "")


# Favicon


def test_pages_name_an_icon_the_site_serves_and_favicon_ico_leads_to_it(client, db):
    html = html_of(client.get("/"))
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html).group(1)
    served = client.get(icon)
    assert served.status_code == 200
    assert served["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in b"".join(served.streaming_content)
    redirect = client.get("/favicon.ico")
    assert redirect.status_code == 302
    assert redirect["Location"] == icon
    assert "public" in redirect["Cache-Control"]
