"""`generate_synthetic` adds a realistic corpus for benchmarks and removes exactly what it made."""

import fnmatch
import io
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from outcomes import search
from outcomes.models import Entry, EntryCountry, Meeting, Organisation, Session, Status, Theme


def generate(*args):
    out = io.StringIO()
    call_command("generate_synthetic", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def real_meeting(make_entry, make_session, make_theme):
    """A real meeting with a real theme, as the fixtures would load it."""
    session = make_session(title="Coopération opérationnelle")
    theme = make_theme(slug="echange-d-informations", name_fr="Échange d'informations")
    make_entry(session=session, countries=[("SN", EntryCountry.Role.IMPLEMENTING)], themes=[theme])
    make_entry(session=session, kind=Entry.Kind.RECOMMENDATION)
    return session.meeting


def test_generates_the_entries_asked_for_in_synthetic_meetings(real_meeting):
    output = generate("--entries", "600", "--meetings", "4", "--seed", "3")

    synthetic = Entry.objects.exclude(meeting=real_meeting)
    assert synthetic.count() == 600
    assert "Added 600 synthetic entries in 4 meetings" in output
    meetings = Meeting.objects.exclude(pk=real_meeting.pk)
    assert sorted(meetings.values_list("code", flat=True)) == ["SYN001", "SYN002", "SYN003", "SYN004"]
    assert all(slug.startswith("synthetic-") for slug in meetings.values_list("slug", flat=True))
    assert set(synthetic.values_list("kind", flat=True)) == set(Entry.Kind.values)
    assert synthetic.filter(reference="SYN001-00001").exists()
    assert synthetic.filter(status=Status.PUBLISHED).count() > 0.9 * 600
    assert Session.objects.filter(meeting__in=meetings, parent__isnull=False).exists(), "sub-sessions"


def test_synthetic_text_is_french_built_from_the_real_document(real_meeting):
    generate("--entries", "300", "--meetings", "2")

    texts = " ".join(Entry.objects.exclude(meeting=real_meeting).values_list("text", flat=True))
    for phrase in ["gestion des frontières", "migration irrégulière", "coopération"]:
        assert phrase in texts
    with_points = Entry.objects.exclude(meeting=real_meeting).exclude(sub_points=[]).first()
    assert with_points.sub_points[0] in with_points.text
    assert "1)" not in with_points.lead_in


def test_synthetic_entries_are_tagged_with_existing_themes_and_countries_with_roles(real_meeting):
    generate("--entries", "500", "--meetings", "3")

    synthetic = Entry.objects.exclude(meeting=real_meeting)
    assert list(Theme.objects.values_list("slug", flat=True)) == ["echange-d-informations"]  # none invented
    assert synthetic.filter(themes__slug="echange-d-informations").distinct().count() == 500
    roles = set(EntryCountry.objects.filter(entry__in=synthetic).values_list("role", flat=True))
    assert roles == set(EntryCountry.Role.values)
    tagged = synthetic.filter(countries__isnull=False).distinct().count()
    assert 0.5 * 500 < tagged < 0.95 * 500
    assert synthetic.filter(organisations__isnull=False).exists()
    assert Organisation.objects.filter(slug__startswith="synthetic-").exists()  # there were none


def test_synthetic_entries_are_found_by_search_on_every_database(db):
    generate("--entries", "50")

    assert not Entry.objects.filter(index_text="").exists()
    if connection.vendor == "postgresql":
        assert not Entry.objects.filter(search_vector__isnull=True).exists()
    assert Entry.objects.filter(search.matching("frontière")).exists()


def test_a_second_run_adds_new_meetings_after_the_first(db):
    generate("--entries", "20", "--meetings", "2")
    generate("--entries", "30", "--meetings", "1")

    assert Entry.objects.count() == 50
    assert Meeting.objects.get(code="SYN003").entries.count() == 30


def test_remove_deletes_the_synthetic_data_and_leaves_the_real_data(real_meeting):
    real_entries = set(Entry.objects.values_list("pk", "text"))
    real_tags = set(EntryCountry.objects.values_list("entry", "country", "role"))
    # A real meeting that only looks synthetic in one way is kept.
    lookalike = Meeting.objects.create(slug="synthetic-not-really", code="GF2", title="Réunion réelle")
    generate("--entries", "200", "--meetings", "2")

    output = generate("--remove")

    assert "Removed the synthetic data" in output
    assert "200 entries" in output
    assert set(Entry.objects.values_list("pk", "text")) == real_entries
    assert set(EntryCountry.objects.values_list("entry", "country", "role")) == real_tags
    assert set(Meeting.objects.all()) == {real_meeting, lookalike}
    assert not Organisation.objects.filter(slug__startswith="synthetic-").exists()
    assert Theme.objects.filter(slug="echange-d-informations").exists()


def test_bad_arguments_are_refused(db):
    with pytest.raises(CommandError, match="--entries"):
        generate()
    with pytest.raises(CommandError, match="--entries"):
        generate("--entries", "0")
    with pytest.raises(CommandError, match="--meetings"):
        generate("--entries", "10", "--meetings", "0")


def test_an_installed_package_carries_no_benchmark_tooling():
    project = Path(__file__).resolve().parent.parent
    find = tomllib.loads((project / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    tops = [path for path in project.iterdir() if path.is_dir() and not path.name.startswith(".")]
    packages = {str(py.parent.relative_to(project)).replace("/", ".") for top in tops for py in top.rglob("*.py")}
    installed = {name for name in packages if any(fnmatch.fnmatch(name, pattern) for pattern in find["include"])}

    assert "outcomes" in installed
    assert not [package for package in installed if package.startswith("bench")]
    assert not [path for package in installed for path in (project / package.replace(".", "/")).glob("*synthetic*")]


def test_the_settings_add_the_benchmark_app_only_where_bench_exists(tmp_path):
    shutil.copytree(Path(__file__).resolve().parent.parent / "rabatkb", tmp_path / "rabatkb")
    code = "import rabatkb.settings as s; print('bench' in ' '.join(s.INSTALLED_APPS))"
    env = {"PATH": "/usr/bin:/bin", "DJANGO_DEBUG": "true"}

    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
