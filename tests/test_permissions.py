"""Who may write what: anonymous visitors, logged-in non-staff, staff without rights, the secretariat, superusers."""

import subprocess
import sys
from importlib import reload
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import clear_url_caches, reverse

from outcomes.models import Country, Entry, EntryCountry, Organisation, Status
from tests.admin_support import action_data, form_data

PASSWORD = "a-long-test-password-42"
MODELS = ["meeting", "session", "entry", "entrycountry", "country", "theme", "organisation"]


@pytest.fixture
def world(make_entry, make_theme):
    theme = make_theme()
    entry = make_entry(countries=[("SN", EntryCountry.Role.IMPLEMENTING)], themes=[theme])
    organisation = Organisation.objects.create(slug="frontex", acronym="Frontex", name="Agence européenne")
    return {
        "meeting": entry.meeting,
        "session": entry.session,
        "entry": entry,
        "entrycountry": entry.country_tags.get(),
        "country": Country.objects.get(code="SN"),
        "theme": theme,
        "organisation": organisation,
    }


def snapshot():
    """Every row the project and the auth system hold, history included."""
    models = [m for m in apps.get_models() if m._meta.app_label in {"outcomes", "auth"}]
    return {m._meta.label: list(m.objects.order_by("pk").values()) for m in models}


def write_urls(world):
    """(method, url) for every admin write or read page of every curated model."""
    urls = []
    for name in MODELS:
        obj = world[name]
        urls += [
            ("get", reverse(f"admin:outcomes_{name}_changelist")),
            ("get", reverse(f"admin:outcomes_{name}_add")),
            ("post", reverse(f"admin:outcomes_{name}_add")),
            ("get", reverse(f"admin:outcomes_{name}_change", args=[obj.pk])),
            ("post", reverse(f"admin:outcomes_{name}_change", args=[obj.pk])),
            ("get", reverse(f"admin:outcomes_{name}_delete", args=[obj.pk])),
            ("post", reverse(f"admin:outcomes_{name}_delete", args=[obj.pk])),
            ("get", reverse(f"admin:outcomes_{name}_history", args=[obj.pk])),
        ]
    entry = world["entry"]
    history = entry.history.earliest()
    urls += [
        ("post", reverse("admin:outcomes_entry_simple_history", args=[entry.pk, history.history_id])),
        ("post", reverse("admin:outcomes_entry_changelist")),
        ("post", reverse("admin:auth_user_add")),
        ("post", reverse("admin:auth_group_add")),
    ]
    return urls


HOSTILE_POST = {
    "title": "piraté",
    "text": "piraté",
    "name_fr": "piraté",
    "name": "piraté",
    "post": "yes",
    "username": "intrus",
    "password1": "x-Very-long-password-1",
    "password2": "x-Very-long-password-1",
    **action_data("publish_selected"),
}


@pytest.mark.parametrize("who", ["anonymous", "non_staff"])
def test_anonymous_and_non_staff_users_are_sent_to_the_login_page_and_change_nothing(client, world, make_user, who):
    if who == "non_staff":
        client.force_login(make_user())
    before = snapshot()
    login = reverse("admin:login")
    for method, url in write_urls(world):
        response = getattr(client, method)(url, HOSTILE_POST if method == "post" else None)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith(login), (method, url)
    assert snapshot() == before


def test_staff_without_rights_is_forbidden_everywhere_and_changes_nothing(client, world, make_user):
    client.force_login(make_user(is_staff=True))
    before = snapshot()
    for method, url in write_urls(world):
        response = getattr(client, method)(url, HOSTILE_POST if method == "post" else None)
        assert response.status_code == 403, (method, url)
    assert snapshot() == before


def test_secretariat_cannot_manage_users_or_groups(client, secretariat_user, make_user):
    client.force_login(secretariat_user)
    other = make_user()
    before = snapshot()
    for url in [
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_user_add"),
        reverse("admin:auth_user_change", args=[other.pk]),
        reverse("admin:auth_user_change", args=[secretariat_user.pk]),
        reverse("admin:auth_user_password_change", args=[other.pk]),
        reverse("admin:auth_group_add"),
        reverse("admin:auth_group_change", args=[Group.objects.get(name="Secretariat").pk]),
    ]:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {**HOSTILE_POST, "is_superuser": "on"}).status_code == 403, url
    assert snapshot() == before
    secretariat_user.refresh_from_db()
    assert not secretariat_user.is_superuser


