"""Who works with whom: a country and the countries named with it, and the partnerships of the whole base.

Both are drawn on a circle (the country at the centre for the first), line width for the number of entries,
each line a link to the explorer filtered on the pair."""

import math
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
