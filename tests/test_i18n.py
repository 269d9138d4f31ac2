"""The English interface: a complete catalogue, compiled, and English pages with no French interface text left."""

import json
import os
import re
import shutil
import subprocess
import sys
from gettext import GNUTranslations
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from outcomes.api import error_response
from tests.corpus import corpus_fixture  # noqa: F401
from tests.test_pages import text_of

LOCALE = Path(settings.BASE_DIR) / "locale"
PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def parse_po(text):
    """The catalogue's messages (obsolete ones left out) as dicts: msgctxt, msgid, msgid_plural, msgstr (a list,
    one string per plural form) and flags."""
    messages = []
    for block in re.split(r"\n\s*\n", text):
        message, key = {"flags": set(), "msgstr": {}}, None
        for line in block.splitlines():
            if line.startswith("#,"):
                message["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            else:
                match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)?\s*"(.*)"$', line)
                assert match, f"unreadable line in {PO.name}: {line!r}"
                if match.group(1):
                    key = match.group(1) if not match.group(1).startswith("msgstr") else int(match.group(2) or 0)
                value = match.group(3).encode().decode("unicode_escape").encode("latin-1").decode()
                if isinstance(key, int):
                    message["msgstr"][key] = message["msgstr"].get(key, "") + value
                else:
                    message[key] = message.get(key, "") + value
        if "msgid" in message and message["msgid"]:
            message["msgstr"] = [message["msgstr"][index] for index in sorted(message["msgstr"])]
            messages.append(message)
    return messages


def catalogue_key(message):
    return f"{message['msgctxt']}\x04{message['msgid']}" if "msgctxt" in message else message["msgid"]


@pytest.fixture(scope="module")
def messages():
    return parse_po(PO.read_text(encoding="utf-8"))


def test_the_catalogue_has_no_untranslated_or_fuzzy_message(messages):
    assert len(messages) > 250
    assert [m["msgid"] for m in messages if "fuzzy" in m["flags"]] == []
    assert [m["msgid"] for m in messages if not all(m["msgstr"])] == []
    plurals = [m for m in messages if "msgid_plural" in m]
    assert plurals and all(len(m["msgstr"]) == 2 for m in plurals)


def test_translations_keep_every_placeholder(messages):
    for message in messages:
        sources = [message["msgid"], *[message.get("msgid_plural", message["msgid"])] * (len(message["msgstr"]) - 1)]
        for source, translated in zip(sources, message["msgstr"], strict=True):
            assert set(PLACEHOLDER.findall(translated)) == set(PLACEHOLDER.findall(source)), message["msgid"]


def test_the_compiled_catalogue_matches_the_po_file(messages):
    with MO.open("rb") as mo:
        compiled = GNUTranslations(mo)._catalog
    expected = {}
    for message in messages:
        key = catalogue_key(message)
        if "msgid_plural" in message:
            expected.update({(key, index): value for index, value in enumerate(message["msgstr"])})
        else:
            expected[key] = message["msgstr"][0]
    compiled.pop("", None)  # the header
    assert compiled == expected, "run `manage.py compilemessages --ignore=.venv`"


@pytest.mark.skipif(not shutil.which("xgettext"), reason="needs gettext's xgettext")
def test_every_string_marked_in_the_code_is_in_the_catalogue(tmp_path, messages):
    """makemessages, run on a copy of the project, finds no message the committed catalogue lacks."""
    root = Path(settings.BASE_DIR)
    for name in ("outcomes", "templates", "rabatkb", "locale"):
        shutil.copytree(root / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    script = (
        "import os, django; from django.conf import settings; django.setup();"
        "assert os.path.samefile(settings.BASE_DIR, os.getcwd()), settings.BASE_DIR;"
        "from django.core.management import call_command;"
        "call_command('makemessages', locale=['en'], verbosity=0)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "rabatkb.settings", "DJANGO_DEBUG": "true", "DATABASE_URL": ""}
    subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, check=True)
    extracted = parse_po((tmp_path / PO.relative_to(root)).read_text(encoding="utf-8"))
    assert {catalogue_key(m) for m in extracted} == {catalogue_key(m) for m in messages}
    assert [m["msgid"] for m in extracted if "fuzzy" in m["flags"] or not all(m["msgstr"])] == []


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="needs gettext's msgfmt")
def test_msgfmt_accepts_the_catalogue():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(PO)], capture_output=True, text=True, check=True
    )
    assert "fuzzy" not in result.stderr and "untranslated" not in result.stderr, result.stderr


