"""The secretariat uploads a final document, reviews the proposed meeting beside its source text, and creates it."""

import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from outcomes.exchange import import_vocabulary, read_yaml
from outcomes.ingest.models import DocumentDraft
from outcomes.models import Entry, Meeting, Status
from tests import documents

ADD = reverse("admin:outcomes_documentdraft_add")
CHANGELIST = reverse("admin:outcomes_documentdraft_changelist")
LOGIN = reverse("admin:login")

DOCUMENT = """\
Introduction

Réunion thématique sur la coopération policière :
• Co-présidée par le Sénégal et la France ;
• La réunion a attiré 40 participants de 12 pays.

• Coopération entre services

Bonnes pratiques :
- Le Sénégal a créé une brigade mixte avec Frontex ;
- Patrouilles conjointes entre le Mali et la Mauritanie.

Défis :
- Le manque de moyens des unités. La formation des agents reste insuffisante.
"""


def upload(client, content=None, name="document-final.txt"):
    content = DOCUMENT.encode() if content is None else content
    return client.post(ADD, {"document": SimpleUploadedFile(name, content)})


@pytest.fixture
def vocabulary(db):
    """The themes and organisations of fixtures/, without the curated meeting."""
    for name in ("themes.yaml", "organisations.yaml"):
        import_vocabulary(read_yaml(settings.BASE_DIR / "fixtures" / name))


@pytest.fixture
def curator(client, secretariat_user, vocabulary):
    client.force_login(secretariat_user)
    return client


@pytest.fixture
def draft(curator):
    response = upload(curator)
    assert response.status_code == 302
    return DocumentDraft.objects.get()


def step(client, draft, step, entry="", follow=False, **data):
    return client.post(draft.get_absolute_url(), {"step": step, "entry": entry, **data}, follow=follow)


def entries(draft):
    draft.refresh_from_db()
    return [(entry["kind"], entry["text"]) for session in draft.proposal["sessions"] for entry in session["entries"]]


def test_an_upload_proposes_a_draft_and_opens_its_review(curator, secretariat_user):
    response = upload(curator)
    draft = DocumentDraft.objects.get()
    assert response["Location"] == draft.get_absolute_url()
    assert draft.created_by == secretariat_user
    assert draft.lines == DOCUMENT.splitlines()
    assert entries(draft) == [
        ("good_practice", "Le Sénégal a créé une brigade mixte avec Frontex ;"),
        ("good_practice", "Patrouilles conjointes entre le Mali et la Mauritanie."),
        ("challenge", "Le manque de moyens des unités. La formation des agents reste insuffisante."),
    ]
    meeting = draft.proposal["meeting"]
    assert (meeting["title"], meeting["co_chairs"], meeting["participants_count"]) == (
        "Réunion thématique sur la coopération policière",
        ["SN", "FR"],
        40,
    )
    assert "start_date" not in meeting and "venue" not in meeting
    assert not Meeting.objects.exists()


def test_the_review_shows_the_source_lines_and_highlights_the_chosen_entry(curator, draft):
    page = curator.get(draft.get_absolute_url() + "?entry=2-0").content.decode()
    highlighted = (
        '<li id="line-10" value="10" class="highlight">- Le Sénégal a créé une brigade mixte avec Frontex ;</li>'
    )
    assert highlighted in page
    assert '<li id="line-11" value="11">' in page
    assert 'id="entry-2-0" class="ingest-entry selected proposed"' in page
    assert "« Sénégal »" in page and "« Frontex »" in page  # the words behind each tag
    assert 'href="?entry=2-1#line-11"' in page


def test_review_page_queries(curator, draft, django_assert_num_queries):
    with django_assert_num_queries(8):  # session, user, permissions, draft, names of countries, organisations, themes
        assert curator.get(draft.get_absolute_url()).status_code == 200


def test_accept_edit_merge_split_and_drop_entries(curator, draft):
    step(curator, draft, "accept", "2-0")
    draft.refresh_from_db()
    assert draft.proposal["sessions"][2]["entries"][0]["proposal"]["state"] == "accepted"

    step(curator, draft, "save", "2-1", text="Patrouilles  conjointes entre le Mali et la Mauritanie ;", kind="policy")
    assert entries(draft)[1] == ("policy", "Patrouilles conjointes entre le Mali et la Mauritanie ;")

    step(curator, draft, "split", "3-0", split_at="La formation des agents")
    assert entries(draft)[2:] == [
        ("challenge", "Le manque de moyens des unités."),
        ("challenge", "La formation des agents reste insuffisante."),
    ]
    step(curator, draft, "merge", "3-1")
    assert entries(draft)[2:] == [
        ("challenge", "Le manque de moyens des unités. La formation des agents reste insuffisante."),
    ]
    step(curator, draft, "drop", "2-1")
    assert [text for _kind, text in entries(draft)] == [
        "Le Sénégal a créé une brigade mixte avec Frontex ;",
        "Le manque de moyens des unités. La formation des agents reste insuffisante.",
    ]


