"""The secretariat's history in a real browser: a bulk unpublish, then restoring each version keeps every tag."""

from django.conf import settings
from playwright.sync_api import expect

from outcomes.models import Entry
from outcomes.versions import EntryState

PASSWORD = "un mot de passe assez long pour le test"
ADMIN = f"/{settings.ADMIN_PATH}"


def log_in_as_secretariat(page, django_user_model):
    from django.contrib.auth.models import Group

    member = django_user_model.objects.create_user("amina", password=PASSWORD, is_staff=True)
    member.groups.add(Group.objects.get(name="Secretariat"))
    page.goto(f"{ADMIN}login/")
    page.get_by_label("Nom d’utilisateur").fill("amina")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(f"**{ADMIN}")


def tags(entry):
    state = EntryState.of_entry(Entry.objects.get(pk=entry.pk))
    return state.themes, state.organisations, state.countries


def tags_of(version):
    state = EntryState.of_version(version)
    return state.themes, state.organisations, state.countries


def test_a_bulk_unpublish_then_restoring_each_version_keeps_every_tag(
    page, visit, follow, border_meeting, django_user_model
):
    platform, liaison = border_meeting.platform, border_meeting.liaison
    before = {entry.pk: tags(entry) for entry in (platform, liaison)}
    log_in_as_secretariat(page, django_user_model)

    visit(f"{ADMIN}outcomes/entry/?meeting__id__exact={border_meeting.meeting.pk}")
    for entry in (platform, liaison):
        page.locator(f'input[name="_selected_action"][value="{entry.pk}"]').check()
    page.locator('select[name="action"]').select_option("unpublish_selected")
    follow(page, page.get_by_role("button", name="Envoyer"))
    expect(page.locator(".messagelist .success")).to_contain_text("2 entrées dépubliées")
    assert {tags(entry) for entry in (platform, liaison)} == set(before.values())

    visit(f"{ADMIN}outcomes/entry/{platform.pk}/history/")
    expect(page.locator("#change-history")).to_contain_text("Publié → Brouillon")
    links = page.get_by_role("link", name="Restaurer…")
    restore_paths = [links.nth(index).get_attribute("href") for index in range(links.count())]
    versions = list(platform.history.order_by("-history_date", "-history_id"))
    assert len(restore_paths) == len(versions) >= 3
    assert tags_of(versions[0]) == before[platform.pk]  # the unpublish version holds every tag
    for path, version in zip(restore_paths, versions, strict=True):
        visit(path)
        expect(page.get_by_role("heading", name="Statut de publication")).to_be_visible()
        follow(page, page.get_by_role("button", name="Restaurer cette version"))
        expect(page.locator(".messagelist .success")).to_contain_text("restaurée")
        assert tags(platform) == tags_of(version), f"restoring the version of {version.history_date} changed its tags"
    visit(restore_paths[0])  # back to the unpublished version: every tag returns
    follow(page, page.get_by_role("button", name="Restaurer cette version"))
    assert tags(platform) == before[platform.pk]
    assert Entry.objects.get(pk=platform.pk).status == "draft"  # the restores kept the current status


def test_the_restore_page_says_what_changes_and_lets_the_status_be_taken_back(
    page, visit, follow, border_meeting, django_user_model
):
    unit = border_meeting.unit
    published = unit.history.order_by("-history_date").first()
    log_in_as_secretariat(page, django_user_model)
    visit(f"{ADMIN}outcomes/entry/")
    page.locator(f'input[name="_selected_action"][value="{unit.pk}"]').check()
    page.locator('select[name="action"]').select_option("unpublish_selected")
    follow(page, page.get_by_role("button", name="Envoyer"))

    visit(f"{ADMIN}outcomes/entry/{unit.pk}/history/{published.history_id}/")
    expect(page.get_by_label("Garder le statut actuel : Brouillon")).to_be_checked()
    page.get_by_label("Reprendre le statut de cette version : Publié").check()
    follow(page, page.get_by_role("button", name="Restaurer cette version"))
    assert Entry.objects.get(pk=unit.pk).status == "published"
    visit(unit.get_absolute_url())


def test_the_entry_list_fits_a_1280_px_screen(page, visit, border_meeting, django_user_model):
    log_in_as_secretariat(page, django_user_model)
    visit(f"{ADMIN}outcomes/entry/")
    table = page.locator("#result_list").bounding_box()
    content = page.locator("#changelist-form").bounding_box()
    assert table["x"] + table["width"] <= content["x"] + content["width"] + 1
    header = page.locator("#result_list thead").inner_text().lower()
    for column in ["référence", "texte", "type", "réunion", "statut", "pays", "thèmes"]:
        assert column in header
    expect(page.locator("#result_list")).to_contain_text("Brouillon")
    for cell in ["td.field-status", "td.field-theme_list"]:
        box = page.locator(cell).first.bounding_box()
        assert box["x"] + box["width"] <= 1280, cell


def test_a_withdrawn_entry_tells_visitors_it_was_withdrawn(page, visit, border_meeting):
    liaison = border_meeting.liaison
    Entry.objects.get(pk=liaison.pk).delete()
    visit(liaison.get_absolute_url(), status=410)
    expect(page.get_by_role("heading", level=1)).to_contain_text(liaison.reference)
    expect(page.locator(".lead")).to_contain_text("retirée le")
    expect(page.get_by_role("link", name="Voir la page de la réunion")).to_have_attribute(
        "href", border_meeting.meeting.get_absolute_url()
    )
