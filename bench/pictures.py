#!/usr/bin/env python3
"""How long each picture (outcomes/pictures/) takes to compute and to serve from the cache, in-process, against the
database of DATABASE_URL (fill it first: `manage.py generate_synthetic --entries N`). Issue 16 asks each picture to
add less than 30 ms to its page at 100,000 entries; a picture is computed once per content version (cold), then read
from the cache (warm) by every request until the content changes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rabatkb_bench .venv/bin/python bench/pictures.py
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rabatkb.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from outcomes.filters import EntryFilter  # noqa: E402
from outcomes.models import Country, Entry, Meeting, Session, Theme  # noqa: E402
from outcomes.queries import themes_with_counts  # noqa: E402
from outcomes.templatetags import pictures  # noqa: E402

RUNS = 5


def cases():
    meeting = Meeting.objects.published().annotate(n=Count("entries")).order_by("-n").first()
    theme = Theme.objects.annotate(n=Count("entries")).order_by("-n").first()
    sessions = list(Session.objects.filter(meeting=meeting).order_by("order"))
    senegal, themes = Country.objects.get(code="SN"), themes_with_counts()
    explorer = EntryFilter.published(QueryDict(f"kind=good_practice&theme={theme.slug}"))
    explorer_facets = explorer.facets()  # computed by the explorer page anyway
    return {
        "map (home, countries)": pictures.country_map,
        "map (explorer, kind + theme)": lambda: pictures.explorer_map(explorer, explorer_facets),
        "network (country SN)": lambda: pictures.country_network(senegal),
        "network (partnerships)": pictures.partnership_network,
        "chart (themes index)": lambda: pictures.theme_chart(themes),
        "chart (theme page)": lambda: pictures.theme_meetings_chart(theme),
        "chart (meeting sessions)": lambda: pictures.session_chart(meeting, sessions),
        "chart (meetings over time)": pictures.meetings_chart,
    }


def timed(draw):
    started = time.perf_counter()
    draw()
    return (time.perf_counter() - started) * 1000


def main():
    print(f"{Entry.objects.published().count():,} published entries\n")
    print("| picture | cold ms (median of 5) | queries cold | warm ms (median of 5) | HTML KB |")
    print("|---|---:|---:|---:|---:|")
    for name, draw in cases().items():
        cold = []
        for _ in range(RUNS):
            cache.clear()
            cold.append(timed(draw))
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            html = draw()
        warm = [timed(draw) for _ in range(RUNS)]
        print(
            f"| {name} | {statistics.median(cold):.1f} | {len(queries)} | {statistics.median(warm):.2f} | "
            f"{len(html.encode()) / 1024:.0f} |"
        )


if __name__ == "__main__":
    main()