def test_accept_and_reject_proposed_tags(curator, draft):
    entry = draft.proposal["sessions"][2]["entries"][0]
    assert (entry["countries"], entry["organisations"]) == ([{"code": "SN", "role": "implementing"}], ["frontex"])
    step(curator, draft, "accept-tag", "2-0", tag="country:SN")
    step(curator, draft, "reject-tag", "2-0", tag="organisation:frontex")
    draft.refresh_from_db()
    entry = draft.proposal["sessions"][2]["entries"][0]
    assert entry["countries"] == [{"code": "SN", "role": "implementing"}]
    assert entry["organisations"] == []
    assert entry["proposal"]["accepted"] == ["country:SN"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"step": "accept", "entry": "9-9"}, "Cette entrée n&#x27;existe plus"),
        ({"step": "accept", "entry": "abc"}, "Cette entrée n&#x27;existe plus"),
        ({"step": "merge", "entry": "2-0"}, "C&#x27;est la première entrée de sa session"),
        ({"step": "split", "entry": "2-0", "split_at": "absent"}, "Indiquez les premiers mots"),
        ({"step": "save", "entry": "2-0", "text": " ", "kind": "policy"}, "sont obligatoires"),
        ({"step": "reject-tag", "entry": "2-0", "tag": "country:ZZ"}, "plus proposée"),
        ({"step": "meeting", "title": "T", "slug": "t", "code": "bad code", "kind": "thematic"}, "Code :"),
        ({"step": "unknown"}, "Action inconnue"),
    ],
)
def test_impossible_steps_say_why_and_change_nothing(curator, draft, data, message):
    before = draft.proposal
    response = curator.post(draft.get_absolute_url(), data, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    draft.refresh_from_db()
    assert draft.proposal == before


def test_creating_the_meeting_imports_it_as_a_draft_with_references_and_history(curator, draft, secretariat_user):
    step(curator, draft, "meeting", title="Réunion sur la coopération policière", slug="cooperation-policiere",
         code="CP", kind="thematic")  # fmt: skip
    response = step(curator, draft, "create")
    meeting = Meeting.objects.get(slug="cooperation-policiere")
    assert response["Location"] == reverse("admin:outcomes_meeting_change", args=[meeting.pk])
    assert (meeting.title, meeting.status, meeting.start_date, meeting.venue) == (
        "Réunion sur la coopération policière",
        Status.DRAFT,
        None,
        "",
    )
    assert list(meeting.co_chairs.values_list("code", flat=True).order_by("code")) == ["FR", "SN"]
    created = list(Entry.objects.filter(meeting=meeting).order_by("reference"))
    assert [(entry.reference, entry.kind, entry.status) for entry in created] == [
        ("CP-001", "good_practice", Status.DRAFT),
        ("CP-002", "good_practice", Status.DRAFT),
        ("CP-003", "challenge", Status.DRAFT),
    ]
    assert [entry.source_line for entry in created] == [10, 11, 14]
    assert list(created[0].organisations.values_list("slug", flat=True)) == ["frontex"]
    assert {record.history_user for record in Entry.history.filter(meeting_id=meeting.pk)} == {secretariat_user}
    draft.refresh_from_db()
    assert draft.meeting == meeting
    # Once created, the draft is closed.
    response = step(curator, draft, "create", follow=True)
    assert "déjà été créée" in response.content.decode()
    assert Meeting.objects.count() == 1


def test_creating_never_overwrites_an_existing_meeting(curator, draft, make_meeting):
    make_meeting(slug=draft.proposal["meeting"]["slug"], code="XX", title="Déjà là")
    response = step(curator, draft, "create", follow=True)
    assert "Une réunion porte déjà cet identifiant" in response.content.decode()
    assert Meeting.objects.get().title == "Déjà là"


def error_of(response):
    """The text of the form's error lists."""
    errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode(), re.S)
    return re.sub(r"\s+", " ", "".join(errors))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("vide.txt", b"  \n\n ", "Le document est vide"),
        ("image.pdf", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "n&#x27;est pas un document PDF, DOCX ou texte"),
        ("document.exe", b"MZ\x90\x00" + bytes(200), "n&#x27;est pas un document PDF, DOCX ou texte"),
        ("note.txt", b"%PDF-1.4 pas vraiment", "n&#x27;est pas un document PDF, DOCX ou texte"),
        ("casse.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 20, "n&#x27;a pas pu être lu"),
    ],
)
def test_bad_uploads_get_a_clear_message_and_create_nothing(curator, name, content, message):
    response = upload(curator, content, name)
    assert response.status_code == 200
    assert message in error_of(response)
    assert not DocumentDraft.objects.exists()


