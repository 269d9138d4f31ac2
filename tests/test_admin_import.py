"""Importing a meeting file from the admin: upload, read the dry run, confirm, see the references given."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from outcomes.models import Entry, Meeting

SAMPLE = (Path(__file__).parent / "data" / "meeting.yaml").read_text(encoding="utf-8")
IMPORT = "/admin/outcomes/meeting/import/"


def upload(client, text, name="meeting.yaml"):
    return client.post(
        IMPORT, {"file": SimpleUploadedFile(name, text.encode("utf-8") if isinstance(text, str) else text)}
    )


def confirm(client, dry_run):
    signed = re.search(r'name="content" value="([^"]+)"', dry_run.content.decode()).group(1)
    return client.post(IMPORT, {"content": signed})


@pytest.fixture
def curator(client, secretariat_user):
    client.force_login(secretariat_user)
    return client


def test_the_meeting_list_offers_the_import_to_the_secretariat(curator):
    assert IMPORT in curator.get(reverse("admin:outcomes_meeting_changelist")).content.decode()


def test_a_dry_run_says_what_the_import_will_do_then_the_confirmation_imports_and_lists_the_references(curator):
    dry_run = upload(curator, SAMPLE)
    assert dry_run.status_code == 200
    page = dry_run.content.decode()
    assert "ce que l'import fera" in page
    assert {row[0]: row[1:] for row in dry_run.context["changes"]}["Entrées"] == (3, 0, 0)
    would_give = dry_run.context["result"].assigned_references
    assert would_give and all(reference in page for _place, reference in would_give)
    assert not Meeting.objects.exists()

    done = confirm(curator, dry_run)
    assert done.status_code == 200
    meeting = Meeting.objects.get(slug="reunion-exemple")
    assert meeting.entries.count() == 3
    page = done.content.decode()
    assert "Références attribuées aux nouvelles entrées" in page
    assert [reference for _place, reference in done.context["result"].assigned_references] == [
        reference for _place, reference in would_give
    ]
    assert all(reference in page for _place, reference in would_give)
    for entry in meeting.entries.all():  # one version each, by the curator, holding its tags
        (version,) = entry.history.all()
        assert version.history_user.username == "secretariat"
        assert sorted(version.country_tags) == sorted([tag.country_id, tag.role] for tag in entry.country_tags.all())


def test_a_file_with_errors_lists_every_problem_with_its_place_and_writes_nothing(curator):
    broken = SAMPLE.replace("kind: thematic", "kind: nonsense").replace("code: EX", "code: ''")
    response = upload(curator, broken)
    assert response.status_code == 200
    problems = response.context["problems"]
    assert len(problems) == 2 and all("meeting" in problem for problem in problems)
    assert "rien n'a été écrit" in response.content.decode()
    assert 'name="content"' not in response.content.decode()
    assert not Meeting.objects.exists() and not Entry.objects.exists()


@pytest.mark.parametrize(
    "content", [b"\xff\xfe not utf-8", "meeting: [unclosed", "format: rabatkb-meeting\nversion: 1\n"]
)
def test_unreadable_files_are_refused_without_a_500(curator, content):
    response = upload(curator, content)
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not Meeting.objects.exists()


def test_a_tampered_confirmation_is_a_form_error_and_writes_nothing(curator):
    dry_run = upload(curator, SAMPLE)
    signed = re.search(r'name="content" value="([^"]+)"', dry_run.content.decode()).group(1)
    response = curator.post(IMPORT, {"content": signed[:-3] + "abc"})
    assert response.status_code == 200
    assert "envoyez-le à nouveau" in response.content.decode()
    assert not Meeting.objects.exists()


def test_only_the_secretariat_may_import(client, make_user):
    assert client.get(IMPORT).status_code == 302  # to the login page
    client.force_login(make_user(is_staff=True))
    assert client.get(IMPORT).status_code == 403
    assert upload(client, SAMPLE).status_code == 403
    assert not Meeting.objects.exists()
