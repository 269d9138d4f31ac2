"""Browser tests: Debian's Chromium, driven by Playwright, against the site served by pytest-django's live server.

Run them alone with `pytest tests/browser` or `pytest -m browser`. Chromium comes from `make browser`
(`apt-get install chromium`); when it is missing these tests are skipped on a developer's machine and fail in CI.
"""

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.reference_data import restore_reference_data

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# The machine has no network: without these flags Chromium keeps trying to reach it.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
VIEWPORTS = {1280: {"width": 1280, "height": 900}, 360: {"width": 360, "height": 740}}
BLOCKING_IMPACTS = {"serious", "critical"}


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session."""
    if not Path(CHROMIUM).exists():
        message = f"Chromium is not installed at {CHROMIUM}: run `make browser` (apt-get install chromium)"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, which Django would take for async code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _migrated_data(transactional_db):
    """The live server needs committed data, so every test here ends with a flush of the database, which takes
    what the data migrations made with it: put it back."""
    restore_reference_data()


@pytest.fixture
def real_fixtures(_migrated_data):
    """The real content of fixtures/: the border management meeting as transcribed from its final document."""
    call_command("load_fixtures", stdout=io.StringIO())


@pytest.fixture
def browser_problems():
    """What went wrong in the page while the test ran: script errors, console errors (CSP refusals among them),
    and dialogs (an `alert()` is a script that should never have run). Checked after every test."""
    return []


@pytest.fixture
def page(browser, live_server, browser_problems):
    """A fresh page in French at 1280 px wide, whose relative URLs go to the live server."""
    context = browser.new_context(
        base_url=live_server.url, viewport=VIEWPORTS[1280], locale="fr-FR", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("pageerror", lambda error: browser_problems.append(f"script error: {error}"))

    def on_console(message):
        # Chromium asks for /favicon.ico on its own when the page names no icon; that miss is not the page's.
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            browser_problems.append(f"console: {message.text} ({message.location.get('url')})")

    page.on("console", on_console)

    def on_dialog(dialog):
        browser_problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    yield page
    context.close()
    assert not browser_problems, "the browser reported problems:\n" + "\n".join(browser_problems)


@pytest.fixture
def visit(page, browser_problems):
    """Open a path of the site and check its status (200 unless told); an expected error is no browser problem."""

    def go(path, status=200):
        response = page.goto(path)
        assert response is not None and response.status == status, f"{path}: {response and response.status}"
        if status >= 400:
            browser_problems[:] = [problem for problem in browser_problems if response.url not in problem]
        return response

    return go


@pytest.fixture
def follow():
    """Click something that loads a new page, and wait for that page."""

    def click(page, locator):
        with page.expect_navigation():
            locator.click()

    return click


@pytest.fixture
def assert_accessible():
    """Run axe-core on the page: no violation of impact serious or critical."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page):
        results = axe.run(page)
        blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
        report = "\n".join(
            f"{v['impact']}: {v['id']} ({v['help']}) at {', '.join(str(n['target']) for n in v['nodes'][:5])}"
            for v in blocking
        )
        assert not blocking, f"axe-core found on {page.url}:\n{report}"
        return results

    return check


