"""The security policy as Chromium enforces it: the site and the admin work under it, injected script does not run."""

from django.conf import settings

from outcomes.models import Entry

HOSTILE_TEXT = '<script>alert("x")</script> & <b>bold</b>'
PASSWORD = "un mot de passe assez long pour le test"


def log_in(page, user):
    page.goto(f"/{settings.ADMIN_PATH}login/")
    page.get_by_label("Nom d’utilisateur").fill(user.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(f"**/{settings.ADMIN_PATH}")


def test_the_browser_refuses_script_injected_into_a_page(page, visit, browser_problems, border_meeting):
    visit("/")
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.injected = true";
            document.body.append(script);
            document.body.insertAdjacentHTML("beforeend", '<img src="data:," onerror="window.injected = true">');
        }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.injected") is None
    refusals = [problem for problem in browser_problems if "Content Security Policy" in problem]
    assert len(refusals) == 2, browser_problems
    browser_problems.clear()


def test_the_admin_works_under_the_security_policy(page, border_meeting, django_user_model):
    staff = django_user_model.objects.create_superuser("secretariat", "secretariat@example.org", PASSWORD)
    entry = border_meeting.liaison
    log_in(page, staff)
    page.goto(f"/{settings.ADMIN_PATH}outcomes/entry/{entry.pk}/change/")
    assert page.locator("#id_text").input_value() == entry.text

    # The themes widget is the admin's select2 autocomplete: its script must run under the policy.
    page.locator(".field-themes .select2-selection").click()
    page.locator(".field-themes .select2-search__field").fill("Forma")
    page.get_by_role("option", name="Formation", exact=True).click()
    page.get_by_role("button", name="Enregistrer", exact=True).click()

    page.wait_for_url(f"**/{settings.ADMIN_PATH}outcomes/entry/")
    assert page.locator(".messagelist .success").is_visible()
    assert set(Entry.objects.get(pk=entry.pk).themes.values_list("slug", flat=True)) == {
        "echange-informations",
        "formation",
    }


def test_entry_text_with_html_is_shown_as_text_in_the_admin(page, border_meeting, django_user_model):
    staff = django_user_model.objects.create_superuser("secretariat", "secretariat@example.org", PASSWORD)
    entry = border_meeting.joint_patrols
    Entry.objects.filter(pk=entry.pk).update(text=HOSTILE_TEXT)
    log_in(page, staff)
    page.goto(f"/{settings.ADMIN_PATH}outcomes/entry/?q=bold")
    assert page.locator("#result_list").is_visible()
    page.goto(f"/{settings.ADMIN_PATH}outcomes/entry/{entry.pk}/change/")
    assert page.locator("#id_text").input_value() == HOSTILE_TEXT
    assert page.locator("b", has_text="bold").count() == 0


def test_entry_text_with_html_is_shown_as_text_on_the_public_pages(page, visit, border_meeting):
    entry = border_meeting.joint_patrols
    Entry.objects.filter(pk=entry.pk).update(text=HOSTILE_TEXT)
    visit(entry.get_absolute_url())
    assert page.locator(".entry-full__text").inner_text() == HOSTILE_TEXT
    assert page.locator(".entry-full__text b").count() == 0
    for path in [border_meeting.meeting.get_absolute_url(), "/countries/SN/", "/entries/?country=ES"]:
        visit(path)
        card = page.locator(f"#{entry.anchor}")
        assert card.locator(".entry-card__text").inner_text() == HOSTILE_TEXT, path
        assert card.locator(".entry-card__text b").count() == 0, path
    # No alert() ran anywhere: the page fixture fails the test on any dialog.
