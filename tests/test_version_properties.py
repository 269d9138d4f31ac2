"""Any sequence of curation actions keeps the history whole: the property that would have caught the lost tags.

Hypothesis draws sequences of what a curator does to an entry — edit its text, add or remove themes, organisations
and countries with roles in the change form, each bulk action, an import of its meeting's file, a restore of an
earlier version — and after each action checks that the live entry equals its latest version and that every
earlier version, restored, reads back equal to itself.
"""

import string

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from outcomes.exchange import dump_meeting, import_meeting
from outcomes.models import Entry, EntryCountry, Organisation
from outcomes.restore import Restore
from outcomes.versions import EntryState
from tests.admin_support import action_data, form_data

COUNTRIES = ["SN", "ML", "ES"]
ROLES = list(EntryCountry.Role.values)
CHANGELIST = "/admin/outcomes/entry/"
words = st.text(alphabet=string.ascii_letters + "éàç", min_size=1, max_size=10)

action = st.one_of(
    st.tuples(st.just("edit_text"), words),
    st.tuples(st.just("toggle_theme"), st.integers(0, 2)),
    st.tuples(st.just("toggle_organisation"), st.integers(0, 1)),
    st.tuples(st.just("set_country"), st.sampled_from(COUNTRIES), st.sampled_from(ROLES)),
    st.tuples(st.just("remove_country"), st.sampled_from(COUNTRIES)),
    st.tuples(st.just("bulk_status"), st.sampled_from(["publish_selected", "unpublish_selected"])),
    st.tuples(st.just("bulk_theme"), st.integers(0, 2)),
    st.tuples(st.just("bulk_country"), st.sampled_from(COUNTRIES), st.sampled_from(ROLES)),
    st.tuples(st.just("import"), words, st.sampled_from(COUNTRIES), st.sampled_from(ROLES)),
    st.tuples(st.just("restore"), st.integers(0, 50), st.booleans()),
)


EMPTY_INLINES = ("framework_tags", "links_out")


def change_form_data(entry):
    """What the entry's change form posts when sent unchanged (as tests/admin_support.form_data reads it from the
    page, without rendering the page each time)."""
    tags = list(entry.country_tags.order_by("pk"))
    data = {
        **{
            name: str(getattr(entry, name) or "")
            for name in ("kind", "order", "title", "text", "status", "scope", "region")
        },
        "session": str(entry.session_id),
        "sub_points": "\n".join(entry.sub_points),
        "source_line": "",
        "themes": [str(pk) for pk in entry.themes.values_list("pk", flat=True)],
        "organisations": [str(pk) for pk in entry.organisations.values_list("pk", flat=True)],
        "country_tags-TOTAL_FORMS": str(len(tags) + 1),
        "country_tags-INITIAL_FORMS": str(len(tags)),
        # The entries here have no framework tag and no link: those inlines post empty.
        **{f"{inline}-{name}": "0" for inline in EMPTY_INLINES for name in ("TOTAL_FORMS", "INITIAL_FORMS")},
    }
    for row, tag in enumerate(tags):
        prefix = f"country_tags-{row}-"
        data.update({prefix + "id": str(tag.pk), prefix + "entry": str(entry.pk), prefix + "country": tag.country_id})
        data[prefix + "role"] = tag.role
    data[f"country_tags-{len(tags)}-role"] = EntryCountry.Role.MENTIONED  # the empty row, as the page shows it
    return data


