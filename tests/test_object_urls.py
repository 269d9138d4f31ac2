"""The links a page of cards draws by the hundred (outcomes/links.py) and the labels of its choices are those Django
would give: the same URL as reverse() in each language and under a script prefix, the same label as Django's own
get_<field>_display()."""

import pytest
from django.db.models import Model
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils import translation

from outcomes.links import object_url
from outcomes.models import Entry, EntryCountry

VALUES = [
    ("outcomes:country-detail", "SN"),
    ("outcomes:entry-detail", "GF-052"),
    ("outcomes:theme-detail", "gestion-integree"),
    ("outcomes:meeting-detail", "reunion_2024"),
    ("outcomes:entry-detail", "GF 052é"),  # not plain: reverse() itself quotes it
]


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("prefix", ["/", "/kb/"])
def test_an_object_url_is_the_url_reverse_gives(language, prefix):
    try:
        set_script_prefix(prefix)
        with translation.override(language):
            for name, value in VALUES:
                assert object_url(name, value) == reverse(name, args=[value])
    finally:
        set_script_prefix("/")


def test_a_value_no_url_takes_is_refused_as_reverse_refuses_it():
    with pytest.raises(NoReverseMatch):
        object_url("outcomes:theme-detail", "not a slug")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_choice_label_is_the_one_django_gives_and_an_unknown_value_shows_as_it_is(language):
    with translation.override(language):
        for kind in [*Entry.Kind.values, "unknown"]:
            entry = Entry(kind=kind)
            assert entry.get_kind_display() == Model._get_FIELD_display(entry, Entry._meta.get_field("kind"))
        for role in EntryCountry.Role.values:
            tag = EntryCountry(role=role)
            assert tag.get_role_display() == Model._get_FIELD_display(tag, EntryCountry._meta.get_field("role"))
    assert Entry(kind="unknown").get_kind_display() == "unknown"
