import itertools

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from outcomes import ahead
from outcomes.caching import forget_memos
from outcomes.models import Country, Entry, EntryCountry, Meeting, Session, Status, Theme

_sequence = itertools.count(1)


@pytest.fixture(autouse=True)
def _empty_cache_after_each_test():
    """No test sees another's cache: cached counts, or an export slot held by a response the test never read
    to the end (the test client closes a streamed response only then; outcomes/ops/exports.py)."""
    yield
    cache.clear()
    forget_memos()
    ahead.close_all()  # a connection left open would keep the test database from being dropped


@pytest.fixture(autouse=True)
def _french_after_each_test():
    """No test inherits another's language: a request to /en/ leaves English active in the test's thread."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def make_meeting(db):
    def make(**overrides):
        n = next(_sequence)
        fields = {
            "slug": f"meeting-{n}",
            "code": f"M{n}",
            "title": f"Réunion {n}",
            "status": Status.PUBLISHED,
        }
        return Meeting.objects.create(**{**fields, **overrides})

    return make


@pytest.fixture
def make_session(db, make_meeting):
    def make(meeting=None, **overrides):
        meeting = meeting or make_meeting()
        n = next(_sequence)
        fields = {"order": n, "slug": f"session-{n}", "title": f"Session {n}"}
        return Session.objects.create(meeting=meeting, **{**fields, **overrides})

    return make


@pytest.fixture
def make_entry(db, make_session):
    """An entry; `countries` takes codes or (code, role) pairs, `themes` Theme objects."""

    def make(session=None, countries=(), themes=(), **overrides):
        session = session or make_session()
        n = next(_sequence)
        fields = {
            "kind": Entry.Kind.GOOD_PRACTICE,
            "order": n,
            "text": f"Texte de l'entrée {n}",
            "status": Status.PUBLISHED,
        }
        entry = Entry.objects.create(session=session, **{**fields, **overrides})
        for country in countries:
            code, role = (country, EntryCountry.Role.MENTIONED) if isinstance(country, str) else country
            EntryCountry.objects.create(entry=entry, country=Country.objects.get(code=code), role=role)
        entry.themes.set(themes)
        return entry

    return make


@pytest.fixture
def make_theme(db):
    def make(**overrides):
        n = next(_sequence)
        fields = {"slug": f"theme-{n}", "name_fr": f"Thème {n}", "name_en": f"Theme {n}"}
        return Theme.objects.create(**{**fields, **overrides})

    return make


@pytest.fixture
def make_user(db):
    """A user; `group="Secretariat"` puts it in that group (created by a migration)."""
    from django.contrib.auth.models import Group, User

    def make(username=None, group=None, **fields):
        user = User.objects.create_user(
            username or f"user{next(_sequence)}", password="a-long-test-password-42", **fields
        )
        if group:
            user.groups.add(Group.objects.get(name=group))
        return user

    return make


@pytest.fixture
def secretariat_user(make_user):
    return make_user("secretariat", group="Secretariat", is_staff=True)


@pytest.fixture
def superuser(make_user):
    return make_user("root", is_staff=True, is_superuser=True)


@pytest.fixture(autouse=True)
def _reference_data_for_transactional_tests(request):
    """A transactional test starts after earlier ones flushed the database: give it back what migrations made."""
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        from tests.reference_data import restore_reference_data

        restore_reference_data()