@pytest.fixture
def screenshot():
    """Save full-page screenshots of the page at 1280 and 360 px wide in test-artifacts/screenshots/, and the top
    of the page at 1280 px (`<name>-1280-top.png`, what docs/screenshots/ keeps)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        original = page.viewport_size
        paths = []
        for width, viewport in VIEWPORTS.items():
            page.set_viewport_size(viewport)
            paths.append(SCREENSHOTS / f"{name}-{width}.png")
            page.screenshot(path=paths[-1], full_page=True)
            if width == 1280:
                paths.append(SCREENSHOTS / f"{name}-1280-top.png")
                page.screenshot(path=paths[-1])
        page.set_viewport_size(original)
        return paths

    return take


@pytest.fixture
def border_meeting(make_meeting, make_session, make_entry, make_theme):
    """A small copy of the border management meeting: Spain and Senegal's joint patrols and their neighbours,
    with one draft entry that no visitor may ever see."""
    from types import SimpleNamespace

    from outcomes.models import Country, Entry, EntryCountry, Organisation, Status

    good_practice, challenge = Entry.Kind.GOOD_PRACTICE, Entry.Kind.CHALLENGE
    implementing, partner = EntryCountry.Role.IMPLEMENTING, EntryCountry.Role.PARTNER
    meeting = make_meeting(
        slug="reunion-thematique-gestion-des-frontieres",
        code="GF",
        title="Réunion thématique de haut niveau sur la coopération dans le domaine de la gestion des frontières",
        summary="Soixante-dix participants de vingt-six pays ont échangé sur la gestion des frontières.",
        source_title="Document final",
        source_file="document-final-gestion-des-frontieres.txt",
    )
    meeting.co_chairs.set(Country.objects.filter(code__in=["ES", "MA"]))
    patrols = make_theme(slug="patrouilles-conjointes", name_fr="Patrouilles conjointes", name_en="Joint patrols")
    information = make_theme(
        slug="echange-informations", name_fr="Échange d'informations", name_en="Information sharing"
    )
    training = make_theme(slug="formation", name_fr="Formation", name_en="Training")
    frontex = Organisation.objects.create(
        slug="frontex", acronym="Frontex", name="Agence européenne de garde-frontières et de garde-côtes"
    )
    objectives = make_session(meeting=meeting, slug="objectifs", title="Objectifs de la réunion")
    objective = make_entry(
        session=objectives,
        kind=Entry.Kind.OBJECTIVE,
        text="Renforcer la coopération opérationnelle entre les pays partenaires dans la gestion des frontières.",
    )
    spain_senegal = make_session(
        meeting=meeting,
        slug="espagne-senegal",
        title="Coopération opérationnelle pour la prévention de la migration irrégulière entre l'Espagne et le Sénégal",
    )
    joint_patrols = make_entry(
        session=spain_senegal,
        kind=good_practice,
        text="Patrouilles conjointes entre l'Espagne et le Sénégal",
        text_en="Joint patrols between Spain and Senegal",
        translation_status="unofficial",
        countries=[("ES", implementing), ("SN", implementing)],
        themes=[patrols],
    )
    unit = make_entry(
        session=spain_senegal,
        kind=good_practice,
        text="Unité de lutte contre le trafic de migrants au Sénégal en mesure d'agir en autonomie",
        countries=[("SN", implementing)],
        themes=[patrols, training],
    )
    liaison = make_entry(
        session=spain_senegal,
        kind=good_practice,
        text="Officier de liaison sénégalais aux îles Canaries",
        countries=[("SN", implementing), ("ES", partner)],
        themes=[information],
    )
    platform = make_entry(
        session=spain_senegal,
        kind=challenge,
        text="Mettre en place une plateforme de partage du renseignement entre les deux pays",
        countries=[("SN", implementing), ("ES", implementing)],
        themes=[information, patrols],
    )
    platform.organisations.add(frontex)
    mali = make_session(meeting=meeting, slug="mali", title="La gestion des frontières au Mali")
    mali_patrols = make_entry(
        session=mali,
        kind=good_practice,
        text="Patrouilles mixtes le long de la frontière malienne",
        countries=[("ML", implementing)],
        themes=[patrols],
    )
    draft = make_entry(
        session=spain_senegal,
        kind=good_practice,
        status=Status.DRAFT,
        text="Brouillon confidentiel : patrouilles conjointes renforcées au Sénégal",
        countries=[("SN", implementing)],
        themes=[patrols],
    )
    return SimpleNamespace(
        meeting=meeting,
        themes=SimpleNamespace(patrols=patrols, information=information, training=training),
        frontex=frontex,
        objective=objective,
        joint_patrols=joint_patrols,
        unit=unit,
        liaison=liaison,
        platform=platform,
        mali_patrols=mali_patrols,
        draft=draft,
    )
