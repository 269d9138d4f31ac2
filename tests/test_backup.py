"""`backup_kb` and `restore_kb`: a backup restores the whole knowledge base, and a bad one writes nothing."""

import io
import json
import tarfile

import pytest
from django.core.management import CommandError, call_command
from django.db import models

from outcomes.models import Country, Entry, EntryCountry, Meeting, Organisation, Session, Speaker, Theme
from outcomes.ops import backup

NATURAL_KEYS = {Meeting: "slug", Session: "slug", Entry: "reference", Country: "code", Theme: "slug"}
NATURAL_KEYS[Organisation] = "slug"
THROUGH_MODELS = [Meeting.co_chairs.through, Entry.themes.through, Entry.organisations.through]
DERIVED = {"id", "search_vector"}


def rows(model):
    """Every row of the model, every field, foreign keys by their natural key instead of the database's ids."""
    names = [
        f"{field.name}__{NATURAL_KEYS[field.related_model]}" if field.is_relation else field.name
        for field in model._meta.concrete_fields
        if field.name not in DERIVED and not (field.primary_key and isinstance(field, models.AutoField))
    ]
    return sorted(model.objects.values_list(*names), key=repr)


def knowledge_base():
    models_ = [Country, Theme, Organisation, Meeting, Session, Entry, EntryCountry, Speaker, *THROUGH_MODELS]
    return {model._meta.label: rows(model) for model in models_}


def run(command, *args):
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def wipe():
    backup._clear()
    Country.objects.filter(code="SN").update(name_en="Senegal")


@pytest.fixture
def full_base(db):
    """The real fixtures, synthetic meetings, an edited country name and a meeting following a later one."""
    run("load_fixtures")
    run("generate_synthetic", "--entries", "150", "--meetings", "3", "--seed", "5")
    Country.objects.filter(code="SN").update(name_en="Republic of Senegal")
    first, *_, last = Meeting.objects.order_by("pk")
    Meeting.objects.filter(pk=first.pk).update(previous_meeting=last)
    return knowledge_base()


@pytest.mark.parametrize("name", ["kb.tar.gz", "kb-folder"])
def test_a_backup_restores_everything_into_an_empty_database(full_base, tmp_path, name):
    numbers = backup.counts()
    assert numbers["meetings"] == 4 and numbers["entries"] > 150

    assert run("backup_kb", str(tmp_path / name)) == f"Backed up {backup.summary(numbers)} to {tmp_path / name}.\n"
    wipe()
    assert Meeting.objects.count() == Theme.objects.count() == 0
    assert knowledge_base() != full_base

    assert run("restore_kb", str(tmp_path / name)) == f"Restored {backup.summary(numbers)} from {tmp_path / name}.\n"
    assert knowledge_base() == full_base


def test_the_manifest_lists_every_file_with_its_checksum(full_base, tmp_path):
    run("backup_kb", str(tmp_path / "kb"))

    manifest = json.loads((tmp_path / "kb" / "manifest.json").read_text())
    written = sorted(path.relative_to(tmp_path / "kb").as_posix() for path in (tmp_path / "kb").rglob("*.*"))
    assert sorted(manifest["files"]) == [name for name in written if name != "manifest.json"]
    assert [name for name in written if name.startswith("meetings/")] == [
        f"meetings/{number:04d}-{slug}.yaml"
        for number, slug in enumerate(Meeting.objects.order_by("pk").values_list("slug", flat=True), start=1)
    ]
    assert {"vocabulary.yaml", "extra.json"} <= set(manifest["files"])
    assert manifest["counts"] == backup.counts()


def test_restoring_over_a_knowledge_base_needs_replace(full_base, tmp_path):
    run("backup_kb", str(tmp_path / "kb.tar.gz"))
    Entry.objects.filter(reference__startswith="SYN").update(text="Changé après la sauvegarde")
    changed = knowledge_base()

    with pytest.raises(CommandError, match=r"already holds a knowledge base \(restore with --replace"):
        run("restore_kb", str(tmp_path / "kb.tar.gz"))
    assert knowledge_base() == changed

    run("restore_kb", str(tmp_path / "kb.tar.gz"), "--replace")
    assert knowledge_base() == full_base


