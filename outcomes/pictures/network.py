"""Who works with whom: a country and the countries named with it, and the partnerships of the whole base.

Both are drawn on a circle (the country at the centre for the first), line width for the number of entries,
each line a link to the explorer filtered on the pair."""

import math
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..cards import format_html
from ..models import Country, EntryCountry
from ..queries import sort_key
from . import style

MAX_PARTNERS = 12  # around a country; the page's list beside the picture names them all
MAX_NODES = 14  # in the whole base's network
MAX_LINES = 30
WIDTH, HEIGHT = 600, 440  # wider than high: the labels stand left and right of the circle
MAX_LINE_WIDTH = 9
LABEL_CHARACTERS = 13


def pair_url(first, second):
    """The explorer on the entries naming both countries (`country_match=all`), as the line between them counts."""
    query = urlencode([("country", first), ("country", second), ("country_match", "all")])
    return f"{reverse('outcomes:entry-list')}?{query}"


def short(name, limit=LABEL_CHARACTERS):
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def line_width(n, largest):
    return round(1.5 + (MAX_LINE_WIDTH - 1.5) * math.sqrt(n / largest), 1) if largest else 1.5


def on_circle(index, total, radius):
    """A point of the circle, the first at the top, clockwise; its label's anchor faces outwards."""
    angle = -math.pi / 2 + 2 * math.pi * index / max(total, 1)
    cx, cy = WIDTH / 2, HEIGHT / 2
    x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
    anchor = "middle" if abs(math.cos(angle)) < 0.3 else ("start" if math.cos(angle) > 0 else "end")
    label_radius = radius + 20
    lx, ly = cx + label_radius * math.cos(angle), cy + label_radius * math.sin(angle)
    ly += 14 if math.sin(angle) > 0.7 else (-4 if math.sin(angle) < -0.7 else 4)
    return {"x": round(x, 1), "y": round(y, 1), "lx": round(lx, 1), "ly": round(ly, 1), "anchor": anchor}


def main_role(roles):
    """The role a partner plays most often in the shared entries (implementing first on a tie)."""
    order = list(EntryCountry.Role.values)
    return max(roles, key=lambda role: (roles[role], -order.index(role)))


def role_legend():
    return [
        {"role": role, "label": label, "colour": style.ROLE_STYLES[role].colour, "dash": style.ROLE_STYLES[role].dash}
        for role, label in EntryCountry.Role.choices
    ]


def country_network(country, roles_by_partner, picture_id):
    """The template context of `country` at the centre and its partners around it."""
    totals = {code: sum(roles.values()) for code, roles in roles_by_partner.items()}
    partners = {c.code: c for c in Country.objects.filter(code__in=totals)}
    ranked = sorted(partners.values(), key=lambda c: (-totals[c.code], sort_key(c.name)))
    shown = ranked[:MAX_PARTNERS]
    largest = totals[shown[0].code] if shown else 0
    role_labels = dict(EntryCountry.Role.choices)
    nodes, table = [], []
    for index, partner in enumerate(ranked):
        roles = roles_by_partner[partner.code]
        role = main_role(roles)
        row = {
            "name": partner.name,
            "url": partner.get_absolute_url(),
            "pair_url": pair_url(country.code, partner.code),
            "count": totals[partner.code],
            "roles": [(role_labels[r], roles.get(r, 0)) for r in EntryCountry.Role.values],
        }
        table.append(row)
        if index >= MAX_PARTNERS:
            continue
        nodes.append(
            {
                **row,
                **on_circle(index, len(shown), HEIGHT / 2 - 70),
                "code": partner.code,
                "label": short(partner.name),
                "role": role,
                "colour": style.ROLE_STYLES[role].colour,
                "dash": style.ROLE_STYLES[role].dash,
                "width": line_width(totals[partner.code], largest),
                "description": ngettext(
                    "%(first)s et %(second)s : %(count)s entrée en commun ; %(second)s y est surtout : %(role)s",
                    "%(first)s et %(second)s : %(count)s entrées en commun ; %(second)s y est surtout : %(role)s",
                    totals[partner.code],
                )
                % {"first": country.name, "second": partner.name, "count": totals[partner.code],
                   "role": role_labels[role].lower()},
            }
        )  # fmt: skip
    return {
        "id": picture_id,
        "title": _("%(name)s et les pays cités avec lui") % {"name": country.name},
        "description": ngettext(
            "%(name)s au centre, %(shown)s pays cité avec lui autour ; l'épaisseur du trait dit le nombre "
            "d'entrées en commun, sa couleur et son tracé le rôle du partenaire.",
            "%(name)s au centre, les %(shown)s pays les plus souvent cités avec lui autour ; l'épaisseur du trait "
            "dit le nombre d'entrées en commun, sa couleur et son tracé le rôle du partenaire.",
            len(shown),
        )
        % {"name": country.name, "shown": len(shown)},
        "width": WIDTH,
        "height": HEIGHT,
        "centre": {"x": WIDTH / 2, "y": HEIGHT / 2, "code": country.code, "label": short(country.name)},
        "nodes": nodes,
        "legend": role_legend(),
        "table": table,
        "hidden": len(ranked) - len(shown),
    }