def test_superuser_manages_users(client, superuser):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:auth_user_add"),
        {"username": "newcurator", "password1": "x-Very-long-password-1", "password2": "x-Very-long-password-1"},
    )
    assert response.status_code == 302
    assert User.objects.filter(username="newcurator").exists()


ADD = {
    "meeting": lambda w: {"slug": "nouvelle", "code": "NV", "title": "Nouvelle réunion", "kind": "thematic"},
    "session": lambda w: {"meeting": w["meeting"].pk, "order": 999, "slug": "nouvelle", "title": "Nouvelle session"},
    "entry": lambda w: {"session": w["session"].pk, "kind": "challenge", "order": 999, "text": "Un nouveau défi"},
    "entrycountry": lambda w: {"entry": w["entry"].pk, "country": "ML", "role": "partner"},
    "country": lambda w: {"code": "XK", "name_fr": "Kosovo", "name_en": "Kosovo"},
    "theme": lambda w: {"slug": "nouveau", "name_fr": "Nouveau thème", "name_en": "New theme"},
    "organisation": lambda w: {
        "slug": "oim",
        "acronym": "OIM",
        "name": "Organisation internationale",
        "kind": "agency",
    },
}
CHANGE = {
    "meeting": {"title": "Titre corrigé"},
    "session": {"title": "Titre corrigé"},
    "entry": {"text": "Texte corrigé"},
    "entrycountry": {"role": "mentioned"},
    "country": {"name_en": "Corrected"},
    "theme": {"name_en": "Corrected"},
    "organisation": {"name": "Nom corrigé"},
}


@pytest.mark.parametrize("model_name", MODELS)
@pytest.mark.parametrize("who", ["secretariat", "superuser"])
def test_curators_add_change_and_delete_every_model(client, world, secretariat_user, superuser, who, model_name):
    client.force_login(secretariat_user if who == "secretariat" else superuser)
    model = apps.get_model("outcomes", model_name)
    add_url = reverse(f"admin:outcomes_{model_name}_add")
    assert client.get(reverse(f"admin:outcomes_{model_name}_changelist")).status_code == 200

    response = client.post(add_url, form_data(client.get(add_url), **ADD[model_name](world)))
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    created = model.objects.latest("pk") if model_name != "country" else Country.objects.get(code="XK")

    change_url = reverse(f"admin:outcomes_{model_name}_change", args=[created.pk])
    response = client.post(change_url, form_data(client.get(change_url), **CHANGE[model_name]))
    assert response.status_code == 302
    created.refresh_from_db()
    field, value = next(iter(CHANGE[model_name].items()))
    assert getattr(created, field) == value

    delete_url = reverse(f"admin:outcomes_{model_name}_delete", args=[created.pk])
    assert client.get(delete_url).status_code == 200
    assert client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not model.objects.filter(pk=created.pk).exists()

    # Each step is in the object's history, with who did it.
    history = model.history.filter(**{model._meta.pk.attname: created.pk}).order_by("history_date")
    assert [record.history_type for record in history][0] == "+"
    assert [record.history_type for record in history][-1] == "-"
    assert "~" in {record.history_type for record in history}
    assert {record.history_user for record in history} == {secretariat_user if who == "secretariat" else superuser}


@pytest.mark.parametrize("who", ["secretariat", "superuser"])
def test_curators_may_run_every_bulk_action(client, world, secretariat_user, superuser, make_theme, who):
    client.force_login(secretariat_user if who == "secretariat" else superuser)
    entry, theme, url = world["entry"], make_theme(), reverse("admin:outcomes_entry_changelist")
    assert client.post(url, action_data("unpublish_selected", entry)).status_code == 302
    assert Entry.objects.get(pk=entry.pk).status == Status.DRAFT
    assert client.post(url, action_data("publish_selected", entry)).status_code == 302
    assert Entry.objects.get(pk=entry.pk).status == Status.PUBLISHED
    assert client.post(url, action_data("add_theme_to_selected", entry)).status_code == 200  # which theme?
    assert client.post(url, action_data("add_theme_to_selected", entry, apply="1", theme=theme.pk)).status_code == 302
    assert theme in entry.themes.all()
    data = action_data("add_country_to_selected", entry, apply="1", country="GM", role="partner")
    assert client.post(url, data).status_code == 302
    assert entry.country_tags.filter(country="GM", role="partner").exists()