def test_a_dry_run_restores_nothing(full_base, tmp_path):
    run("backup_kb", str(tmp_path / "kb"))
    wipe()
    emptied = knowledge_base()

    assert run("restore_kb", str(tmp_path / "kb"), "--dry-run").startswith("Checked (dry run, nothing written) ")
    assert knowledge_base() == emptied


def damage_a_meeting_file(folder):
    path = sorted((folder / "meetings").iterdir())[-1]
    path.write_text(path.read_text().replace("Réunion", "Reunion", 1))
    return path


def remove_a_meeting_file(folder):
    path = sorted((folder / "meetings").iterdir())[0]
    path.unlink()
    return path


def add_a_file(folder):
    path = folder / "meetings" / "9999-intrus.yaml"
    path.write_text("format: rabatkb-meeting\n")
    return path


@pytest.mark.parametrize(
    "spoil, problem",
    [
        (damage_a_meeting_file, "checksum mismatch (damaged)"),
        (remove_a_meeting_file, "missing"),
        (add_a_file, "not listed in the manifest"),
    ],
)
def test_a_damaged_or_partial_backup_writes_nothing(full_base, tmp_path, spoil, problem):
    run("backup_kb", str(tmp_path / "kb"))
    spoiled = spoil(tmp_path / "kb")
    wipe()
    emptied = knowledge_base()

    with pytest.raises(CommandError) as error:
        run("restore_kb", str(tmp_path / "kb"))

    assert f"{spoiled.relative_to(tmp_path / 'kb').as_posix()}: {problem}" in str(error.value)
    assert knowledge_base() == emptied


def test_a_truncated_archive_writes_nothing(full_base, tmp_path):
    run("backup_kb", str(tmp_path / "kb.tar.gz"))
    content = (tmp_path / "kb.tar.gz").read_bytes()
    (tmp_path / "cut.tar.gz").write_bytes(content[: len(content) // 2])
    wipe()
    emptied = knowledge_base()

    with pytest.raises(CommandError, match="unreadable archive"):
        run("restore_kb", str(tmp_path / "cut.tar.gz"))
    assert knowledge_base() == emptied


def test_a_backup_whose_last_meeting_cannot_be_imported_writes_none_of_it(full_base, tmp_path):
    """Intact checksums, but the last meeting uses a theme the backup does not define: all or nothing."""
    files = backup.collect()
    last = sorted(name for name in files if name.startswith("meetings/"))[-1]
    files[last] = files[last].replace(b"themes: [", b"themes: [theme-nobody-defined, ", 1)
    manifest = json.loads(files["manifest.json"])
    manifest["files"][last] = backup._sha256(files[last])
    files["manifest.json"] = json.dumps(manifest).encode()
    backup.write(files, tmp_path / "kb.tar.gz")
    wipe()
    emptied = knowledge_base()

    with pytest.raises(CommandError, match=f"{last}: .*unknown theme 'theme-nobody-defined'"):
        run("restore_kb", str(tmp_path / "kb.tar.gz"))
    assert knowledge_base() == emptied


def test_what_is_not_a_backup_is_refused(db, tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "readme.txt").write_text("rien")
    with tarfile.open(tmp_path / "escape.tar.gz", "w:gz") as archive:
        info = tarfile.TarInfo("../manifest.json")
        archive.addfile(info, io.BytesIO(b""))

    with pytest.raises(CommandError, match="not a Rabat KB backup"):
        run("restore_kb", str(tmp_path / "notes"))
    with pytest.raises(CommandError, match="unexpected archive member '../manifest.json'"):
        run("restore_kb", str(tmp_path / "escape.tar.gz"))
    with pytest.raises(CommandError, match="no backup at"):
        run("restore_kb", str(tmp_path / "nowhere"))
    assert Meeting.objects.count() == 0


def test_a_backup_is_never_written_over_existing_files(db, tmp_path):
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "keep.txt").write_text("à garder")
    (tmp_path / "kb.tar.gz").write_bytes(b"old")

    with pytest.raises(CommandError, match="exists and is not an empty folder"):
        run("backup_kb", str(tmp_path / "kb"))
    with pytest.raises(CommandError, match="already exists"):
        run("backup_kb", str(tmp_path / "kb.tar.gz"))
    assert (tmp_path / "kb.tar.gz").read_bytes() == b"old"
    assert [path.name for path in (tmp_path / "kb").iterdir()] == ["keep.txt"]
