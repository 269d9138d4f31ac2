"""The documentation holds together: every relative link and every `docs/….md` a file names leads somewhere."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "bench" / "results" / "history.md"]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
# Files that name a document in a comment or docstring, outside the documentation itself.
MENTIONING = [
    path
    for folder in ("rabatkb", "outcomes", "bench", "tests", "templates", "fixtures")
    for path in sorted((ROOT / folder).rglob("*"))
    if path.suffix in {".py", ".html", ".yaml", ".sh"}
] + [ROOT / "Makefile"]


def anchors(markdown):
    """The anchors GitHub gives the headings of a markdown file."""
    headings = re.findall(r"^#+ (.+)$", FENCE.sub("", markdown), re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-") for heading in headings}


def relative_links(document):
    for target in LINK.findall(FENCE.sub("", document.read_text())):
        if not re.match(r"^[a-z]+:", target):
            yield target


def test_the_readme_fits_in_200_lines_and_indexes_every_document():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 200
    linked = {target.split("#")[0] for target in relative_links(ROOT / "README.md")}
    assert {f"docs/{path.name}" for path in (ROOT / "docs").glob("*.md")} <= linked
    assert "make run" in readme.split("## Configuration")[0] and "make test" in readme.split("## Configuration")[0]


def leads_somewhere(document, target):
    path, _, anchor = target.partition("#")
    destination = (document.parent / path).resolve() if path else document
    if not destination.exists():
        return False
    return not anchor or destination.suffix != ".md" or anchor in anchors(destination.read_text())


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_relative_link_points_to_an_existing_file_and_heading(document):
    assert [target for target in relative_links(document) if not leads_somewhere(document, target)] == []


def test_every_document_a_file_names_exists():
    named = {
        (path.relative_to(ROOT), name)
        for path in MENTIONING
        for name in re.findall(r"\bdocs/[\w./-]+\.md\b", path.read_text(errors="replace"))
    }
    assert named, "the fixtures and the code name documents"
    assert [(str(path), name) for path, name in sorted(named) if not (ROOT / name).is_file()] == []