def test_only_those_who_may_publish_can_publish(client, world, make_user):
    curator = make_user(group="Secretariat", is_staff=True)
    curator.groups.get().permissions.remove(*curator.groups.get().permissions.filter(codename="publish_entry"))
    draft = world["entry"]
    Entry.objects.filter(pk=draft.pk).update(status=Status.DRAFT)
    client.force_login(curator)
    client.post(reverse("admin:outcomes_entry_changelist"), action_data("publish_selected", draft))
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    change_page = client.get(reverse("admin:outcomes_entry_change", args=[draft.pk])).content.decode()
    assert 'name="status"' not in change_page


def test_the_language_switch_is_the_only_anonymous_post_and_changes_nothing(client, world):
    before = snapshot()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert snapshot() == before
    for method, url in write_urls(world):
        if method == "post":
            assert client.post(url, HOSTILE_POST).status_code == 302  # to the login page
    assert snapshot() == before


def test_posts_without_csrf_token_are_refused(world, superuser):
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)
    before = snapshot()
    entry = world["entry"]
    response = client.post(reverse("admin:outcomes_entry_change", args=[entry.pk]), {"text": "sans jeton"})
    assert response.status_code == 403
    response = client.post(reverse("admin:outcomes_entry_changelist"), action_data("unpublish_selected", entry))
    assert response.status_code == 403
    anonymous = Client(enforce_csrf_checks=True)
    assert anonymous.post(reverse("admin:login"), {"username": "root", "password": PASSWORD}).status_code == 403
    assert snapshot() == before


@pytest.fixture
def axes(settings):
    """django-axes on, as in production (the test settings turn it off for client.login)."""
    settings.AXES_ENABLED = True


def test_axes_guards_every_login_in_production_settings(settings):
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert (settings.AXES_FAILURE_LIMIT, settings.AXES_LOCKOUT_PARAMETERS) == (5, [["username", "ip_address"]])
    assert settings.AXES_RESET_ON_SUCCESS


def test_the_test_client_can_still_log_in_with_a_password(client, secretariat_user):
    assert client.login(username="secretariat", password=PASSWORD)
    assert client.get(reverse("admin:index")).status_code == 200


def login(client, username, password, ip="10.0.0.1"):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=ip
    )


def test_five_failed_logins_lock_the_account_out_even_with_the_right_password(client, secretariat_user, axes):
    for _attempt in range(4):
        assert login(client, "secretariat", "wrong").status_code == 200  # the form again, with an error
    assert login(client, "secretariat", "wrong").status_code == 429  # the fifth failure locks
    response = login(client, "secretariat", PASSWORD)
    assert response.status_code == 429
    assert "Réessayez dans 15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The lockout is for this username from this address only.
    assert login(Client(), "secretariat", PASSWORD, ip="10.0.0.2").status_code == 302


def test_a_successful_login_resets_the_failure_count(client, secretariat_user, axes):
    for _attempt in range(4):
        login(client, "secretariat", "wrong")
    assert login(client, "secretariat", PASSWORD).status_code == 302
    client.logout()
    for _attempt in range(4):
        login(client, "secretariat", "wrong")
    assert login(client, "secretariat", PASSWORD).status_code == 302


