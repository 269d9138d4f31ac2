"""The pictures (outcomes/pictures/) as template tags: `{% load pictures %}{% country_map %}`.

Each tag computes its picture from the published entries and renders it once per content version and language
(`cached_by_version`): a page shows a picture for the price of one cache read, and a publication shows at once."""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .. import tag_counts
from ..caching import cached_by_version
from ..filters import filter_key
from ..models import Entry
from ..pictures import charts, counts, network
from ..pictures.map import map_html, map_picture

register = template.Library()


def built(key, make_html):
    """The picture's HTML, made by `make_html()` once per content version and language."""
    return mark_safe(cached_by_version(f"picture:{key}", make_html))


def rendered(key, template_name, compute):
    return built(key, lambda: render_to_string(template_name, compute()))


def rendered_map(key, compute):
    return built(key, lambda: map_html(compute()))


def rendered_bars(key, compute):
    return built(key, lambda: charts.bars_html(compute()))


def published_counts():
    return cached_by_version("picture-data:country-counts", counts.country_counts)


@register.simple_tag
def country_map():
    """Every country shaded by its number of published entries."""

    def compute():
        found = published_counts()
        return map_picture(found, found, "map-countries", _("Entrées publiées par pays"))

    return rendered_map("country-map", compute)


@register.simple_tag
def explorer_map(filterset, facets):
    """The countries of the explorer's entries under every filter but the country one: the counts of its country
    facet (`facets`, as the explorer computed them), all of them."""
    if not filterset.is_valid():
        return ""

    def compute():
        chosen = {country.code for country in filterset.data_cleaned.get("country") or []}
        title = _("Entrées par pays, selon les autres filtres choisis")
        found = facets["country"].counts
        return map_picture(found, published_counts(), "map-explorer", title, chosen)

    return rendered_map(f"explorer-map:{filter_key(filterset)}", compute)


@register.simple_tag
def country_network(country):
    def compute():
        partners = counts.partner_roles(country)
        return network.country_network(country, partners, "network-country") if partners else None

    return built(f"country-network:{country.pk}", lambda: network.country_network_html(compute()))


@register.simple_tag
def partnership_network():
    def compute():
        pairs = counts.partnerships()
        return {"picture": network.partnership_network(pairs, "network-partnerships") if pairs else None}

    return rendered("partnership-network", "includes/pictures/partnerships.html", compute)


@register.simple_tag
def theme_chart(themes):
    """Entries by kind per theme, from the themes index's own counts (`n_<kind>` on each theme)."""

    def compute():
        rows = [
            charts.row(theme.name, {kind: getattr(theme, f"n_{kind}") for kind in Entry.Kind.values},
                       theme.get_absolute_url())
            for theme in sorted(themes, key=lambda theme: -theme.n_total)
        ]  # fmt: skip
        title = _("Entrées par type, pour chaque thème")
        return bars(rows, "chart-themes", title, _("thème"))

    return rendered_bars("theme-chart", compute)


@register.simple_tag
def theme_meetings_chart(theme):
    """The theme's entries by kind, meeting after meeting (or year after year)."""

    def compute():
        rows, what = rows_over_time(f"t:{theme.pk}", Entry.objects.published().filter(themes=theme))
        title = _("Entrées du thème par type, au fil des réunions")
        return bars(rows, "chart-theme-meetings", title, what) if len(rows) else None

    return rendered_bars(f"theme-meetings-chart:{theme.pk}", compute)


@register.simple_tag
def session_chart(meeting, sessions):
    """The meeting's entries by kind, session by session (a sub-heading counts in its session)."""

    def compute():
        by_session = counts.kinds_by(Entry.objects.published().filter(meeting=meeting), "session_id")
        rows = charts.by_top_session(by_session, sessions)
        return bars(rows, "chart-sessions", _("Entrées par type, pour chaque session"), _("session"))

    return rendered_bars(f"session-chart:{meeting.pk}", compute)


@register.simple_tag
def meetings_chart():
    """Entries by kind, meeting after meeting (or year after year) in date order; only with several meetings."""

    def compute():
        rows, what = rows_over_time(None, Entry.objects.published())
        if len(rows) < 2:
            return None
        return bars(rows, "chart-meetings", _("Entrées par type, au fil des réunions"), what)

    return rendered_bars("meetings-chart", compute)


def rows_over_time(tag, entries):
    """(rows, what a row is) of `entries` by kind over time: on PostgreSQL from the kept counts of `tag` (None: all
    published entries) by year, or by meeting when they are few; on SQLite counted on `entries`."""
    years, by_meeting = tag_counts.over_time(tag, charts.MEETINGS_ONE_BY_ONE) or (None, None)
    if years is not None:
        return charts.by_year(years)
    if by_meeting is None:
        by_meeting = counts.kinds_by(entries, "meeting_id")
    return charts.over_time(by_meeting)


def bars(rows, picture_id, title, what):
    return charts.stacked_bars(rows, picture_id, title, charts.description_of(rows, what), what)
