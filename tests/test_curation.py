"""What a secretariat curator does in the admin: find, tag, publish, reorder, correct, restore."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from outcomes.models import Country, Entry, EntryCountry, Meeting, Organisation, Session, Speaker, Status
from tests.admin_support import action_data, form_data

CHANGELIST = "/admin/outcomes/entry/"


@pytest.fixture
def curator(client, secretariat_user):
    client.force_login(secretariat_user)
    return client


def changelist_references(response):
    return {entry.reference for entry in response.context["cl"].result_list}


def test_entry_list_shows_reference_excerpt_kind_meeting_status_and_tags(curator, make_entry, make_theme):
    theme = make_theme(name_fr="Gestion intégrée des frontières")
    entry = make_entry(
        countries=[("SN", EntryCountry.Role.IMPLEMENTING), "ML"], themes=[theme], text="Patrouilles conjointes " * 10
    )
    page = curator.get(CHANGELIST).content.decode()
    for text in [entry.reference, "Bonne pratique", entry.meeting.title, "Publié", "ML, SN"]:
        assert text in page
    assert "Patrouilles conjointes Patrouilles" in page and entry.text not in page  # an excerpt
    assert "Gestion intégrée des frontières" in page
    assert 'class="field-status">Publié<' in page


def test_entry_list_filters_by_kind_status_meeting_session_country_and_theme(curator, make_entry, make_theme):
    theme = make_theme()
    senegal = make_entry(countries=["SN"], themes=[theme], kind=Entry.Kind.CHALLENGE)
    mali = make_entry(countries=["ML"], status=Status.DRAFT)
    other = make_entry()

    def filtered(**params):
        return changelist_references(curator.get(CHANGELIST, params))

    assert filtered(country_tags__country__code__exact="SN") == {senegal.reference}
    assert filtered(themes__id__exact=theme.pk) == {senegal.reference}
    assert filtered(kind__exact="challenge") == {senegal.reference}
    assert filtered(status__exact="draft") == {mali.reference}
    assert filtered(meeting__id__exact=other.meeting_id) == {other.reference}
    assert filtered(session__id__exact=mali.session_id) == {mali.reference}


def test_entry_list_searches_text_title_and_reference(curator, make_entry):
    patrols = make_entry(text="Patrouilles conjointes le long de la frontière")
    make_entry(text="Échange de données biométriques")
    assert changelist_references(curator.get(CHANGELIST, {"q": "patrouilles"})) == {patrols.reference}
    assert changelist_references(curator.get(CHANGELIST, {"q": patrols.reference})) == {patrols.reference}


def test_entry_list_runs_a_constant_number_of_queries(curator, make_entry, make_theme, make_session):
    theme = make_theme()

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert curator.get(CHANGELIST).status_code == 200
        return len(queries)

    make_entry(countries=["SN"], themes=[theme])
    few = count_queries()
    for _ in range(8):
        make_entry(countries=["SN", "ML"], themes=[theme, make_theme()])
    assert count_queries() == few


def test_publish_and_unpublish_change_only_the_selected_entries(curator, make_entry):
    drafts = [make_entry(status=Status.DRAFT) for _ in range(3)]
    response = curator.post(CHANGELIST, action_data("publish_selected", drafts[0], drafts[1]))
    assert response.status_code == 302
    statuses = {entry.pk: entry.status for entry in Entry.objects.all()}
    assert [statuses[d.pk] for d in drafts] == [Status.PUBLISHED, Status.PUBLISHED, Status.DRAFT]
    assert drafts[0].history.latest().history_user.username == "secretariat"

    curator.post(CHANGELIST, action_data("unpublish_selected", drafts[1]))
    statuses = {entry.pk: entry.status for entry in Entry.objects.all()}
    assert [statuses[d.pk] for d in drafts] == [Status.PUBLISHED, Status.DRAFT, Status.DRAFT]


def test_publishing_warns_when_the_meeting_itself_is_not_published(curator, make_entry, make_session, make_meeting):
    hidden = make_entry(session=make_session(meeting=make_meeting(status=Status.DRAFT)), status=Status.DRAFT)
    response = curator.post(CHANGELIST, action_data("publish_selected", hidden), follow=True)
    assert "restent donc invisibles" in response.content.decode()


def test_adding_a_theme_asks_which_then_tags_only_the_selected_entries(curator, make_entry, make_theme):
    theme = make_theme(name_fr="Lutte contre la traite")
    chosen, other = make_entry(), make_entry()

    form_page = curator.post(CHANGELIST, action_data("add_theme_to_selected", chosen))
    assert form_page.status_code == 200
    page = form_page.content.decode()
    assert "csrfmiddlewaretoken" in page
    assert '<select name="theme"' in page and "Lutte contre la traite" in page
    assert chosen.reference in page and other.reference not in page

    response = curator.post(CHANGELIST, action_data("add_theme_to_selected", chosen, apply="1", theme=theme.pk))
    assert response.status_code == 302
    assert list(chosen.themes.all()) == [theme]
    assert not other.themes.exists()
    # The new tag is in the entry's history, with who added it.
    latest = chosen.history.latest()
    assert latest.history_user.username == "secretariat"
    assert [row.theme_id for row in latest.themes.all()] == [theme.pk]


def test_adding_a_theme_without_choosing_one_shows_the_form_again(curator, make_entry):
    entry = make_entry()
    response = curator.post(CHANGELIST, action_data("add_theme_to_selected", entry, apply="1", theme="999999"))
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not entry.themes.exists()


def test_adding_a_country_with_its_role_to_the_selected_entries(curator, make_entry):
    partner_already = make_entry(countries=[("MA", EntryCountry.Role.MENTIONED)])
    untagged, other = make_entry(), make_entry()
    form_page = curator.post(CHANGELIST, action_data("add_country_to_selected", partner_already, untagged))
    assert '<select name="country"' in form_page.content.decode()

    response = curator.post(
        CHANGELIST,
        action_data("add_country_to_selected", partner_already, untagged, apply="1", country="MA", role="partner"),
        follow=True,
    )
    assert "ajouté à 2 entrées" in response.content.decode()
    tags = set(EntryCountry.objects.values_list("entry_id", "country_id", "role"))
    assert tags == {(partner_already.pk, "MA", "partner"), (untagged.pk, "MA", "partner")}
    assert not other.country_tags.exists()


def test_a_new_entry_takes_its_meeting_from_its_session(curator, make_session):
    session = make_session()
    add_url = reverse("admin:outcomes_entry_add")
    page = curator.get(add_url)
    assert "meeting" not in page.context["adminform"].form.fields
    response = curator.post(add_url, form_data(page, session=session.pk, kind="policy", order=1, text="Une politique"))
    assert response.status_code == 302
    entry = Entry.objects.get()
    assert entry.meeting == session.meeting
    assert entry.status == Status.DRAFT
    assert entry.reference == f"{session.meeting.code}-001"


def test_moving_an_entry_to_a_session_of_another_meeting_is_a_form_error(curator, make_entry, make_session):
    entry = make_entry()
    elsewhere = make_session()
    url = reverse("admin:outcomes_entry_change", args=[entry.pk])
    response = curator.post(url, form_data(curator.get(url), session=elsewhere.pk))
    assert response.status_code == 200
    assert "autre réunion" in response.content.decode()


def inline_orders(page, prefix, swaps):
    data = form_data(page)
    for index, order in swaps.items():
        data[f"{prefix}-{index}-order"] = str(order)
    return data


def test_swapping_two_entries_in_the_session_inline_reorders_them(curator, make_session, make_entry):
    session = make_session()
    first, second = make_entry(session=session, order=1), make_entry(session=session, order=2)
    url = reverse("admin:outcomes_session_change", args=[session.pk])
    response = curator.post(url, inline_orders(curator.get(url), "entries", {0: 2, 1: 1}))
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.order, second.order) == (2, 1)


def test_moving_entries_to_new_positions_beyond_the_last_one(curator, make_session, make_entry):
    session = make_session()
    first, second = make_entry(session=session, order=1), make_entry(session=session, order=2)
    url = reverse("admin:outcomes_session_change", args=[session.pk])
    response = curator.post(url, inline_orders(curator.get(url), "entries", {0: 4, 1: 3}))
    assert response.status_code == 302
    assert list(session.entries.order_by("order").values_list("pk", "order")) == [(second.pk, 3), (first.pk, 4)]


def test_two_entries_at_the_same_position_is_a_form_error_not_a_crash(curator, make_session, make_entry):
    session = make_session()
    make_entry(session=session, order=1), make_entry(session=session, order=2)
    url = reverse("admin:outcomes_session_change", args=[session.pk])
    response = curator.post(url, inline_orders(curator.get(url), "entries", {0: 2}))
    assert response.status_code == 200
    assert "déjà prise" in response.content.decode()
    assert sorted(session.entries.values_list("order", flat=True)) == [1, 2]


def test_swapping_sessions_in_the_meeting_inline_and_deleting_one(curator, make_meeting, make_session):
    meeting = make_meeting()
    first, second, third = (make_session(meeting=meeting, order=n) for n in (1, 2, 3))
    url = reverse("admin:outcomes_meeting_change", args=[meeting.pk])
    data = inline_orders(curator.get(url), "sessions", {0: 2, 1: 3})
    data["sessions-2-DELETE"] = "on"
    response = curator.post(url, data)
    assert response.status_code == 302
    assert list(meeting.sessions.values_list("slug", "order")) == [(first.slug, 2), (second.slug, 3)]
    assert not Session.objects.filter(pk=third.pk).exists()


@pytest.mark.parametrize("model_name", ["meeting", "session", "entry", "country", "theme", "organisation"])
def test_every_object_has_a_view_on_site_link(curator, make_entry, make_theme, model_name):
    entry = make_entry(themes=[make_theme()])
    obj = {
        "meeting": entry.meeting,
        "session": entry.session,
        "entry": entry,
        "country": Country.objects.get(code="SN"),
        "theme": entry.themes.get(),
        "organisation": Organisation.objects.create(slug="oim", name="OIM"),
    }[model_name]
    page = curator.get(reverse(f"admin:outcomes_{model_name}_change", args=[obj.pk]))
    link = page.context["original"] and page.context.get("has_absolute_url")
    assert link
    shortcut = reverse("admin:view_on_site", args=[page.context["content_type_id"], obj.pk])
    assert shortcut in page.content.decode()
    assert curator.get(shortcut)["Location"].endswith(obj.get_absolute_url())


def test_a_change_is_listed_in_the_history_with_who_and_what_then_reverted(curator, make_entry):
    entry = make_entry(text="Texte d'origine du document")
    url = reverse("admin:outcomes_entry_change", args=[entry.pk])
    curator.post(url, form_data(curator.get(url), text="Texte corrigé par erreur"))
    entry.refresh_from_db()
    assert entry.text == "Texte corrigé par erreur"

    history = curator.get(reverse("admin:outcomes_entry_history", args=[entry.pk]))
    page = history.content.decode()
    assert "secretariat" in page
    assert "Texte d&#x27;origine du document" in page and "Texte corrigé par erreur" in page

    original = entry.history.earliest()
    revert_url = reverse("admin:outcomes_entry_simple_history", args=[entry.pk, original.history_id])
    revert_page = curator.get(revert_url)
    assert revert_page.status_code == 200
    assert curator.post(revert_url, form_data(revert_page)).status_code == 302
    entry.refresh_from_db()
    assert entry.text == "Texte d'origine du document"
    assert entry.history.count() == 3


def test_reverting_brings_back_the_themes_of_that_version(curator, make_entry, make_theme):
    kept, added = make_theme(), make_theme()
    entry = make_entry(themes=[kept])
    version = entry.history.latest()
    entry.themes.add(added)
    revert_url = reverse("admin:outcomes_entry_simple_history", args=[entry.pk, version.history_id])
    assert curator.post(revert_url, form_data(curator.get(revert_url))).status_code == 302
    assert list(entry.themes.all()) == [kept]


def test_deleting_asks_for_confirmation_and_is_recorded_and_can_be_undone(curator, make_entry, make_theme):
    theme = make_theme()
    entry = make_entry(text="Une bonne pratique à garder", themes=[theme])
    delete_url = reverse("admin:outcomes_entry_delete", args=[entry.pk])
    confirmation = curator.get(delete_url)
    assert confirmation.status_code == 200
    assert Entry.objects.filter(pk=entry.pk).exists()
    assert 'name="post"' in confirmation.content.decode()

    assert curator.post(delete_url, {"post": "yes"}).status_code == 302
    assert not Entry.objects.filter(pk=entry.pk).exists()
    deletion = Entry.history.filter(id=entry.pk).latest()
    assert (deletion.history_type, deletion.history_user.username) == ("-", "secretariat")

    # The log of entry changes lists the deletion; the entry can be restored from its last version.
    log = curator.get(reverse("admin:outcomes_historicalentry_changelist"), {"history_type__exact": "-"})
    assert entry.reference in log.content.decode()
    history_url = reverse("admin:outcomes_entry_history", args=[entry.pk])
    assert history_url in log.content.decode()
    assert curator.get(history_url).status_code == 200
    before_deletion = deletion.prev_record
    revert_url = reverse("admin:outcomes_entry_simple_history", args=[entry.pk, before_deletion.history_id])
    assert curator.post(revert_url, form_data(curator.get(revert_url))).status_code == 302
    restored = Entry.objects.get(pk=entry.pk)
    assert (restored.reference, restored.text) == (entry.reference, "Une bonne pratique à garder")
    assert list(restored.themes.all()) == [theme]


def test_a_view_only_staff_member_sees_history_but_cannot_revert(client, make_user, make_entry):
    from django.contrib.auth.models import Permission

    viewer = make_user(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_entry"))
    client.force_login(viewer)
    entry = make_entry(text="Texte d'origine")
    Entry.objects.filter(pk=entry.pk).update(text="Texte actuel")
    version = entry.history.earliest()
    revert_url = reverse("admin:outcomes_entry_simple_history", args=[entry.pk, version.history_id])
    assert client.get(reverse("admin:outcomes_entry_history", args=[entry.pk])).status_code == 200
    assert client.post(revert_url, {"text": "Texte d'origine"}).status_code == 403
    entry.refresh_from_db()
    assert entry.text == "Texte actuel"


def test_changes_to_meetings_sessions_and_tags_are_recorded_with_their_author(curator, make_entry):
    entry = make_entry(countries=["SN"])
    meeting = entry.meeting
    url = reverse("admin:outcomes_meeting_change", args=[meeting.pk])
    curator.post(url, form_data(curator.get(url), title="Titre corrigé"))
    url = reverse("admin:outcomes_entry_change", args=[entry.pk])
    curator.post(url, form_data(curator.get(url), **{"country_tags-0-role": "partner"}))
    assert Meeting.history.filter(id=meeting.pk).latest().history_user.username == "secretariat"
    tag_history = EntryCountry.history.filter(entry_id=entry.pk).order_by("history_date")
    assert [(record.role, record.history_type) for record in tag_history] == [("mentioned", "+"), ("partner", "~")]
    assert tag_history.last().history_user.username == "secretariat"


def test_edit_link_on_public_pages_only_for_staff_who_may_change(client, make_entry, make_user, secretariat_user):
    entry = make_entry()
    edit_url = reverse("admin:outcomes_entry_change", args=[entry.pk])
    assert edit_url not in client.get(entry.get_absolute_url()).content.decode()

    client.force_login(make_user())
    assert edit_url not in client.get(entry.get_absolute_url()).content.decode()

    client.force_login(make_user(is_staff=True))
    assert edit_url not in client.get(entry.get_absolute_url()).content.decode()

    client.force_login(secretariat_user)
    assert edit_url in client.get(entry.get_absolute_url()).content.decode()
    meeting_edit_url = reverse("admin:outcomes_meeting_change", args=[entry.meeting.pk])
    assert meeting_edit_url in client.get(entry.meeting.get_absolute_url()).content.decode()


def test_the_change_log_lists_every_change_in_constant_queries(curator, make_entry):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            response = curator.get(reverse("admin:outcomes_historicalentry_changelist"))
        assert response.status_code == 200
        return len(queries), response.content.decode()

    entry = make_entry()
    few, page = count_queries()
    assert reverse("admin:outcomes_entry_history", args=[entry.pk]) in page
    for _ in range(6):
        make_entry(countries=["SN"])
    assert count_queries()[0] == few
    with CaptureQueriesContext(connection) as queries:
        page = curator.get(reverse("admin:outcomes_historicalentrycountry_changelist")).content.decode()
    assert "SN (Pays mentionné)" in page
    assert len(queries) <= few + 1


def test_a_meeting_that_still_has_entries_cannot_be_deleted(curator, make_entry):
    entry = make_entry()
    url = reverse("admin:outcomes_meeting_delete", args=[entry.meeting.pk])
    page = curator.get(url)
    assert page.status_code == 200
    assert page.context["protected"]
    curator.post(url, {"post": "yes"})
    assert Meeting.objects.filter(pk=entry.meeting.pk).exists()
    assert Entry.objects.filter(pk=entry.pk).exists()


def test_deleting_a_session_that_has_entries_from_the_meeting_is_a_form_error(curator, make_entry):
    entry = make_entry()
    url = reverse("admin:outcomes_meeting_change", args=[entry.meeting.pk])
    response = curator.post(url, form_data(curator.get(url), **{"sessions-0-DELETE": "on"}))
    assert response.status_code == 200
    assert Session.objects.filter(pk=entry.session.pk).exists()


def test_a_session_parent_is_chosen_among_the_sessions_of_the_same_meeting(curator, make_session):
    session = make_session()
    make_session()  # in another meeting
    page = curator.get(reverse("admin:outcomes_meeting_change", args=[session.meeting.pk]))
    parent_field = page.context["inline_admin_formsets"][0].formset.forms[0].fields["parent"]
    assert list(parent_field.queryset) == [session]


def test_reverting_a_meeting_brings_back_its_co_chairs(curator, make_meeting):
    meeting = make_meeting()
    meeting.co_chairs.set(["SN", "ES"])
    version = meeting.history.latest()
    meeting.co_chairs.set(["MA"])
    revert_url = reverse("admin:outcomes_meeting_simple_history", args=[meeting.pk, version.history_id])
    assert curator.post(revert_url, form_data(curator.get(revert_url))).status_code == 302
    assert set(meeting.co_chairs.values_list("code", flat=True)) == {"SN", "ES"}


def test_a_bulk_action_on_all_filtered_entries_touches_only_those(curator, make_entry, make_theme):
    theme = make_theme()
    drafts = [make_entry(status=Status.DRAFT) for _ in range(2)]
    published = make_entry()
    url = f"{CHANGELIST}?status__exact=draft"
    data = action_data("add_theme_to_selected", drafts[0], select_across="1")
    page = curator.post(url, data)
    assert all(draft.reference in page.content.decode() for draft in drafts)
    curator.post(url, {**data, "apply": "1", "theme": theme.pk})
    assert set(theme.entries.all()) == set(drafts)
    assert not published.themes.exists()


def test_the_meeting_page_runs_a_constant_number_of_queries(curator, make_meeting, make_session):
    meeting = make_meeting()
    url = reverse("admin:outcomes_meeting_change", args=[meeting.pk])

    def add_rows(count):
        for _ in range(count):
            session = make_session(meeting=meeting)
            Speaker.objects.create(
                meeting=meeting, session=session, order=session.order, name="A. Diallo", country_id="SN"
            )

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            page = curator.get(url)
        assert page.status_code == 200
        return len(queries), page.content.decode()

    add_rows(1)
    few, _page = count_queries()
    add_rows(6)
    many, page = count_queries()
    assert many == few
    assert page.count('<option value="SN" selected>') == 7  # each speaker's country is shown


def test_a_speaker_cannot_be_put_in_a_session_of_another_meeting(curator, make_session):
    session, elsewhere = make_session(), make_session()
    Speaker.objects.create(meeting=session.meeting, session=session, order=1, name="A. Diallo")
    url = reverse("admin:outcomes_meeting_change", args=[session.meeting.pk])
    response = curator.post(url, form_data(curator.get(url), **{"speakers-0-session": str(elsewhere.pk)}))
    assert response.status_code == 200
    assert Speaker.objects.get().session == session


def test_sub_points_are_edited_one_per_line(curator, make_entry):
    entry = make_entry(text="Deux axes : 1) former les agents ; 2) équiper les postes.")
    url = reverse("admin:outcomes_entry_change", args=[entry.pk])
    page = curator.get(url)
    assert '<textarea name="sub_points"' in page.content.decode()
    lines = "former les agents ;\r\n\r\n  équiper les postes.  \r\n"
    assert curator.post(url, form_data(page, sub_points=lines)).status_code == 302
    entry.refresh_from_db()
    assert entry.sub_points == ["former les agents ;", "équiper les postes."]
    assert "former les agents ;\néquiper les postes.</textarea>" in curator.get(url).content.decode()


@pytest.mark.parametrize(
    ("lines", "error"),
    [("former les agents\nconstruire un mur", "sous-point n° 2 ne figure pas"), ("agents\n" * 51, "Au plus 50")],
)
def test_sub_points_that_are_not_lines_of_the_text_are_a_form_error(curator, make_entry, lines, error):
    entry = make_entry(text="Deux axes : 1) former les agents ; 2) équiper les postes.")
    url = reverse("admin:outcomes_entry_change", args=[entry.pk])
    response = curator.post(url, form_data(curator.get(url), sub_points=lines))
    assert response.status_code == 200
    assert error in response.content.decode()
    entry.refresh_from_db()
    assert entry.sub_points == []


def test_entries_are_found_by_reference_in_any_case(curator, make_entry):
    entry = make_entry()
    assert changelist_references(curator.get(CHANGELIST, {"q": entry.reference.lower()})) == {entry.reference}


def test_admin_entry_pages_have_no_raw_labels(curator, make_entry):
    entry = make_entry(countries=["SN"])
    curator.post(CHANGELIST, action_data("unpublish_selected", entry))
    pages = [
        curator.get(CHANGELIST),
        curator.get(reverse("admin:outcomes_entry_change", args=[entry.pk])),
        curator.get(reverse("admin:outcomes_entry_history", args=[entry.pk])),
        curator.get(reverse("admin:outcomes_meeting_history", args=[entry.meeting.pk])),
        curator.get(reverse("admin:outcomes_historicalentry_changelist")),
    ]
    for response in pages:
        page = response.content.decode()
        assert response.status_code == 200
        for raw in ["None", ">published<", "published →", ">country<", ">entry<", "Changes</th>", " entries\n"]:
            assert raw not in page, (response.request["PATH_INFO"], raw)
    assert 'column-country required">Pays' in pages[1].content.decode()
    assert "Modification" in pages[2].content.decode() and "Brouillon" in pages[2].content.decode()


def test_admin_labels_read_as_english_in_english():
    from outcomes.admin.entries import EntryAdmin
    from outcomes.admin.history import HISTORY_TYPES

    with translation.override("en"):
        columns = [str(getattr(EntryAdmin, name).short_description) for name in ("excerpt", "meeting_title")]
        assert columns == ["text", "meeting"]
        assert [str(label) for label in HISTORY_TYPES.values()] == ["Creation", "Change", "Deletion"]
        assert str(EntryCountry._meta.get_field("country").verbose_name) == "country"
        assert str(Status.DRAFT.label) == "Draft"
