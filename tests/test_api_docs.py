"""The examples of docs/api.md, run against the first meeting's fixtures: the docs never drift from the API."""

import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command

DOC = Path(__file__).resolve().parent.parent / "docs" / "api.md"
EXAMPLE = re.compile(
    r"```sh\ncurl (?:-i )?'http://127\.0\.0\.1:8000(?P<path>[^']+)'(?:\s+# (?P<status>\d{3}))?\n```\n"
    r"```json\n(?P<json>.*?)```",
    re.S,
)


def examples():
    found = [(m["path"], int(m["status"] or 200), json.loads(m["json"])) for m in EXAMPLE.finditer(DOC.read_text())]
    assert len(found) >= 5, "docs/api.md lost its examples"
    return found


def contains(answer, excerpt, where="answer"):
    """Every key and list item of `excerpt` is in `answer` with the same value (lists from their first item)."""
    if isinstance(excerpt, dict):
        assert isinstance(answer, dict), where
        for key, value in excerpt.items():
            assert key in answer, f"{where}.{key} missing"
            contains(answer[key], value, f"{where}.{key}")
    elif isinstance(excerpt, list):
        assert isinstance(answer, list) and len(answer) >= len(excerpt), where
        for index, value in enumerate(excerpt):
            contains(answer[index], value, f"{where}[{index}]")
    else:
        assert answer == excerpt, f"{where}: {answer!r} != {excerpt!r}"


@pytest.fixture
def first_meeting(db):
    call_command("load_fixtures", stdout=io.StringIO())


@pytest.mark.parametrize("path, status, excerpt", examples())
def test_each_example_answers_as_documented(client, first_meeting, path, status, excerpt):
    response = client.get(path, HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == status
    contains(response.json(), excerpt)
