"""The fixtures' English edition of the border-management meeting: every item translated, none copied, and every
number, reference, acronym and name of the French kept in the English."""

import io
import re

import pytest
from django.core.management import call_command
from django.utils import translation

from outcomes.models import Country, Meeting
from outcomes.translation import TranslationStatus
from tests.test_pages import text_of

SLUG = "reunion-thematique-gestion-des-frontieres"
# The same word in both languages: the only English allowed to equal its French.
SAME_IN_ENGLISH = {"Introduction"}
# Acronyms that English writes its own way (the French body keeps the French one).
ENGLISH_ACRONYM = {"UE": "EU", "CEDEAO": "ECOWAS", "CCPAO": "WAPCCO"}
ACRONYM_OR_NUMBER = re.compile(r"\b(?:[A-Z]{2,}|\d+)\b")


@pytest.fixture
def meeting(db):
    call_command("load_fixtures", stdout=io.StringIO())
    return Meeting.objects.get(slug=SLUG)


def translated_items(meeting):
    """Every item a reader sees, with its (field, French, English) pairs."""
    items = [meeting, *meeting.speakers.all(), *meeting.sessions.all(), *meeting.entries.all()]
    for item in items:
        pairs = [(name, getattr(item, name), getattr(item, f"{name}_en")) for name in item.translated_fields]
        yield item, pairs


def texts(value):
    return value if isinstance(value, list) else [value]


def test_every_item_of_the_meeting_has_an_unofficial_english_translation(meeting):
    items = list(translated_items(meeting))
    assert len(items) == 1 + 3 + 26 + 84
    for item, pairs in items:
        assert item.translation_status == TranslationStatus.UNOFFICIAL, item
        for name, french, english in pairs:
            assert bool(english) == bool(french), (item, name)
            assert len(texts(english)) == len(texts(french)), (item, name)


def test_no_english_text_is_a_copy_of_its_french(meeting):
    for item, pairs in translated_items(meeting):
        for name, french, english in pairs:
            for fr, en in zip(texts(french), texts(english), strict=True):
                if fr and fr not in SAME_IN_ENGLISH:
                    assert en != fr, (item, name)


def test_numbers_references_and_acronyms_of_the_french_are_in_the_english(meeting):
    for item, pairs in translated_items(meeting):
        for name, french, english in pairs:
            for fr, en in zip(texts(french), texts(english), strict=True):
                for token in set(ACRONYM_OR_NUMBER.findall(fr)):
                    wanted = ENGLISH_ACRONYM.get(token, token)
                    assert re.search(rf"\b{wanted}\b", en), (item, name, token, en)


def test_countries_and_people_named_in_the_french_are_named_in_the_english(meeting):
    countries = {country.name_fr: country.name_en for country in Country.objects.filter(name_fr__regex=r"^\w+$")}
    people = list(meeting.speakers.values_list("name", flat=True)) + ["Frontex", "Madrid", "Twitter", "Niger"]
    checked = set()
    for item, pairs in translated_items(meeting):
        for _name, french, english in pairs:
            for fr, en in zip(texts(french), texts(english), strict=True):
                for name_fr, name_en in countries.items():
                    if re.search(rf"\b{re.escape(name_fr)}\b", fr):
                        assert name_en in en, (item, name_fr, en)
                        checked.add(name_en)
                for person in people:
                    if person in fr:
                        assert person in en, (item, person, en)
    assert {"Spain", "Morocco", "Senegal", "Gambia", "Mauritania", "Lebanon", "Germany", "Niger"} <= checked


def test_english_sub_points_are_found_in_order_in_the_english_text(meeting):
    for entry in meeting.entries.exclude(sub_points=[]):
        position = 0
        for point in entry.sub_points_en:
            found = entry.text_en.find(point, position)
            assert found >= 0, (entry.reference, point)
            position = found + len(point)


def test_the_english_meeting_page_reads_in_english(client, meeting):
    with translation.override("fr"):
        url = f"/en{meeting.get_absolute_url()}"
    page = text_of(client.get(url))
    assert "High-level thematic meeting on cooperation in the field of border management" in page
    assert "Marrakesh Action Plan 2018-2020" in page
    for entry in meeting.entries.all():
        for part in entry.sub_points_en or [entry.text_en]:
            assert " ".join(part.split()) in page, entry.reference
    assert page.count("Unofficial translation — read the French original") == 1 + 3 + 26 + 84
    assert "Not yet translated" not in page
