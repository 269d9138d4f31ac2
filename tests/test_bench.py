"""The load test's mix of paths: read from the database, every one a page that answers 200."""

import contextlib
import io
import runpy
from pathlib import Path

import pytest

URLS_SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "urls.py"


def load_mix():
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        runpy.run_path(str(URLS_SCRIPT), run_name="__main__")
    return output.getvalue().split()


@pytest.mark.django_db
def test_every_path_of_the_load_mix_answers_200(client, make_entry, make_theme):
    make_entry(countries=["SN", "ES"], themes=[make_theme()])
    make_entry(countries=["ML"], themes=[make_theme()])
    paths = load_mix()
    assert "/" in paths
    assert any(path.startswith("/entries/") for path in paths)
    assert any(path.startswith("/countries/SN/") for path in paths)
    assert any(path.startswith("/entries/?q=") for path in paths)
    assert any(path.startswith("/entries/?country=SN&theme=") for path in paths)
    assert all(path.isascii() and " " not in path for path in paths), "wrk sends the paths as they are"
    for path in set(paths):
        assert client.get(path).status_code == 200, path


@pytest.mark.django_db
def test_the_load_mix_refuses_an_empty_database():
    with pytest.raises(SystemExit, match="no published entry"):
        load_mix()