def test_encrypted_scanned_and_huge_uploads(curator, settings):
    response = upload(curator, documents.pdf([["Texte secret."]], encrypt="motdepasse"), "secret.pdf")
    assert "protégé par un mot de passe" in error_of(response)
    response = upload(curator, documents.image_only_pdf(), "scan.pdf")
    assert "ne contient pas de texte" in error_of(response)
    settings.INGEST_MAX_BYTES = 100
    response = upload(curator, b"x" * 101, "long.txt")
    assert "dépasse la taille maximale de 100" in error_of(response)
    assert not DocumentDraft.objects.exists()


def test_an_extraction_over_the_time_limit_is_abandoned(curator, settings):
    settings.INGEST_EXTRACTION_SECONDS = 0.001
    response = upload(curator, documents.pdf([["Une ligne."]]), "lent.pdf")
    assert "a pris plus de 0.001 secondes" in error_of(response)
    assert not DocumentDraft.objects.exists()


# Who may use it -----------------------------------------------------------------------------------------------------


def urls(draft):
    return [("get", CHANGELIST), ("get", ADD), ("post", ADD), ("get", draft.get_absolute_url()),
            ("post", draft.get_absolute_url())]  # fmt: skip


@pytest.fixture
def stored_draft(secretariat_user, db):
    return DocumentDraft.objects.create(filename="d.txt", lines=["a"], proposal={"sessions": []},
                                        created_by=secretariat_user)  # fmt: skip


@pytest.mark.parametrize("who", ["anonymous", "non_staff"])
def test_anonymous_and_non_staff_are_sent_to_the_login_page(client, stored_draft, make_user, who):
    if who == "non_staff":
        client.force_login(make_user())
    for method, url in urls(stored_draft):
        response = getattr(client, method)(url, {"step": "create", "document": SimpleUploadedFile("a.txt", b"a")})
        assert response.status_code == 302, url
        assert response["Location"].startswith(LOGIN)
    assert DocumentDraft.objects.count() == 1 and not Meeting.objects.exists()


def test_staff_outside_the_secretariat_is_refused(client, stored_draft, make_user):
    client.force_login(make_user(is_staff=True))
    for method, url in urls(stored_draft):
        response = getattr(client, method)(url, {"step": "create", "document": SimpleUploadedFile("a.txt", b"a")})
        assert response.status_code == 403, url
    assert DocumentDraft.objects.count() == 1 and not Meeting.objects.exists()


def test_the_secretariat_finds_the_documents_in_the_admin(curator, draft):
    index = curator.get(reverse("admin:index")).content.decode()
    assert f'href="{CHANGELIST}"' in index
    listing = curator.get(CHANGELIST).content.decode()
    assert f'href="{draft.get_absolute_url()}"' in listing and "document-final.txt" in listing
    assert curator.get(ADD).status_code == 200


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_pdf_and_docx_uploads_are_read_too(curator, kind):
    if kind == "pdf":
        content = documents.pdf([DOCUMENT.splitlines()], footer="Document final : Coopération policière")
    else:
        styles = {"Introduction": "Heading 1", "• Coopération entre services": "Heading 1"}
        paragraphs = [line for line in DOCUMENT.splitlines() if line]
        content = documents.docx_file(
            [
                (styles.get(line, "List Bullet" if line[:1] in "-•" else "Normal"), line.lstrip("-• "))
                for line in paragraphs
            ]
        )
    response = upload(curator, content, f"document-final.{kind}")
    assert response.status_code == 302
    assert [text for _kind, text in entries(DocumentDraft.objects.get())] == [
        "Le Sénégal a créé une brigade mixte avec Frontex ;",
        "Patrouilles conjointes entre le Mali et la Mauritanie.",
        "Le manque de moyens des unités. La formation des agents reste insuffisante.",
    ]
