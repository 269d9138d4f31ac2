"""Stacked bars of entries by kind: per theme, per session of a meeting, per meeting (or year) over time.

One bar per row, its label above it and its total at its end, each kind a segment with its colour and pattern
(style.KIND_STYLES) in the order of Entry.Kind, so that a reader who cannot tell the colours apart still can."""

from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..cards import format_html
from ..links import object_url
from ..models import Entry, Meeting
from . import style

WIDTH = 360  # units; the text is sized so that it stays readable on a phone
BAR_HEIGHT = 14
ROW_HEIGHT = 40  # a label line, the bar, a gap
TOTAL_SPACE = 34  # at the end of the longest bar, for its total
MAX_ROWS = 30
LABEL_CHARACTERS = 54
MEETINGS_ONE_BY_ONE = 12  # more meetings than this are drawn a year per bar


def row(label, counts, url=None):
    """One bar: `counts` is {kind: n}."""
    return {"label": label, "url": url, "counts": counts}


def stacked_bars(rows, picture_id, title, description, row_heading=""):
    """The template context of a chart of `rows` (from row()), in their order; rows without entries are left out."""
    rows = [r for r in rows if sum(r["counts"].values())][:MAX_ROWS]
    largest = max((sum(r["counts"].values()) for r in rows), default=0)
    scale = (WIDTH - TOTAL_SPACE) / largest if largest else 0
    kinds_used = {kind for r in rows for kind, n in r["counts"].items() if n}
    labels = dict(Entry.Kind.choices)
    bars = []
    for index, r in enumerate(rows):
        top, x, segments = index * ROW_HEIGHT, 0.0, []
        for kind in Entry.Kind.values:
            n = r["counts"].get(kind, 0)
            if not n:
                continue
            width = n * scale
            segments.append(
                {"kind": kind, "label": labels[kind], "count": n, "x": round(x, 2), "width": round(width, 2)}
            )
            x += width
        label = r["label"] if len(r["label"]) <= LABEL_CHARACTERS else r["label"][: LABEL_CHARACTERS - 1] + "…"
        bars.append(
            {
                "label": label,
                "full_label": r["label"],
                "url": r["url"],
                "total": sum(r["counts"].values()),
                "text_y": top + 12,
                "bar_y": top + 17,
                "end": round(x + 4, 2),
                "total_y": top + 17 + BAR_HEIGHT - 3,
                "segments": segments,
                "counts": [r["counts"].get(kind, 0) for kind in Entry.Kind.values if kind in kinds_used],
            }
        )
    kinds = [
        {"kind": kind, "label": labels[kind], **vars(style.KIND_STYLES[kind])}
        for kind in Entry.Kind.values
        if kind in kinds_used
    ]
    return {
        "id": picture_id,
        "title": title,
        "description": description,
        "row_heading": row_heading,
        "width": WIDTH,
        "height": len(bars) * ROW_HEIGHT,
        "bar_height": BAR_HEIGHT,
        "bars": bars,
        "kinds": kinds,
    }


def description_of(rows, what):
    """A sentence a screen reader reads before the table: how many bars, and the largest."""
    rows = [r for r in rows if sum(r["counts"].values())]
    if not rows:
        return _("Aucune entrée publiée.")
    top = max(rows, key=lambda r: sum(r["counts"].values()))
    return _(
        "Barres empilées : une barre par %(what)s (%(n)s), découpée par type d'entrée ; la plus longue est « "
        "%(label)s » avec %(total)s entrées. La table ci-dessous donne tous les nombres."
    ) % {"what": what, "n": len(rows), "label": top["label"], "total": sum(top["counts"].values())}


def by_top_session(by_session, sessions):
    """Rows of counts by kind, one per top-level session of `sessions` (in their order), each with the counts of
    its sub-headings; `by_session` is {session id: {kind: n}}."""
    parents = {session.pk: session.parent_id for session in sessions}
    totals = {}
    for session_id, kinds in by_session.items():
        while parents.get(session_id):
            session_id = parents[session_id]
        for kind, n in kinds.items():
            totals.setdefault(session_id, {}).setdefault(kind, 0)
            totals[session_id][kind] += n
    return [
        row(session.title, totals.get(session.pk, {}), f"#{session.anchor}")
        for session in sessions
        if session.parent_id is None
    ]


def over_time(by_meeting):
    """Rows of counts by kind in date order, the undated last: a meeting per row, or a year per row when there
    are many meetings. Returns (rows, what a row is)."""
    # Their fields, not objects: up to thousands of meetings are counted a year per bar.
    newest_first = Meeting.objects.published().filter(pk__in=by_meeting).newest_first()
    newest_first = list(newest_first.values_list("pk", "slug", "title", "start_date"))
    dated = [meeting for meeting in newest_first if meeting[3]]
    meetings = [*reversed(dated), *[meeting for meeting in newest_first if not meeting[3]]]
    if len(meetings) <= MEETINGS_ONE_BY_ONE:
        rows = [
            row(
                f"{date.year} · {title}" if date else title, by_meeting[pk], object_url("outcomes:meeting-detail", slug)
            )
            for pk, slug, title, date in meetings
        ]
        return rows, _("réunion")
    years = {}
    for pk, _slug, _title, date in meetings:
        year = years.setdefault(date.year if date else None, {"meetings": 0, "counts": {}})
        year["meetings"] += 1
        for kind, n in by_meeting[pk].items():
            year["counts"][kind] = year["counts"].get(kind, 0) + n
    return by_year(years)