class Curator:
    """Does each action the way the secretariat does it: through the admin, or by importing the meeting's file."""

    def __init__(self, client, user, entry, themes, organisations):
        self.client, self.user, self.entry = client, user, entry
        self.themes, self.organisations = themes, organisations
        self.change_url = reverse("admin:outcomes_entry_change", args=[entry.pk])

    def change_form(self, edit):
        data = change_form_data(Entry.objects.get(pk=self.entry.pk))
        edit(data)
        assert self.client.post(self.change_url, data).status_code == 302

    def edit_text(self, text):
        self.change_form(lambda data: data.update(text=f"Texte {text}"))

    def toggle(self, name, target):
        def edit(data):
            chosen = set(data.get(name, []))
            data[name] = sorted(chosen ^ {str(target.pk)})

        self.change_form(edit)

    def toggle_theme(self, index):
        self.toggle("themes", self.themes[index])

    def toggle_organisation(self, index):
        self.toggle("organisations", self.organisations[index])

    def country_row(self, data, code):
        total = int(data["country_tags-TOTAL_FORMS"])
        rows = [i for i in range(total) if data.get(f"country_tags-{i}-country") == code]
        return rows[0] if rows else None

    def set_country(self, code, role):
        def edit(data):
            row = self.country_row(data, code)
            if row is None:
                row = int(data["country_tags-INITIAL_FORMS"])  # the empty row
                data[f"country_tags-{row}-country"] = code
            data[f"country_tags-{row}-role"] = role

        self.change_form(edit)

    def remove_country(self, code):
        def edit(data):
            row = self.country_row(data, code)
            if row is not None:
                data[f"country_tags-{row}-DELETE"] = "on"

        self.change_form(edit)

    def bulk(self, name, **extra):
        response = self.client.post(CHANGELIST, action_data(name, self.entry, apply="1", **extra))
        assert response.status_code == 302

    def bulk_status(self, name):
        self.bulk(name)

    def bulk_theme(self, index):
        self.bulk("add_theme_to_selected", theme=self.themes[index].pk)

    def bulk_country(self, code, role):
        self.bulk("add_country_to_selected", country=code, role=role)

    def import_file(self, text, code, role):
        data = dump_meeting(self.entry.meeting)
        item = next(item for session in data["sessions"] for item in session["entries"] if item["reference"])
        countries = [tag for tag in item["countries"] if tag["code"] != code]
        item.update(text=f"Importé {text}", countries=[*countries, {"code": code, "role": role}])
        import_meeting(data, user=self.user)

    def restore(self, index, keep_status):
        versions = list(self.entry.history.exclude(history_type="-").order_by("history_date", "history_id"))
        version = versions[index % len(versions)]
        url = reverse("admin:outcomes_entry_simple_history", args=[self.entry.pk, version.history_id])
        data = form_data(self.client.get(url))
        if "status" in data:
            data["status"] = "keep" if keep_status else "version"
        assert self.client.post(url, data).status_code == 302

    def do(self, name, *args):
        getattr(self, "import_file" if name == "import" else name)(*args)


def latest_version(entry):
    return entry.history.order_by("-history_date", "-history_id").first()


def assert_history_is_whole(entry):
    entry = Entry.objects.get(pk=entry.pk)
    assert EntryState.of_entry(entry) == EntryState.of_version(latest_version(entry))
    for version in entry.history.exclude(history_type="-"):
        with transaction.atomic():
            Restore(version).apply(keep_status=False)
            restored = Entry.objects.get(pk=entry.pk)
            assert EntryState.of_entry(restored) == EntryState.of_version(version)
            assert EntryState.of_version(latest_version(entry)) == EntryState.of_version(version)
            transaction.set_rollback(True)


@pytest.mark.django_db
@settings(
    max_examples=6,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions=st.lists(action, min_size=1, max_size=5))
@example(  # each kind of action once, the bulk unpublish of the issue first
    actions=[
        ("bulk_status", "unpublish_selected"),
        ("restore", 0, False),
        ("edit_text", "abc"),
        ("toggle_theme", 1),
        ("toggle_organisation", 0),
        ("set_country", "ML", "implementing"),
        ("remove_country", "SN"),
        ("bulk_theme", 2),
        ("bulk_country", "ES", "partner"),
        ("import", "def", "SN", "mentioned"),
        ("bulk_status", "publish_selected"),
        ("restore", 3, True),
    ]
)
def test_after_any_curation_actions_every_version_is_whole_and_restorable(
    actions, make_entry, make_theme, secretariat_user
):
    with transaction.atomic():
        client = Client()
        client.force_login(secretariat_user)
        themes = [make_theme() for _ in range(3)]
        organisations = [Organisation.objects.create(slug=f"org-{n}", name=f"Organisation {n}") for n in range(2)]
        entry = make_entry(countries=[("SN", EntryCountry.Role.PARTNER)], themes=themes[:1])
        curator = Curator(client, secretariat_user, entry, themes, organisations)
        for name, *args in actions:
            curator.do(name, *args)
            assert_history_is_whole(entry)
        transaction.set_rollback(True)
