import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from outcomes.exchange import parse_yaml
from outcomes.models import Entry, Meeting, Organisation, Session, Speaker, Theme

DATA = Path(__file__).parent / "data"


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out, no_color=True)
    return out.getvalue()


def counts():
    return [model.objects.count() for model in (Meeting, Session, Entry, Speaker, Theme, Organisation)]


def test_import_meeting_creates_the_meeting_and_says_what_it_did_and_which_references_it_gave(db):
    output = run("import_meeting", DATA / "meeting.yaml")

    assert output.splitlines() == [
        f"Imported {DATA / 'meeting.yaml'}: meeting reunion-exemple, created 2 themes, 2 organisations, "
        "1 meeting, 4 sessions, 3 entries, 2 speakers.",
        "Gave references to the new entries the file gives none (add them to keep them):",
        "  sessions[1].entries[1]: EX-003",
    ]
    assert Entry.objects.get(reference="EX-003").text == "Évaluer les principaux défis d'intérêt commun."
    assert counts() == [1, 4, 3, 2, 2, 2]
    again = run("import_meeting", DATA / "meeting.yaml")
    assert again == f"Imported {DATA / 'meeting.yaml'}: meeting reunion-exemple, nothing changed.\n"
    assert counts() == [1, 4, 3, 2, 2, 2]


def test_import_meeting_dry_run_checks_and_writes_nothing(db):
    output = run("import_meeting", DATA / "meeting.yaml", "--dry-run")
    assert output.startswith("Checked (dry run, nothing written)")
    assert "created 2 themes" in output
    assert output.splitlines()[1:] == [
        "Would give references to the new entries the file gives none (add them to keep them):",
        "  sessions[1].entries[1]: EX-003",
    ]
    assert counts() == [0, 0, 0, 0, 0, 0]


def test_import_meeting_lists_every_problem_and_writes_nothing(db, tmp_path):
    text = (DATA / "meeting.yaml").read_text()
    text = text.replace("kind: thematic", "kind: summit").replace("{code: SN, role: implementing}", "{code: XX}")
    (tmp_path / "broken.yaml").write_text(text)

    with pytest.raises(CommandError) as raised:
        run("import_meeting", tmp_path / "broken.yaml")

    assert str(raised.value).splitlines() == [
        f"{tmp_path / 'broken.yaml'}: 2 problems, nothing written:",
        "  meeting.kind: unknown choice 'summit' (one of: thematic, senior_officials, ministerial, technical, "
        "steering, other)",
        "  sessions[3].entries[0].countries[0].code: unknown country code 'XX'",
    ]
    assert counts() == [0, 0, 0, 0, 0, 0]


def test_import_meeting_reports_invalid_yaml_with_its_line(db, tmp_path):
    (tmp_path / "bad.yaml").write_text("format: rabatkb-meeting\nversion: 1\nmeeting: [unclosed\n")
    with pytest.raises(CommandError, match=r"invalid YAML at line 4, column 1"):
        run("import_meeting", tmp_path / "bad.yaml")


def test_export_meeting_writes_the_file_import_meeting_reads(db, tmp_path):
    run("import_meeting", DATA / "meeting.yaml")

    printed = run("export_meeting", "reunion-exemple")
    written = run("export_meeting", "reunion-exemple", "-o", tmp_path / "out.yaml")

    assert written == f"Exported meeting reunion-exemple to {tmp_path / 'out.yaml'}.\n"
    assert (tmp_path / "out.yaml").read_text() == printed
    data = parse_yaml(printed)
    assert data["meeting"]["code"] == "EX"
    assert [entry["reference"] for entry in data["sessions"][1]["entries"]] == ["EX-001", "EX-003"]
    assert "nothing changed" in run("import_meeting", tmp_path / "out.yaml")


def test_export_meeting_refuses_an_unknown_slug(db):
    with pytest.raises(CommandError, match="No meeting with the slug 'inconnue'"):
        run("export_meeting", "inconnue")


@pytest.fixture
def fixtures_dir(tmp_path):
    """A fixtures directory shaped like the real one: themes, organisations and one meeting."""
    (tmp_path / "meetings").mkdir()
    (tmp_path / "themes.yaml").write_text(
        "themes:\n"
        "  - slug: border-management\n    name_fr: Gestion des frontières\n    name_en: Border management\n"
        "  - slug: returns\n    name_fr: Retours\n    name_en: Returns\n"
    )
    (tmp_path / "organisations.yaml").write_text(
        "organisations:\n  - slug: interpol\n    acronym: INTERPOL\n    name: Organisation internationale de police"
        " criminelle\n    kind: organisation\n"
    )
    text = (
        (DATA / "meeting.yaml").read_text().replace("organisations: [frontex, ncm-gambie]", "organisations: [interpol]")
    )
    (tmp_path / "meetings" / "exemple.yaml").write_text(
        text.replace("themes: [border-management]", "themes: [returns]")
    )
    return tmp_path


