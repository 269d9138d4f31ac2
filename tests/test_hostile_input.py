"""Every URL of the project, fed hostile values in every path segment and query parameter, never breaks.

The URL patterns are read from the resolver and the query parameters from each view's FilterSet or form, so a
page added later is walked without touching this file.
"""

import importlib
import pkgutil
from urllib.parse import quote

import django_filters
import pytest
from django import forms
from django.conf import settings
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern
from django.utils.regex_helper import normalize

import outcomes

ALLOWED = {200, 301, 302, 400, 404, 405}
DATA_TYPES = {"application/json", "text/csv", "text/plain", "text/javascript", "application/atom+xml"}
DATA_TYPES |= {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/x-bibtex"}
DATA_TYPES |= {"application/x-research-info-systems"}
SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE_BREAKOUT = "\"'><img src=x onerror=alert(1)>"

# Values inserted verbatim in a URL: they are percent-encodings, valid or not.
RAW_VALUES = ["%ff%fe", "%00", "%", "%zz", "%c3%28", "%e2%82"]
HOSTILE_VALUES = [
    "99999999999999999999999999",
    "9223372036854775808",
    "2147483648",
    "-1",
    "0",
    "1.5",
    "1e309",
    "abc",
    "ZZ",
    "zz",
    "",
    "x" * 5000,
    "' OR 1=1--",
    "1; DROP TABLE outcomes_entry;--",
    SCRIPT,
    ATTRIBUTE_BREAKOUT,
    "../../etc/passwd",
    "é日本🙂",
    "\x00",
    *RAW_VALUES,
]

# Parameters any list page may read, on top of those its FilterSet or form declares.
COMMON_PARAMETERS = ["q", "page", "page_size", "format", "sort", "next", "meeting", "with_entries"]
# Fewer values for the query string: every parameter of every page is attacked with each of them.
QUERY_VALUES = [
    "99999999999999999999999999",
    "-1",
    "1e309",
    "abc",
    "",
    "x" * 5000,
    "' OR 1=1--",
    SCRIPT,
    ATTRIBUTE_BREAKOUT,
    "é日本🙂",
    "%ff%fe",
    "%00",
    "%",
]


def encoded(value):
    return value if value in RAW_VALUES else quote(value, safe="")


def leaf_patterns(resolver=None, chain=()):
    """Yield (chain of patterns from the root, URLPattern) for every endpoint of the project."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from leaf_patterns(pattern, (*chain, pattern.pattern))
        else:
            yield (*chain, pattern.pattern), pattern


def fill(chain, value):
    """The paths the chain of patterns matches with `value` in every parameter, in both languages."""
    prefixes = [""]
    for pattern in chain:
        if isinstance(pattern, LocalePrefixPattern):
            prefixes = [prefix + language for prefix in prefixes for language in ("", "en/")]
            continue
        forms = {form % dict.fromkeys(params, value) for form, params in normalize(pattern.regex.pattern)}
        prefixes = [prefix + form for prefix in prefixes for form in forms]
    return {"/" + prefix for prefix in prefixes}


def has_parameters(chain):
    return any(normalize(p.regex.pattern)[0][1] for p in chain if not isinstance(p, LocalePrefixPattern))


def form_fields(cls):
    """The form fields of a FilterSet or plain Form class (none if it cannot be built without arguments)."""
    if issubclass(cls, django_filters.FilterSet):
        return cls(queryset=cls._meta.model.objects.none()).form.fields if cls._meta.model else {}
    try:
        return cls().fields
    except TypeError:
        return {}


def project_forms():
    """Every FilterSet and plain Form the project's app defines: what its pages read from the query string."""
    for info in pkgutil.iter_modules(outcomes.__path__):
        module = importlib.import_module(f"outcomes.{info.name}")
        for value in vars(module).values():
            if not isinstance(value, type) or value.__module__ != module.__name__:
                continue
            if issubclass(value, django_filters.FilterSet) or (
                issubclass(value, forms.Form) and not issubclass(value, forms.ModelForm)
            ):
                yield value


def parameter_names(fields):
    names = set()
    for name, field in fields.items():
        suffixes = getattr(field.widget, "suffixes", None) or [""]
        names.update(f"{name}_{suffix}" if suffix else name for suffix in suffixes)
    return names


def query_parameters(endpoint):
    """The query parameters to attack on an endpoint: those of its own FilterSet or form if it declares one, those
    of every FilterSet and form of the project (views often build theirs in code), and common names."""
    view_class = getattr(endpoint.callback, "view_class", None)
    names = set(COMMON_PARAMETERS) | PROJECT_PARAMETERS
    for attribute in ("filterset_class", "form_class"):
        declared = getattr(view_class, attribute, None)
        if declared is not None:
            names |= parameter_names(form_fields(declared))
    return sorted(names)


def is_admin(chain):
    return bool(chain) and str(chain[0]) == settings.ADMIN_PATH


PROJECT_PARAMETERS = set().union(*(parameter_names(form_fields(cls)) for cls in project_forms()))
ENDPOINTS = list(leaf_patterns())
PUBLIC = [(chain, endpoint) for chain, endpoint in ENDPOINTS if not is_admin(chain)]
ADMIN = [(chain, endpoint) for chain, endpoint in ENDPOINTS if is_admin(chain)]


def endpoint_id(item):
    chain, _endpoint = item
    return "/" + "".join(str(p) for p in chain if not isinstance(p, LocalePrefixPattern))


def assert_safe(response, url, allowed=ALLOWED):
    """An expected status, and no markup from the URL in any body: HTML pages escape it, JSON answers write `<`,
    `>` and `&` as JSON escapes, plain-text and CSV answers escape or leave it out."""
    assert response.status_code in allowed, f"{response.status_code} for {url[:300]}"
    content = b"".join(response.streaming_content) if response.streaming else response.content
    body = content.decode("utf-8", errors="replace")
    assert SCRIPT not in body, f"unescaped script echoed by {url[:300]}"
    assert ATTRIBUTE_BREAKOUT not in body, f"unescaped attribute break-out echoed by {url[:300]}"
    content_type = response.get("Content-Type", "")
    if body and not content_type.startswith("text/html"):
        assert content_type.split(";")[0] in DATA_TYPES, f"{content_type} for {url[:300]}"
        assert response["X-Content-Type-Options"] == "nosniff", url[:300]


@pytest.fixture
def hostile_client():
    return Client(raise_request_exception=False)


@pytest.fixture
def some_content(make_entry, make_theme):
    """A published entry tagged everywhere, so that pages have rows to show while they are attacked."""
    from outcomes.models import Organisation

    entry = make_entry(countries=["SN", ("ES", "partner")], themes=[make_theme()])
    entry.organisations.add(Organisation.objects.create(slug="frontex", acronym="Frontex", name="Frontex"))
    return entry


def existing_page(client, chain, entry):
    """The path of the endpoint that shows one of the entry's objects (the endpoint itself if it takes none)."""
    if not has_parameters(chain):
        return f"/{''.join(str(p) for p in chain if not isinstance(p, LocalePrefixPattern))}"
    candidates = [entry.reference, entry.meeting.slug, entry.session.slug, "SN"]
    candidates += [theme.slug for theme in entry.themes.all()] + [o.slug for o in entry.organisations.all()]
    for value in candidates:
        path = next(path for path in fill(chain, value) if not path.startswith("/en/"))
        if client.get(path).status_code == 200:
            return path
    return None


def paths_with_hostile_values(chain):
    if not has_parameters(chain):
        return sorted(fill(chain, "x"))
    return sorted({path for value in HOSTILE_VALUES for path in fill(chain, encoded(value))})


def test_the_query_parameters_include_every_filter_of_the_explorer():
    assert {"q", "kind", "country", "role", "theme", "organisation", "meeting", "session", "sort"} <= PROJECT_PARAMETERS
    assert {"page", "page_size"} <= PROJECT_PARAMETERS


def test_the_walk_finds_the_public_pages_and_the_admin():
    names = {endpoint.name for _chain, endpoint in PUBLIC}
    assert {"home", "meeting-detail", "entry-detail", "country-detail", "theme-detail"} <= names
    assert "set_language" in names
    assert ADMIN, "the admin URLs are walked too"
    entry_detail = next(item for item in PUBLIC if endpoint_id(item) == "/entries/<str:reference>/")
    assert fill(entry_detail[0], "GF-1") == {
        "/entries/GF-1/",
        "/en/entries/GF-1/",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("item", PUBLIC, ids=endpoint_id)
def test_public_paths_with_hostile_values_never_fail(hostile_client, some_content, item):
    chain, _endpoint = item
    for path in paths_with_hostile_values(chain):
        assert_safe(hostile_client.get(path), path)


@pytest.mark.django_db
@pytest.mark.parametrize("item", PUBLIC, ids=endpoint_id)
def test_public_query_parameters_with_hostile_values_never_fail(hostile_client, some_content, item):
    """Lists (no path parameter) get every value in every parameter; a detail page, which shows one object, gets
    every value in all its parameters at once and the script in each parameter alone."""
    chain, endpoint = item
    path = existing_page(hostile_client, chain, some_content)
    if path is None:
        path = sorted(fill(chain, "x"))[0]  # no page to show (a redirecting view): attack the URL it answers on
    parameters = query_parameters(endpoint)
    alone = QUERY_VALUES if not has_parameters(chain) else [SCRIPT]
    for name in parameters:
        for value in alone:
            url = f"{path}?{name}={encoded(value)}"
            assert_safe(hostile_client.get(url), url)
        repeated = f"{path}?{name}=1&{name}={encoded(SCRIPT)}&{name}=-1&{name}=%ff"
        assert_safe(hostile_client.get(repeated), repeated)
    for value in QUERY_VALUES:
        everything = f"{path}?" + "&".join(f"{name}={encoded(value)}" for name in parameters)
        assert_safe(hostile_client.get(everything), everything)


@pytest.mark.django_db
@pytest.mark.parametrize("item", PUBLIC, ids=endpoint_id)
def test_anonymous_posts_to_public_urls_change_nothing_and_never_fail(some_content, item):
    from outcomes.models import Entry

    chain, _endpoint = item
    before = list(Entry.objects.values_list("pk", "text", "status").order_by("pk"))
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    for path in sorted(fill(chain, "GF-1")):
        response = client.post(path, {"text": SCRIPT, "status": "draft", "language": SCRIPT})
        assert response.status_code in ALLOWED | {403}, f"{response.status_code} for POST {path}"
        assert SCRIPT not in response.content.decode("utf-8", errors="replace")
    assert list(Entry.objects.values_list("pk", "text", "status").order_by("pk")) == before


@pytest.mark.django_db
@pytest.mark.parametrize("item", ADMIN, ids=endpoint_id)
def test_admin_paths_with_hostile_values_never_fail_for_staff(hostile_client, admin_user, some_content, item):
    chain, _endpoint = item
    hostile_client.force_login(admin_user)
    for path in paths_with_hostile_values(chain):
        assert_safe(hostile_client.get(path), path, allowed=ALLOWED | {403})  # the autocomplete refuses bad fields


ADMIN_LIST_PARAMETERS = ["q", "o", "p", "all", "e", "_popup", "_to_field", "status__exact", "themes__id__exact"]
ADMIN_LIST_VALUES = ["99999999999999999999999999", "-1", "abc", "", "x" * 5000, "' OR 1=1--", SCRIPT, "%ff%fe", "%00"]


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["entry", "meeting", "session", "country", "theme", "organisation"])
def test_admin_lists_with_hostile_parameters_never_fail_for_staff(hostile_client, admin_user, some_content, model):
    hostile_client.force_login(admin_user)
    path = f"/{settings.ADMIN_PATH}outcomes/{model}/"
    for name in ADMIN_LIST_PARAMETERS:
        for value in ADMIN_LIST_VALUES:
            url = f"{path}?{name}={encoded(value)}"
            assert_safe(hostile_client.get(url), url)


def test_anonymous_visitors_are_sent_to_the_login_page_from_every_admin_url(db, hostile_client):
    for chain, endpoint in ADMIN:
        if endpoint.name in {"login", "logout", "password_reset", "javascript-catalog"}:
            continue
        for path in sorted(fill(chain, "1"))[:1]:
            response = hostile_client.get(path)
            assert response.status_code in {301, 302, 404}, f"{response.status_code} for {path}"
            if response.status_code == 302:
                assert f"/{settings.ADMIN_PATH}login/" in response["Location"], path


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/entries/%00/", "/en/countries/S%00/", "/admin/outcomes/entry/?q=%00", "/admin/outcomes/entry/?%00=1"]
)
def test_a_nul_character_in_the_url_is_a_bad_request(hostile_client, admin_user, url):
    hostile_client.force_login(admin_user)
    response = hostile_client.get(url.replace("/admin/", f"/{settings.ADMIN_PATH}"))
    assert response.status_code == 400
    assert response["Content-Security-Policy"]