# --- English pages -------------------------------------------------------------------------------------------


def french_interface_phrases(messages):
    """The catalogue's French phrases of two words or more (placeholders cut out) that English translates."""
    phrases = set()
    for message in messages:
        if message["msgstr"][0] == message["msgid"]:
            continue
        for source in (message["msgid"], message.get("msgid_plural", "")):
            for part in PLACEHOLDER.split(source)[::2]:
                part = part.strip(" :;,.«»")
                if len(part.split()) >= 2:
                    phrases.add(part)
    return phrases


def english_pages(corpus):
    return [
        "/en/",
        "/en/entries/",
        "/en/entries/?q=patrouilles&sort=relevance",
        "/en/entries/?country=SN&kind=good_practice&theme=patrouilles&meeting=gestion-des-frontieres&page_size=1",
        "/en/countries/",
        "/en/countries/SN/",
        "/en/themes/patrouilles/",
        "/en/organisations/frontex/",
        "/en/meetings/",
        "/en/meetings/gestion-des-frontieres/",
        f"/en/entries/{corpus['exchange'].reference}/",
    ]


def test_english_pages_show_no_french_interface_text(client, corpus, messages):
    phrases = french_interface_phrases(messages)
    assert "Explorer les entrées" in phrases and "entrées publiées citent ce pays" in phrases
    for url in english_pages(corpus):
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="en">' in response.content.decode()
        page = text_of(response)
        assert [phrase for phrase in phrases if phrase in page] == [], url
        for word in ("Accueil", "Entrées", "Thèmes", "Rechercher", "Filtrer", "Étiquettes", "Réunion"):
            assert not re.search(rf"\b{word}\b", page), (url, word)


def test_english_explorer_names_its_facets_sorts_and_controls_in_english(client, corpus):
    page = text_of(client.get("/en/entries/?page_size=2&page=2"))
    for legend in ("Kind", "Countries", "Country's role", "Theme", "Organisation", "Meeting"):
        assert f"{legend} " in page
    for words in (
        "Explore the entries",
        "5 entries",
        "Sort by",
        "Document order",
        "Recently added",
        "Relevance (when searching)",
        "Apply filters",
        "Download these entries:",
        "Entries per page:",
        "Previous",
        "Page 2 of 3",
        "Next",
        "Implementing or presenting country",
        "Good practice",
        "implementing",
    ):
        assert words in page, words


def test_english_explorer_chips_and_errors_read_as_english(client, corpus):
    response = client.get("/en/entries/?country=SN&q=patrouilles&meeting=gestion-des-frontieres&session=nope")
    assert 'aria-label="Active filters"' in response.content.decode()
    page = text_of(response)
    assert "remove this filter" in page and "Clear all" in page
    assert "Countries: Senegal" in page and "Search: “patrouilles”" in page
    assert "Session: No session “nope” in the published meetings." in page
    assert "Some parameters are not valid:" in page and "Start again without filters" in page
    assert " : " not in page and "«" not in page
    page = text_of(client.get("/en/entries/?kind=nope&page=99"))
    assert "Kind: Select a valid choice." in page
    page = text_of(client.get("/en/entries/?page=99"))
    assert "Page 99 does not exist; here is the last page." in page


def test_english_explorer_offers_to_show_the_options_a_facet_folds_away(client, corpus, monkeypatch):
    monkeypatch.setattr("outcomes.facets.FACET_LIMIT", 1)
    page = text_of(client.get("/en/entries/"))
    assert "Show the 3 other options" in page  # countries: the one with most entries is shown, 3 folded away
    assert "autres options" not in page
    page = text_of(client.get("/en/entries/?country=SN&country=ES&country_match=all"))
    assert "Countries: Senegal and Spain" in page and "all of them (and)" in page


def test_the_french_interface_keeps_its_french_typography(client, corpus):
    page = text_of(client.get("/entries/?country=SN&q=patrouilles&kind=nope"))
    assert "Pays : Sénégal" in page and "Recherche : « patrouilles »" in page and "Type : " in page
    assert "Trier par" in page and "Ajoutées récemment" in page


def test_the_api_messages_have_english_translations():
    """The API lives outside the language prefixes, so it answers in French; its messages are ready in English."""
    with translation.override("en"):
        assert json.loads(error_response(400, gettext("Paramètres invalides.")).content) == {
            "error": "Invalid parameters."
        }
        assert (
            gettext("Méthode non autorisée : l'API est en lecture seule.")
            == "Method not allowed: the API is read-only."
        )