def test_load_fixtures_loads_themes_organisations_then_meetings_and_is_idempotent(db, fixtures_dir):
    output = run("load_fixtures", "--dir", fixtures_dir)

    assert output.splitlines() == [
        f"Loaded 3 fixture file(s) from {fixtures_dir}.",
        "  themes.yaml: created 2 themes",
        "  organisations.yaml: created 1 organisation",
        "  meetings/exemple.yaml: created 1 theme, 2 organisations, 1 meeting, 4 sessions, 3 entries, 2 speakers",
    ]
    assert sorted(Theme.objects.values_list("slug", flat=True)) == [
        "border-management",
        "information-sharing",
        "returns",
    ]
    assert list(Entry.objects.get(reference="EX-001").themes.values_list("slug", flat=True)) == ["returns"]
    assert list(Entry.objects.get(reference="EX-002").organisations.values_list("slug", flat=True)) == ["interpol"]

    again = run("load_fixtures", "--dir", fixtures_dir)
    assert again.splitlines()[1:] == [
        "  themes.yaml: nothing changed",
        "  organisations.yaml: nothing changed",
        "  meetings/exemple.yaml: nothing changed",
    ]


def test_load_fixtures_skips_vocabulary_files_that_do_not_exist_yet(db, fixtures_dir):
    (fixtures_dir / "organisations.yaml").unlink()
    (fixtures_dir / "meetings" / "exemple.yaml").unlink()
    output = run("load_fixtures", "--dir", fixtures_dir)
    assert output.splitlines() == [f"Loaded 1 fixture file(s) from {fixtures_dir}.", "  themes.yaml: created 2 themes"]


def test_load_fixtures_writes_nothing_when_any_file_has_a_problem(db, fixtures_dir):
    (fixtures_dir / "organisations.yaml").write_text("organisations:\n  - slug: interpol\n    kind: police\n")
    with pytest.raises(CommandError) as raised:
        run("load_fixtures", "--dir", fixtures_dir)
    assert str(raised.value).splitlines() == [
        f"3 problem(s) in {fixtures_dir}, nothing written:",
        "  organisations.yaml: organisations[0].name: missing",
        "  organisations.yaml: organisations[0].kind: unknown choice 'police' (one of: organisation, agency, "
        "system, strategy)",
        "  meetings/exemple.yaml: sessions[3].entries[0].organisations[0]: unknown organisation 'interpol'",
    ]
    assert counts() == [0, 0, 0, 0, 0, 0]


def test_load_fixtures_refuses_a_meeting_file_that_contradicts_the_vocabulary_files(db, fixtures_dir):
    themes = fixtures_dir / "themes.yaml"
    themes.write_text(themes.read_text().replace("name_en: Border management", "name_en: Borders"))
    with pytest.raises(CommandError) as raised:
        run("load_fixtures", "--dir", fixtures_dir)
    assert str(raised.value).splitlines()[1:] == [
        "  meetings/exemple.yaml: themes[1]: 'border-management' is defined differently in themes.yaml"
    ]
    assert counts() == [0, 0, 0, 0, 0, 0]


def test_load_fixtures_dry_run_writes_nothing(db, fixtures_dir):
    output = run("load_fixtures", "--dir", fixtures_dir, "--dry-run")
    assert output.startswith(f"Checked (dry run, nothing written) 3 fixture file(s) from {fixtures_dir}.")
    assert counts() == [0, 0, 0, 0, 0, 0]


def test_the_real_fixtures_load_and_load_again_without_change(db, tmp_path):
    real = settings.BASE_DIR / "fixtures"
    if not list(real.glob("*.yaml")) + list(real.glob("meetings/*.yaml")):
        pytest.skip("no fixture files yet")
    run("load_fixtures")
    again = run("load_fixtures")
    assert all(line.endswith("nothing changed") for line in again.splitlines()[1:])
    for meeting in Meeting.objects.all():
        run("export_meeting", meeting.slug, "-o", tmp_path / "out.yaml")
        assert "nothing changed" in run("import_meeting", tmp_path / "out.yaml")


def test_keep_search_counts_keeps_the_counts_of_the_searches_for_frequent_words(make_entry):
    from django.db import connection

    from outcomes import kept_searches, search

    for _ in range(3):
        make_entry(text="Renforcer la coopération transfrontalière.")
    make_entry(text="Un autre sujet.")
    out = io.StringIO()
    call_command("keep_search_counts", "--min-entries", "3", stdout=out)
    if connection.vendor != "postgresql":
        assert "Nothing to do" in out.getvalue()
        return
    assert "Facet counts and first entries kept for" in out.getvalue()
    assert kept_searches.counts(search.kept_key("coopération"), ["k:"]) == {"k:good_practice": 3}
    ranked = Entry.objects.filter(text__contains="coopération").order_by("pk").values_list("pk", flat=True)
    assert sorted(kept_searches.first_ids(search.kept_key("coopération"), None)) == list(ranked)  # stored: no ranking
    assert kept_searches.counts(search.kept_key("sujet"), ["k:"]) is None  # in one entry: counted when searched