def partnership_network(pairs, picture_id):
    """The template context of the whole base's network: implementing country ↔ partner country."""
    involvement = {}
    for (first, second), n in pairs.items():
        involvement[first] = involvement.get(first, 0) + n
        involvement[second] = involvement.get(second, 0) + n
    countries = {c.code: c for c in Country.objects.filter(code__in=involvement)}
    ranked = sorted(countries.values(), key=lambda c: (-involvement[c.code], sort_key(c.name)))[:MAX_NODES]
    # Around the circle in alphabetical order, so that a reader finds a country as in an index.
    placed = sorted(ranked, key=lambda c: sort_key(c.name))
    points = {c.code: on_circle(index, len(placed), HEIGHT / 2 - 60) for index, c in enumerate(placed)}
    undirected = {}
    for (first, second), n in pairs.items():
        if first in points and second in points:
            key = tuple(sorted((first, second)))
            undirected[key] = undirected.get(key, 0) + n
    strongest = sorted(undirected.items(), key=lambda item: (-item[1], item[0]))[:MAX_LINES]
    largest = strongest[0][1] if strongest else 0
    lines = []
    for (first, second), n in reversed(strongest):  # the thickest drawn last, on top
        a, b = countries[first], countries[second]
        lines.append(
            {
                "x1": points[first]["x"],
                "y1": points[first]["y"],
                "x2": points[second]["x"],
                "y2": points[second]["y"],
                "width": line_width(n, largest),
                "url": pair_url(first, second),
                "description": ngettext(
                    "%(first)s et %(second)s : %(count)s entrée où l'un met en œuvre et l'autre est partenaire",
                    "%(first)s et %(second)s : %(count)s entrées où l'un met en œuvre et l'autre est partenaire",
                    n,
                )
                % {"first": a.name, "second": b.name, "count": n},
            }
        )
    nodes = [
        {**points[c.code], "code": c.code, "label": short(c.name), "name": c.name, "url": c.get_absolute_url(),
         "count": involvement[c.code]}
        for c in placed
    ]  # fmt: skip
    table = [
        {"first": countries[first].name, "second": countries[second].name, "count": n, "url": pair_url(first, second)}
        for (first, second), n in strongest
    ]
    return {
        "id": picture_id,
        "title": _("Partenariats : pays qui met en œuvre et pays partenaire"),
        "description": _(
            "Les %(n)s pays les plus engagés dans des partenariats, autour d'un cercle par ordre alphabétique ; un "
            "trait relie deux pays quand l'un met en œuvre et l'autre est partenaire dans une même entrée, plus "
            "épais quand ils le sont dans plus d'entrées."
        )
        % {"n": len(nodes)},
        "width": WIDTH,
        "height": HEIGHT,
        "nodes": nodes,
        "lines": lines,
        "colour": style.ROLE_STYLES[EntryCountry.Role.IMPLEMENTING].colour,
        "table": table,
    }


