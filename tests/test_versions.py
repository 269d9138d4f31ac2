"""An entry's history: one whole version per curator action, and restores that put back exactly a version."""

import pytest
from django.urls import reverse

from outcomes.models import Entry, EntryCountry, Organisation, Status, Theme
from outcomes.versions import EntryState
from tests.admin_support import action_data, form_data

CHANGELIST = "/admin/outcomes/entry/"


@pytest.fixture
def curator(client, secretariat_user):
    client.force_login(secretariat_user)
    return client


@pytest.fixture
def tagged(make_entry, make_theme):
    """A published entry with a theme, an organisation and two countries with their roles."""
    entry = make_entry(
        countries=[("SN", EntryCountry.Role.IMPLEMENTING), ("ES", EntryCountry.Role.PARTNER)],
        themes=[make_theme(name_fr="Traite des êtres humains")],
        text="Patrouilles conjointes",
    )
    entry.organisations.add(Organisation.objects.create(slug="oim", acronym="OIM", name="Organisation"))
    return entry


def latest(entry):
    return entry.history.order_by("-history_date", "-history_id").first()


def restore_url(entry, version):
    return reverse("admin:outcomes_entry_simple_history", args=[entry.pk, version.history_id])


def assert_latest_is_live(entry):
    entry.refresh_from_db()
    assert EntryState.of_version(latest(entry)) == EntryState.of_entry(entry)


def test_saving_the_change_form_records_one_whole_version(curator, tagged, make_theme):
    before = tagged.history.count()
    url = reverse("admin:outcomes_entry_change", args=[tagged.pk])
    added = make_theme()
    data = form_data(curator.get(url), text="Texte corrigé", **{"country_tags-0-role": "partner"})
    data["themes"] = [*data["themes"], str(added.pk)]
    assert curator.post(url, data).status_code == 302
    assert tagged.history.count() == before + 1
    version = latest(tagged)
    assert (version.text, version.history_user.username) == ("Texte corrigé", "secretariat")
    assert version.country_tags == [["ES", "partner"], ["SN", "partner"]]
    assert {row.theme_id for row in version.themes.all()} == {*tagged.themes.values_list("pk", flat=True)}
    assert_latest_is_live(tagged)


def test_saving_the_change_form_without_changes_records_no_version(curator, tagged):
    before = tagged.history.count()
    url = reverse("admin:outcomes_entry_change", args=[tagged.pk])
    assert curator.post(url, form_data(curator.get(url))).status_code == 302
    assert tagged.history.count() == before


@pytest.mark.parametrize(
    ("action", "extra"),
    [
        ("unpublish_selected", {}),
        ("add_theme_to_selected", "theme"),
        ("add_country_to_selected", {"country": "MA", "role": "partner"}),
    ],
)
def test_each_bulk_action_records_one_version_that_keeps_every_tag(
    curator, tagged, make_entry, make_theme, action, extra
):
    other = make_entry(countries=["ML"])
    if extra == "theme":
        extra = {"theme": make_theme().pk}
    before = {tagged.pk: tagged.history.count(), other.pk: other.history.count()}
    response = curator.post(CHANGELIST, action_data(action, tagged, other, apply="1", **extra))
    assert response.status_code == 302
    for entry in (tagged, other):
        assert entry.history.count() == before[entry.pk] + 1
        assert_latest_is_live(entry)
    version = latest(tagged)
    assert len(version.country_tags) >= 2 and version.themes.count() >= 1 and version.organisations.count() == 1


def test_bulk_publish_records_no_version_for_entries_already_published(curator, tagged):
    before = tagged.history.count()
    curator.post(CHANGELIST, action_data("publish_selected", tagged))
    assert tagged.history.count() == before


def test_restoring_after_a_bulk_unpublish_keeps_every_tag(curator, tagged):
    tags = EntryState.of_entry(tagged)
    versions = list(tagged.history.order_by("history_date", "history_id"))
    curator.post(CHANGELIST, action_data("unpublish_selected", tagged))
    unpublished = latest(tagged)
    for version in [*versions[-1:], unpublished]:
        response = curator.post(restore_url(tagged, version), form_data(curator.get(restore_url(tagged, version))))
        assert response.status_code == 302
        state = EntryState.of_entry(tagged)
        assert (state.themes, state.organisations, state.countries) == (tags.themes, tags.organisations, tags.countries)


