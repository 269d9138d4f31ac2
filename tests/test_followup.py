"""Follow-up of recommendations: what the secretariat records, and what readers see per recommendation, per
country, per theme, in the explorer and in a country's matrix."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from openpyxl import load_workbook

from outcomes.models import Entry, FollowUp, Status
from tests.test_pages import text_of

RECOMMENDATION = Entry.Kind.RECOMMENDATION
DAY = datetime.date(2024, 5, 1)


@pytest.fixture
def senegal(make_meeting, make_session, make_entry, make_theme):
    """Recommendations of an earlier meeting about Senegal, and a later meeting that reports on one of them."""
    earlier = make_meeting(title="Réunion de 2019", start_date=datetime.date(2019, 7, 1))
    later = make_meeting(title="Réunion de 2023", start_date=datetime.date(2023, 3, 1))
    patrols = make_theme(slug="patrouilles", name_fr="Patrouilles conjointes", name_en="Joint patrols")
    training = make_theme(slug="formation", name_fr="Formation", name_en="Training")
    session = make_session(meeting=earlier)
    entries = {
        "surveillance": make_entry(
            session=session, kind=RECOMMENDATION, text="Assurer la surveillance", countries=["SN"], themes=[patrols]
        ),
        "mentoring": make_entry(
            session=session,
            kind=RECOMMENDATION,
            text="Perpétuer les mentorats",
            countries=["SN", "ES"],
            themes=[patrols, training],
        ),
        "general": make_entry(session=session, kind=RECOMMENDATION, text="Partager les expériences"),
        "practice": make_entry(session=session, kind=Entry.Kind.GOOD_PRACTICE, countries=["SN"], themes=[patrols]),
        "report": make_entry(session=make_session(meeting=later), kind=Entry.Kind.RESULT, text="Patrouilles menées"),
        "patrols": patrols,
        "training": training,
    }
    return entries


def record(recommendation, progress, date=DAY, country="SN", status=Status.PUBLISHED, **fields):
    fields.setdefault("source_url", "https://example.org/rapport.pdf")
    fields.setdefault("evidence", "Constat")
    made = FollowUp(
        recommendation=recommendation, country_id=country, progress=progress, date=date, status=status, **fields
    )
    made.full_clean()
    made.save()
    return made


def refusal(**fields):
    with pytest.raises(ValidationError) as error:
        FollowUp(**fields).full_clean()
    return error.value.message_dict


def test_a_follow_up_is_only_for_a_recommendation(senegal):
    errors = refusal(
        recommendation=senegal["practice"], country_id="SN", progress="implemented", date=DAY, evidence="x",
        source_url="https://example.org/",
    )  # fmt: skip
    assert errors == {
        "recommendation": [
            f"Seule une recommandation a un suivi ; {senegal['practice'].reference} est de type « Bonne pratique »."
        ]
    }


def test_a_status_outside_the_list_is_refused_by_the_form_and_the_database(senegal):
    errors = refusal(
        recommendation=senegal["surveillance"], country_id="SN", progress="abandoned", date=DAY, evidence="x",
        source_url="https://example.org/",
    )  # fmt: skip
    assert list(errors) == ["progress"] and "abandoned" in errors["progress"][0]
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.create(
            recommendation=senegal["surveillance"], country_id="SN", progress="abandoned", date=DAY, evidence="x"
        )


def test_a_follow_up_names_its_source_which_comes_after_the_recommendation(senegal, make_entry):
    base = {"recommendation": senegal["surveillance"], "country_id": "SN", "progress": "in_progress", "date": DAY}
    assert refusal(**base, evidence="x") == {
        "source_url": ["Indiquez la source : une entrée d'une réunion ultérieure ou l'adresse d'un document."]
    }
    earlier = senegal["general"]
    assert refusal(**base, evidence="x", source_entry=earlier) == {
        "source_entry": [
            f"La source {earlier.reference} ne vient pas d'une réunion ultérieure à celle de la recommandation."
        ]
    }
    FollowUp(**base, evidence="x", source_entry=senegal["report"]).full_clean()


def test_a_recommendation_page_says_when_no_follow_up_is_recorded(client, senegal):
    page = text_of(client.get(senegal["surveillance"].get_absolute_url()))
    assert "Suivi de la recommandation Aucun suivi enregistré pour l'instant." in page
    assert "Suivi de la recommandation" not in text_of(client.get(senegal["practice"].get_absolute_url()))


def test_a_recommendation_page_lists_published_follow_ups_by_country_latest_first(client, senegal):
    surveillance = senegal["surveillance"]
    record(surveillance, "not_started", datetime.date(2020, 1, 1), evidence="Rien encore")
    record(surveillance, "in_progress", datetime.date(2023, 3, 1), evidence="Patrouilles lancées",
           source_entry=senegal["report"], source_url="")  # fmt: skip
    record(surveillance, "implemented", datetime.date(2024, 1, 1), evidence="Brouillon", status=Status.DRAFT)
    page = text_of(client.get(surveillance.get_absolute_url()))
    assert (
        f"Sénégal En cours 1 mars 2023 (état actuel) Patrouilles lancées Source : {senegal['report'].reference} "
        "(Réunion de 2023) Pas commencée 1 janvier 2020 Rien encore"
    ) in page
    assert "Brouillon" not in page


def test_the_country_follow_up_page_groups_recommendations_by_theme_with_their_current_status(client, senegal):
    record(senegal["mentoring"], "in_progress", datetime.date(2022, 1, 1))
    record(senegal["mentoring"], "ongoing", datetime.date(2023, 1, 1))
    record(senegal["general"], "implemented")  # not tagged with Senegal, but followed up there
    record(senegal["surveillance"], "implemented", country="ES")  # another country's follow-up
    response = client.get(reverse("outcomes:country-follow-up", args=["SN"]))
    groups = [
        (theme and theme.slug, [entry.reference for entry in entries]) for theme, entries in response.context["groups"]
    ]
    s, m, g = (senegal[name].reference for name in ("surveillance", "mentoring", "general"))
    assert groups == [("formation", [m]), ("patrouilles", [s, m]), (None, [g])]
    page = text_of(response)
    assert f"{m} Perpétuer les mentorats (Réunion de 2019) En continu 1 janvier 2023" in page
    assert f"{s} Assurer la surveillance (Réunion de 2019) Aucun suivi enregistré pour l'instant." in page
    assert "État du suivi Mise en œuvre 1 En continu 1 Aucun suivi enregistré 1" in page


def test_the_country_follow_up_page_filters_by_theme_and_rejects_unknown_values(client, senegal):
    url = reverse("outcomes:country-follow-up", args=["SN"])
    response = client.get(url, {"theme": "formation"})
    assert [(theme.slug, len(entries)) for theme, entries in response.context["groups"]] == [("formation", 1)]
    bad = client.get(url, {"theme": "nulle-part", "kind": "wish"})
    assert bad.status_code == 400
    assert "Thème : Sélectionnez un choix valide. nulle-part n’en fait pas partie." in bad.content.decode()
    assert "Type : Sélectionnez un choix valide. wish n’en fait pas partie." in bad.content.decode()
    assert client.get(reverse("outcomes:country-follow-up", args=["XX"])).status_code == 404
    assert client.get(reverse("outcomes:country-follow-up", args=["sn"])).status_code == 404


def test_country_and_theme_pages_count_recommendations_by_status(client, senegal):
    record(senegal["mentoring"], "ongoing")
    country = text_of(client.get("/countries/SN/"))
    assert "Suivi des recommandations En continu 1 Aucun suivi enregistré 1" in country
    assert "Matrice de suivi (XLSX)" in country
    theme = text_of(client.get(senegal["patrols"].get_absolute_url()))
    assert "Suivi des recommandations En continu 1 Aucun suivi enregistré 1" in theme


def test_the_explorer_filters_recommendations_by_their_current_follow_up_status(client, senegal):
    record(senegal["surveillance"], "in_progress", datetime.date(2020, 1, 1))
    record(senegal["surveillance"], "implemented", datetime.date(2024, 1, 1))
    record(senegal["mentoring"], "in_progress")
    response = client.get(reverse("outcomes:entry-list"), {"follow_up": "implemented"})
    assert [entry.reference for entry in response.context["entries"]] == [senegal["surveillance"].reference]
    facet = {option.value: option.count for option in response.context["facets"]["follow_up"]}
    assert facet == {"implemented": 1, "in_progress": 1}
    bad = client.get(reverse("outcomes:entry-list"), {"follow_up": "abandoned"})
    assert bad.status_code == 200 and list(bad.context["entries"]) == []
    assert "État du suivi : Sélectionnez un choix valide. abandoned n’en fait pas partie." in text_of(bad)


def test_the_matrix_is_a_spreadsheet_with_a_frozen_filtered_header_and_one_row_per_theme(client, senegal):
    record(senegal["mentoring"], "ongoing")
    response = client.get(reverse("outcomes:country-matrix-xlsx", args=["SN"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="matrice-suivi-SN.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        "Thème", "Référence", "Type", "Texte", "Réunion", "Cadres", "État du suivi", "Date du suivi", "Adresse",
        "Organisme responsable", "Échéance", "Notes",
    ]  # fmt: skip
    m, s = senegal["mentoring"], senegal["surveillance"]
    assert [row[:8] for row in rows[1:]] == [
        ["Formation", m.reference, "Recommandation", m.text, "Réunion de 2019", None, "En continu", "2024-05-01"],
        ["Patrouilles conjointes", s.reference, "Recommandation", s.text, "Réunion de 2019", None,
         "Aucun suivi enregistré", None],
        ["Patrouilles conjointes", m.reference, "Recommandation", m.text, "Réunion de 2019", None, "En continu",
         "2024-05-01"],
    ]  # fmt: skip
    assert all(row[9:] == [None, None, None] for row in rows[1:])  # left for the country to fill in
    assert rows[1][8] == f"http://testserver{m.get_absolute_url()}"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:L4"
    assert sheet["A1"].font.bold
    assert sheet.column_dimensions["D"].width == 70


def test_the_matrix_as_csv_has_the_same_rows(client, senegal):
    response = client.get(reverse("outcomes:country-matrix-csv", args=["SN"]), {"kind": ["recommendation"]})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("\ufeffThème;Référence;")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert [row[1] for row in rows[1:]] == [
        senegal[name].reference for name in ("mentoring", "surveillance", "mentoring")
    ]


def test_the_matrix_takes_other_kinds_and_refuses_unknown_filters(client, senegal):
    url = reverse("outcomes:country-matrix-csv", args=["SN"])
    rows = list(
        csv.reader(
            io.StringIO(client.get(url, {"kind": "good_practice"}).content.decode().lstrip("\ufeff")), delimiter=";"
        )
    )
    assert [row[1] for row in rows[1:]] == [senegal["practice"].reference]
    assert client.get(url, {"framework": "inconnu"}).status_code == 400


@pytest.mark.parametrize(
    ("name", "pinned"),
    [("country-follow-up", 9), ("country-matrix-xlsx", 6), ("country-matrix-csv", 6)],
)
def test_follow_up_pages_run_a_constant_number_of_queries(
    client, senegal, make_entry, make_session, name, pinned, django_assert_max_num_queries
):
    session = senegal["surveillance"].session
    for _ in range(20):
        entry = make_entry(session=session, kind=RECOMMENDATION, countries=["SN"], themes=[senegal["training"]])
        record(entry, "in_progress")
    # The ETag's content version, the country, its rows, their themes, their framework items, their current
    # follow-up; the page adds the counts by status and without follow-up, and (first after a write) whether any
    # follow-up is published, held for the content version.
    with django_assert_max_num_queries(pinned):
        assert client.get(reverse(f"outcomes:{name}", args=["SN"])).status_code == 200


def test_the_secretariat_records_a_follow_up_in_the_admin_and_history_keeps_it(client, senegal, secretariat_user):
    client.force_login(secretariat_user)
    url = reverse("admin:outcomes_followup_add")
    data = {
        "recommendation": senegal["surveillance"].pk,
        "country": "SN",
        "progress": "implemented",
        "date": "2024-05-01",
        "evidence": "Patrouilles permanentes depuis janvier.",
        "source_entry": senegal["report"].pk,
        "status": "draft",
    }
    assert client.post(url, data).status_code == 302
    made = FollowUp.objects.get()
    assert (made.progress, made.status) == ("implemented", Status.DRAFT)
    assert made.history.get().history_user == secretariat_user
    refused = client.post(url, {**data, "recommendation": senegal["practice"].pk, "progress": "abandoned"})
    assert refused.status_code == 200
    page = text_of(refused)
    assert (
        f"Seule une recommandation a un suivi ; {senegal['practice'].reference} est de type « Bonne pratique »." in page
    )
    assert "Sélectionnez un choix valide. abandoned n’en fait pas partie." in page
    assert FollowUp.objects.count() == 1


def test_a_recommendation_with_follow_up_cannot_be_deleted(client, senegal, secretariat_user):
    client.force_login(secretariat_user)
    record(senegal["surveillance"], "implemented")
    url = reverse("admin:outcomes_entry_delete", args=[senegal["surveillance"].pk])
    client.post(url, {"post": "yes"})
    assert Entry.objects.filter(pk=senegal["surveillance"].pk).exists()


def test_a_recommendation_page_runs_a_constant_number_of_queries(client, senegal, django_assert_max_num_queries):
    surveillance = senegal["surveillance"]
    record(surveillance, "not_started", datetime.date(2020, 1, 1))
    for year in range(2021, 2031):
        record(surveillance, "in_progress", datetime.date(year, 1, 1), source_entry=senegal["report"])
    # The practice's page costs 9 (tests/test_pages.py); a recommendation adds its follow-up records.
    with django_assert_max_num_queries(10):
        assert client.get(surveillance.get_absolute_url()).status_code == 200


def test_publishing_follow_ups_takes_the_publish_permission_and_shows_them(client, senegal, make_user):
    from django.contrib.auth.models import Permission

    from tests.admin_support import action_data

    draft = record(senegal["surveillance"], "implemented", status=Status.DRAFT, evidence="Surveillance permanente")
    editor = make_user(is_staff=True)
    editor.user_permissions.set(Permission.objects.filter(codename__in=["view_followup", "change_followup"]))
    client.force_login(editor)
    changelist = reverse("admin:outcomes_followup_changelist")
    client.post(changelist, action_data("publish_selected", draft))
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT  # no publish permission: the action is not offered
    client.force_login(make_user(group="Secretariat", is_staff=True))
    client.post(changelist, action_data("publish_selected", draft))
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED
    assert "Mise en œuvre" in text_of(client.get(senegal["surveillance"].get_absolute_url()))