def test_behind_a_proxy_failed_logins_are_counted_per_client_address(client, secretariat_user, axes, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _attempt in range(5):
        client.post(
            reverse("admin:login"),
            {"username": "secretariat", "password": "wrong"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="198.51.100.7",
        )
    locked = client.post(
        reverse("admin:login"),
        {"username": "secretariat", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert locked.status_code == 429
    other_client = Client().post(
        reverse("admin:login"),
        {"username": "secretariat", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert other_client.status_code == 302


def test_the_admin_path_comes_from_the_environment():
    code = "import django; django.setup(); from django.urls import reverse; print(reverse('admin:index'))"
    env = {"DJANGO_SETTINGS_MODULE": "tests.settings", "DJANGO_ADMIN_PATH": "/gestion-7f3a/", "PATH": "/usr/bin"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=Path(__file__).parent.parent, env=env, capture_output=True, text=True
    )
    assert result.stdout.strip() == "/gestion-7f3a/", result.stderr


@pytest.fixture
def admin_at_custom_path():
    import rabatkb.urls

    with override_settings(ADMIN_PATH="gestion-7f3a/"):
        clear_url_caches()
        reload(rabatkb.urls)
        yield
    clear_url_caches()
    reload(rabatkb.urls)


def test_the_admin_answers_at_its_configured_path_only(client, db, admin_at_custom_path):
    assert reverse("admin:index") == "/gestion-7f3a/"
    assert client.get("/gestion-7f3a/").status_code == 302  # to its login page
    assert client.get("/gestion-7f3a/login/").status_code == 200
    assert client.get("/admin/").status_code == 404


def test_secretariat_group_has_curation_rights_and_no_user_management(db):
    codenames = set(
        Group.objects.get(name="Secretariat").permissions.values_list("content_type__app_label", "codename")
    )
    for model in ["meeting", "session", "entry", "entrycountry", "speaker", "country", "theme", "organisation"]:
        for action in ["add", "change", "delete", "view"]:
            assert ("outcomes", f"{action}_{model}") in codenames
    assert ("outcomes", "publish_entry") in codenames
    assert ("outcomes", "change_historicalentry") in codenames
    assert {app for app, _codename in codenames} == {"outcomes"}


def test_create_secretariat_account_from_the_environment(db, monkeypatch, capsys):
    monkeypatch.setenv("RABATKB_ACCOUNT_PASSWORD", "Cheval-Agrafe-Correct-2026")
    call_command("create_secretariat_account", "amina", "--email", "amina@example.org", "--password-from-env")
    user = User.objects.get(username="amina")
    assert user.is_staff and not user.is_superuser and user.is_active
    assert user.email == "amina@example.org"
    assert user.check_password("Cheval-Agrafe-Correct-2026")
    assert list(user.groups.values_list("name", flat=True)) == ["Secretariat"]
    assert user.has_perm("outcomes.publish_entry") and not user.has_perm("auth.add_user")
    assert "Created" in capsys.readouterr().out

    with pytest.raises(CommandError, match="already exists"):
        call_command("create_secretariat_account", "amina", "--password-from-env")
    monkeypatch.setenv("RABATKB_ACCOUNT_PASSWORD", "Un-Autre-Mot-De-Passe-99")
    call_command("create_secretariat_account", "amina", "--password-from-env", "--update")
    user.refresh_from_db()
    assert user.check_password("Un-Autre-Mot-De-Passe-99")


def test_create_secretariat_account_prompts_for_the_password_and_validates_it(db, monkeypatch):
    answers = iter(["123", "123"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    with pytest.raises(CommandError, match="Password refused"):
        call_command("create_secretariat_account", "moussa")
    assert not User.objects.filter(username="moussa").exists()

    answers = iter(["Baobab-Lumineux-Sahel-7", "Baobab-Lumineux-Sahel-8"])
    with pytest.raises(CommandError, match="differ"):
        call_command("create_secretariat_account", "moussa")

    answers = iter(["Baobab-Lumineux-Sahel-7", "Baobab-Lumineux-Sahel-7"])
    call_command("create_secretariat_account", "moussa")
    assert User.objects.get(username="moussa").check_password("Baobab-Lumineux-Sahel-7")


def test_create_secretariat_account_refuses_a_missing_environment_password(db, monkeypatch):
    monkeypatch.delenv("RABATKB_ACCOUNT_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="RABATKB_ACCOUNT_PASSWORD"):
        call_command("create_secretariat_account", "fatou", "--password-from-env")
    assert not User.objects.filter(username="fatou").exists()


def test_the_client_address_behind_proxies_ignores_what_the_client_wrote(rf, settings):
    from rabatkb.client_ip import client_ip

    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "127.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "198.51.100.7"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "6.6.6.6"
    settings.TRUSTED_PROXY_COUNT = 3  # fewer addresses than proxies: the header is not to be trusted
    assert client_ip(request) == "127.0.0.1"