def test_the_restore_page_says_what_will_change_status_included_and_keeps_the_status_by_default(curator, tagged):
    original = latest(tagged)
    url = reverse("admin:outcomes_entry_change", args=[tagged.pk])
    data = form_data(curator.get(url), text="Texte réécrit", status="draft", **{"country_tags-1-DELETE": "on"})
    curator.post(url, data)
    page = curator.get(restore_url(tagged, original))
    text = page.content.decode()
    changes = {change.label: (change.before, change.after) for change in page.context["changes"]}
    assert changes["Texte"] == ("Texte réécrit", "Patrouilles conjointes")
    assert changes["Pays"] == (
        "Sénégal (Pays qui met en œuvre ou présente)",
        "Espagne (Pays partenaire), Sénégal (Pays qui met en œuvre ou présente)",
    )
    assert "Statut" not in changes
    assert "Garder le statut actuel : Brouillon" in text and "Reprendre le statut de cette version : Publié" in text
    assert 'value="keep" required id="id_status_0" checked' in text

    assert curator.post(restore_url(tagged, original), form_data(page)).status_code == 302
    tagged.refresh_from_db()
    assert (tagged.text, tagged.status) == ("Patrouilles conjointes", Status.DRAFT)
    assert latest(tagged).history_change_reason.startswith("Restauration de la version du")

    page = curator.get(restore_url(tagged, original))
    assert curator.post(restore_url(tagged, original), form_data(page, status="version")).status_code == 302
    tagged.refresh_from_db()
    assert tagged.status == Status.PUBLISHED


def test_restoring_a_version_whose_theme_was_deleted_says_so_and_restores_the_rest(curator, tagged, make_theme):
    kept = make_theme(name_fr="Retour et réadmission")
    tagged.themes.add(kept)
    version = latest(tagged)
    tagged.themes.set([])
    tagged.country_tags.all().delete()
    theme = Theme.objects.get(name_fr="Traite des êtres humains")
    theme.name_fr = "Traite des personnes"  # the name it had last is the one said
    theme.save()
    theme.delete()

    page = curator.get(restore_url(tagged, version))
    assert page.status_code == 200
    assert "Thème « Traite des personnes »" in page.content.decode()
    response = curator.post(restore_url(tagged, version), form_data(page), follow=True)
    assert response.status_code == 200
    assert "n&#x27;ont pas pu être remis : Thème « Traite des personnes »" in response.content.decode()
    assert list(tagged.themes.all()) == [kept]
    assert set(tagged.country_tags.values_list("country_id", "role")) == {("SN", "implementing"), ("ES", "partner")}


@pytest.mark.parametrize("tampered", [{"status": "publish-everything"}, {"latest": "x"}, {"latest": "1"}])
def test_a_tampered_restore_form_is_a_form_error(curator, tagged, tampered):
    version = tagged.history.earliest()
    Entry.objects.filter(pk=tagged.pk).update(status=Status.DRAFT)
    tagged.refresh_from_db()
    tagged.save()  # a version with the draft status, so that the status choice is offered
    page = curator.get(restore_url(tagged, version))
    before = tagged.history.count()
    response = curator.post(restore_url(tagged, version), form_data(page, **tampered))
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert tagged.history.count() == before


def test_a_restore_of_a_version_of_another_entry_or_of_nothing_is_a_404(curator, tagged, make_entry):
    other = make_entry()
    wrong = reverse("admin:outcomes_entry_simple_history", args=[tagged.pk, other.history.earliest().history_id])
    assert curator.get(wrong).status_code == 404
    assert curator.get(reverse("admin:outcomes_entry_simple_history", args=[tagged.pk, "abc"])).status_code == 404
    assert curator.get(reverse("admin:outcomes_entry_history", args=["999999"])).status_code == 404


def test_the_history_says_each_change_in_words(curator, tagged):
    curator.post(CHANGELIST, action_data("unpublish_selected", tagged))
    page = curator.get(reverse("admin:outcomes_entry_history", args=[tagged.pk])).content.decode()
    assert '<strong>Statut</strong> : <span class="before">Publié</span> → <span class="after">Brouillon</span>' in page
    assert "published →" not in page and "None" not in page
    assert "Espagne (Pays partenaire), Sénégal (Pays qui met en œuvre ou présente)" in page


def test_a_deleted_entry_is_restored_whole_from_its_last_version(curator, tagged):
    state = EntryState.of_entry(tagged)
    curator.post(reverse("admin:outcomes_entry_delete", args=[tagged.pk]), {"post": "yes"})
    deletion = latest(tagged)
    assert deletion.history_type == "-"
    assert EntryState.of_version(deletion) == state  # the deletion keeps what the entry was
    before = deletion.prev_record
    page = curator.get(restore_url(tagged, before))
    assert curator.post(restore_url(tagged, before), form_data(page, status="version")).status_code == 302
    assert EntryState.of_entry(Entry.objects.get(pk=tagged.pk)) == state


def test_the_history_page_takes_the_same_queries_however_many_versions(curator, tagged, make_theme):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("admin:outcomes_entry_history", args=[tagged.pk])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert curator.get(url).status_code == 200
        return len(queries)

    few = count()
    for n in range(5):
        tagged.themes.add(make_theme())
        EntryCountry.objects.create(entry=tagged, country_id=["ML", "MA", "GM", "NE", "BF"][n])
    assert tagged.history.count() >= 12
    assert count() == few


def test_deleting_a_theme_or_an_organisation_gives_its_entries_a_version_without_it(tagged):
    before = tagged.history.count()
    Theme.objects.get(name_fr="Traite des êtres humains").delete()
    Organisation.objects.get(slug="oim").delete()
    assert tagged.history.count() == before + 2
    assert (latest(tagged).themes.count(), latest(tagged).organisations.count()) == (0, 0)
    assert_latest_is_live(tagged)