def country_network_html(picture):
    """The figure of country_network()'s context (SVG, legend, the numbers as a table): built in Python, as the map
    is; through the template engine its lines, labels and table cost a country page more than counting them."""
    if not picture:
        return "\n\n"
    p, centre = picture, picture["centre"]
    nodes = "".join(
        format_html(
            '<a class="network__link" href="{}" aria-label="{}">\n      <title>{}</title>\n'
            '      <line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="{}"{} stroke-linecap="butt"/>\n'
            '      <circle cx="{}" cy="{}" r="15" fill="#ffffff" stroke="{}" stroke-width="2"/>\n'
            '      <text class="network__code" x="{}" y="{}" dy="4" font-size="11" text-anchor="middle" '
            'aria-hidden="true">{}</text>\n'
            '      <text class="network__label" x="{}" y="{}" font-size="12" text-anchor="{}" aria-hidden="true">'
            "{} · {}</text>\n    </a>\n    ",
            n["pair_url"], n["description"], n["description"],
            centre["x"], centre["y"], n["x"], n["y"], n["colour"], n["width"], dash(n["dash"]),
            n["x"], n["y"], n["colour"],
            n["x"], n["y"], n["code"],
            n["lx"], n["ly"], n["anchor"], n["label"], n["count"],
        )
        for n in p["nodes"]
    )  # fmt: skip
    legend = "".join(
        format_html(
            '<li><svg class="picture__swatch picture__swatch--line" viewBox="0 0 32 16" aria-hidden="true">'
            '<line x1="0" y1="8" x2="32" y2="8" stroke="{}" stroke-width="4"{}/></svg> {}</li>',
            item["colour"], dash(item["dash"]), item["label"],
        )
        for item in p["legend"]
    )  # fmt: skip
    hidden = ""
    if p["hidden"]:
        note = ngettext("Et %(counter)s autre pays, dans la table.", "Et %(counter)s autres pays, dans la table.",
                        p["hidden"]) % {"counter": p["hidden"]}  # fmt: skip
        hidden = format_html('<p class="picture__note">{}</p>', note)
    roles = p["table"][0]["roles"] if p["table"] else []
    rows = "".join(
        format_html(
            '<tr><th scope="row"><a href="{}">{}</a></th><td class="num"><a href="{}">{}</a></td>{}</tr>',
            row["url"], row["name"], row["pair_url"], row["count"],
            mark_safe("".join(format_html('<td class="num">{}</td>', n) for _label, n in row["roles"])),
        )
        for row in p["table"]
    )  # fmt: skip
    return format_html(
        '<figure class="picture picture--network" aria-labelledby="{id}-caption">\n'
        '  <figcaption class="picture__caption" id="{id}-caption">{title}</figcaption>\n'
        '  <svg class="picture__svg network" viewBox="0 0 {width} {height}" role="group" '
        'aria-labelledby="{id}-title" aria-describedby="{id}-desc">\n'
        '    <title id="{id}-title">{title}</title>\n'
        '    <desc id="{id}-desc">{description}</desc>\n'
        "    {nodes}\n"
        '    <g aria-hidden="true">\n'
        '      <circle cx="{x}" cy="{y}" r="24" fill="#0a4f8c"/>\n'
        '      <text class="network__centre" x="{x}" y="{y}" dy="5" font-size="14" text-anchor="middle" '
        'fill="#ffffff">{code}</text>\n'
        "    </g>\n"
        "  </svg>\n"
        '  <ul class="picture__legend" aria-label="{legend_label}">\n'
        "    {legend}\n"
        "  </ul>\n"
        "  {hidden}\n"
        '  <details class="picture__table">\n'
        "    <summary>{table_label}</summary>\n"
        "    <table>\n"
        '      <caption class="visually-hidden">{title}</caption>\n'
        '      <thead><tr><th scope="col">{country}</th><th scope="col" class="num">{together}</th>{roles}</tr>'
        "</thead>\n"
        "      <tbody>{rows}</tbody>\n"
        "    </table>\n"
        "  </details>\n"
        "</figure>\n\n",
        **style.figure_values(p),
        nodes=mark_safe(nodes),
        x=centre["x"],
        y=centre["y"],
        code=centre["code"],
        legend_label=_("Légende : rôle du pays partenaire"),
        legend=mark_safe(legend),
        hidden=hidden,
        table_label=_("Les nombres, en table"),
        country=_("Pays"),
        together=_("Entrées en commun"),
        roles=mark_safe("".join(format_html('<th scope="col" class="num">{}</th>', label) for label, _n in roles)),
        rows=mark_safe(rows),
    )


def dash(value):
    return format_html(' stroke-dasharray="{}"', value) if value else ""
