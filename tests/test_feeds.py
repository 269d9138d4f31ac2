"""Atom feeds of newly published entries, and an entry's citation as BibTeX and RIS."""

import xml.etree.ElementTree as ET

import pytest

from outcomes.models import Entry
from tests.corpus import PUBLISHED, corpus_fixture, refs  # noqa: F401

ATOM = "{http://www.w3.org/2005/Atom}"


def feed_references(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    return [entry.find(f"{ATOM}title").text.split(" — ")[0].split()[-1] for entry in root.iter(f"{ATOM}entry")]


@pytest.mark.parametrize(
    "url, expected",
    [
        ("/feed/", PUBLISHED),
        ("/countries/SN/feed/", ("patrols", "exchange", "elsewhere")),
        ("/themes/patrouilles/feed/", ("patrols", "exchange")),
        ("/meetings/autre-reunion/feed/", ("elsewhere",)),
        ("/entries/feed/?country=SN&role=implementing", ("patrols",)),
        ("/entries/feed/?kind=challenge", ("cooperation", "elsewhere")),
    ],
)
def test_feeds_list_the_published_entries_they_follow_newest_first(client, corpus, url, expected):
    references = feed_references(client, url)
    assert set(references) == refs(corpus, *expected)
    created = dict(Entry.objects.values_list("reference", "created_at"))
    assert references == sorted(
        references, key=lambda ref: (created[ref], Entry.objects.get(reference=ref).pk), reverse=True
    )


def test_feeds_never_carry_drafts_and_bad_filters_give_an_empty_feed(client, corpus):
    assert corpus["draft"].reference not in feed_references(client, "/countries/SN/feed/")
    assert corpus["hidden"].reference not in feed_references(client, "/feed/")
    assert feed_references(client, "/entries/feed/?country=XX") == []
    assert client.get("/meetings/reunion-brouillon/feed/").status_code == 404
    assert client.get("/countries/XX/feed/").status_code == 404


def test_pages_advertise_their_feed(client, corpus):
    for page, feed in [
        ("/", "/feed/"),
        ("/countries/SN/", "/countries/SN/feed/"),
        ("/themes/patrouilles/", "/themes/patrouilles/feed/"),
        ("/meetings/gestion-des-frontieres/", "/meetings/gestion-des-frontieres/feed/"),
        ("/entries/?country=SN", "/entries/feed/?country=SN"),
    ]:
        html = client.get(page).content.decode()
        assert f'<link rel="alternate" type="application/atom+xml" href="{feed}"' in html, page


def test_an_entry_cites_itself_as_bibtex_and_ris(client, corpus):
    entry = corpus["patrols"]
    bib = client.get(f"/entries/{entry.reference}/cite.bib")
    assert bib.status_code == 200 and bib["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert bib["Content-Disposition"] == f'attachment; filename="rabat-kb_{entry.reference.lower()}.bib"'
    text = bib.content.decode()
    assert text.startswith(f"@misc{{rabatkb-{entry.reference.lower()},")
    assert f"url = {{http://testserver/entries/{entry.reference}/}}" in text and "language = {french}" in text
    assert "year" not in text, "the document gives no date: no year is made up"
    ris = client.get(f"/entries/{entry.reference}/cite.ris").content.decode()
    assert ris.startswith("TY  - GEN\r\n") and ris.endswith("ER  - \r\n")
    assert f"UR  - http://testserver/entries/{entry.reference}/\r\n" in ris and "PY  -" not in ris
    assert client.get(f"/entries/{corpus['draft'].reference}/cite.bib").status_code == 404