def by_year(years):
    """Rows of counts by kind a year per row, in date order, the undated last; `years` is {year or None:
    {"meetings": number of meetings, "counts": {kind: n}}}. Returns (rows, what a row is)."""
    rows = []
    for year, found in sorted(years.items(), key=lambda item: (item[0] is None, item[0] or 0)):
        named = str(year) if year else _("Sans date")
        label = ngettext("%(year)s (%(n)s réunion)", "%(year)s (%(n)s réunions)", found["meetings"]) % {
            "year": named,
            "n": found["meetings"],
        }
        rows.append(row(label, found["counts"]))
    return rows, _("année")


def bars_html(picture):
    """The chart's figure (SVG, legend, the numbers as a table) for the context stacked_bars() made: built in Python,
    as the map is; through the template engine its few hundred segments and cells cost more than counting them."""
    if not picture or not picture["bars"]:
        return "\n\n"
    p, pid = picture, picture["id"]
    patterns = "".join(
        format_html(
            '<pattern id="{}-{}" patternUnits="userSpaceOnUse" width="8" height="8"><rect width="8" height="8" '
            'fill="{}"/>{}</pattern>',
            pid,
            kind["kind"],
            kind["colour"],
            format_html(
                '<path d="{}" fill="none" stroke="#ffffff" stroke-width="1.5" stroke-opacity="0.8"/>', kind["pattern"]
            )
            if kind["pattern"]
            else "",
        )
        for kind in p["kinds"]
    )
    rows = []
    for bar in p["bars"]:
        title = format_html("<title>{}</title>", bar["full_label"]) if bar["label"] != bar["full_label"] else ""
        label = (
            format_html(
                '<a href="{}"><text class="bars__label bars__label--link" x="0" y="{}" font-size="12">{}{}</text></a>',
                bar["url"], bar["text_y"], bar["label"], title,
            )
            if bar["url"]
            else format_html(
                '<text class="bars__label" x="0" y="{}" font-size="12">{}</text>', bar["text_y"], bar["label"]
            )
        )  # fmt: skip
        segments = "".join(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="url(#{}-{})" stroke="#ffffff" stroke-width="0.75">'
                "<title>{} : {}</title></rect>",
                s["x"], bar["bar_y"], s["width"], p["bar_height"], pid, s["kind"], s["label"], s["count"],
            )
            for s in bar["segments"]
        )  # fmt: skip
        rows.append(
            format_html(
                '<g class="bars__row">\n      {}\n      {}\n      <text class="bars__total" x="{}" y="{}" '
                'font-size="11" aria-hidden="true">{}</text>\n    </g>\n    ',
                label, mark_safe(segments), bar["end"], bar["total_y"], bar["total"],
            )
        )  # fmt: skip
    legend = "".join(
        format_html(
            '<li><svg class="picture__swatch" viewBox="0 0 16 16" aria-hidden="true"><rect width="16" height="16" '
            'fill="url(#{}-{})"/></svg> {}</li>',
            pid, kind["kind"], kind["label"],
        )
        for kind in p["kinds"]
    )  # fmt: skip
    head = "".join(format_html('<th scope="col" class="num">{}</th>', kind["label"]) for kind in p["kinds"])
    body = "".join(
        format_html(
            '<tr><th scope="row">{}</th>{}<td class="num">{}</td></tr>',
            format_html('<a href="{}">{}</a>', bar["url"], bar["full_label"]) if bar["url"] else bar["full_label"],
            mark_safe("".join(format_html('<td class="num">{}</td>', n) for n in bar["counts"])),
            bar["total"],
        )
        for bar in p["bars"]
    )
    return format_html(
        '<figure class="picture picture--bars" aria-labelledby="{id}-caption">\n'
        '  <figcaption class="picture__caption" id="{id}-caption">{title}</figcaption>\n'
        '  <svg class="picture__svg bars" viewBox="0 0 {width} {height}" role="group" aria-labelledby="{id}-title" '
        'aria-describedby="{id}-desc">\n'
        '    <title id="{id}-title">{title}</title>\n'
        '    <desc id="{id}-desc">{description}</desc>\n'
        "    <defs>{patterns}</defs>\n"
        "    {rows}\n"
        "  </svg>\n"
        '  <ul class="picture__legend" aria-label="{legend_label}">\n'
        "    {legend}\n"
        "  </ul>\n"
        '  <details class="picture__table">\n'
        "    <summary>{table_label}</summary>\n"
        '    <div class="picture__scroll" tabindex="0" role="region" aria-label="{title}">\n'
        "    <table>\n"
        '      <caption class="visually-hidden">{title}</caption>\n'
        '      <thead><tr><th scope="col">{row_heading}</th>{head}'
        '<th scope="col" class="num">{total}</th></tr></thead>\n'
        "      <tbody>{body}</tbody>\n"
        "    </table>\n"
        "    </div>\n"
        "  </details>\n"
        "</figure>\n\n",
        **style.figure_values(p),
        patterns=mark_safe(patterns),
        rows=mark_safe("".join(rows)),
        legend_label=_("Légende : types d’entrée"),
        legend=mark_safe(legend),
        table_label=_("Les nombres, en table"),
        row_heading=capfirst(p["row_heading"]),
        head=mark_safe(head),
        total=_("Total"),
        body=mark_safe(body),
    )
