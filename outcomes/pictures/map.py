"""The map of the Rabat Process region, each country shaded by its number of entries.

The shapes come from data/region.json (see tools/build_map.py and LICENSE-region.md), in projected units. The
map is framed on the countries the knowledge base names (not on the whole region), and only the shapes inside
the frame are sent."""

import functools
import json
from pathlib import Path

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..caching import held_objects, memoized_by_version
from ..cards import format_html
from ..models import Country
from ..queries import sort_key
from . import style

REGION_FILE = Path(__file__).parent / "data" / "region.json"
PADDING = 0.06  # of the frame's size, around the named countries
MIN_FRAME = 320  # units: a knowledge base naming one small country still shows its neighbours
ASPECT = (0.8, 1.5)  # width / height, so the map neither towers on a phone nor lies flat on a desktop
LABEL_MIN_WIDTH = 1 / 16  # of the frame's width: countries narrower than that get no printed count


@functools.cache
def region():
    """The region's shapes; their path data (numbers and letters) marked safe once, not escaped on every map."""
    data = json.loads(REGION_FILE.read_text(encoding="utf-8"))
    data["background"] = mark_safe(escape(data["background"]))
    for shape in data["countries"].values():
        shape["d"] = mark_safe(escape(shape["d"]))
    return data


def named_countries():
    """{code: (name, URL, sort key)} of every country, held for the content version and language."""
    return memoized_by_version(
        "map-names",
        lambda: {
            code: (c.name, c.get_absolute_url(), sort_key(c.name))
            for code, (_position, c) in held_objects(Country).items()
        },
    )


def frame(codes):
    """(x, y, width, height): the part of the region that shows every country of `codes` that it holds."""
    shapes = region()["countries"]
    boxes = [shapes[code]["box"] for code in codes if code in shapes]
    if not boxes:
        return 0, 0, region()["width"], region()["height"]
    x0, y0 = min(box[0] for box in boxes), min(box[1] for box in boxes)
    x1, y1 = max(box[2] for box in boxes), max(box[3] for box in boxes)
    width, height = max(x1 - x0, MIN_FRAME), max(y1 - y0, MIN_FRAME)
    width, height = width * (1 + 2 * PADDING), height * (1 + 2 * PADDING)
    width = max(width, height * ASPECT[0])
    height = max(height, width / ASPECT[1])
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return round(cx - width / 2), round(cy - height / 2), round(width), round(height)


def overlaps(box, view):
    x, y, width, height = view
    return box[0] < x + width and box[2] > x and box[1] < y + height and box[3] > y


def map_picture(counts, framed_on, picture_id, title, chosen=()):
    """The template context of a map: `counts` {code: n} shades the countries, `framed_on` (codes) frames it."""
    shapes = region()["countries"]
    view = frame(framed_on)
    bounds = style.shade_bounds(max(counts.values(), default=0))
    shades = style.shades_for(bounds)
    every = named_countries()
    named = {code: every[code] for code, n in counts.items() if n and code in every}
    font = round(view[2] / 48, 1)
    drawn, linked = [], []
    for code, shape in shapes.items():
        if not overlaps(shape["box"], view):
            continue
        count = counts.get(code, 0)
        if not count or code not in named:
            drawn.append({"d": shape["d"]})
            continue
        index = style.shade_class(count, bounds)
        fill, ink = shades[index]
        name, url, _sort = named[code]
        label = None
        if "dot" not in shape and shape["box"][2] - shape["box"][0] >= view[2] * LABEL_MIN_WIDTH:
            label = {"x": shape["label"][0], "y": shape["label"][1] + font / 3, "ink": ink}
        linked.append(
            {
                "code": code,
                "name": name,
                "url": url,
                "count": count,
                "d": shape["d"],
                "fill": fill,
                "label": label,
                "dot": shape.get("dot"),
                "chosen": code in chosen,
                "description": ngettext("%(name)s : %(count)s entrée", "%(name)s : %(count)s entrées", count)
                % {"name": name, "count": count},
            }
        )
    table = sorted(
        ({"name": name, "url": url, "count": counts[code], "on_map": code in shapes, "sort": sort}
         for code, (name, url, sort) in named.items()),
        key=lambda row: (-row["count"], row["sort"]),
    )  # fmt: skip
    largest = table[0] if table else None
    return {
        "id": picture_id,
        "title": title,
        "description": _(
            "Carte de l'Europe et de l'Afrique du Nord, de l'Ouest et centrale. %(n)s pays ont au moins une "
            "entrée ; le plus cité est %(name)s (%(count)s). Plus la teinte est foncée, plus il y a d'entrées ; "
            "le nombre est écrit sur les grands pays et la table ci-dessous donne tous les nombres."
        )
        % {"n": len(table), "name": largest["name"], "count": largest["count"]}
        if largest
        else _("Aucune entrée publiée ne cite de pays."),
        "viewbox": " ".join(str(value) for value in view),
        "stroke": round(view[2] / 900, 2),
        "dot_radius": round(view[2] / 140, 1),
        "font": font,
        "background": region()["background"],
        "unlinked": drawn,
        "linked": sorted(linked, key=lambda shape: shape["chosen"]),  # chosen outlines drawn last, on top
        "legend": [
            {"fill": fill, "label": label}
            for (fill, _ink), label in zip(shades, style.class_labels(bounds), strict=True)
        ],
        "no_entry": style.NO_ENTRY,
        "table": table,
        "off_map": [row for row in table if not row["on_map"]],
    }


def map_html(picture):
    """The map's figure (SVG, legend, the numbers as a table) for the context map_picture() made; built in Python:
    the explorer draws it for every question, and through the template engine its hundred shapes cost more than
    counting them."""
    if not picture["table"]:
        return ""
    p, stroke = picture, picture["stroke"]
    shapes = []
    for shape in p["linked"]:
        dot, label = shape["dot"], shape["label"]
        shapes.append(
            format_html(
                '<a class="map__country{}" href="{}" aria-label="{}">\n      <title>{}</title>\n'
                '      <path d="{}" fill="{}" stroke="#ffffff" stroke-width="{}" stroke-linejoin="round"/>\n'
                "      {}\n      {}\n    </a>\n    ",
                " map__country--chosen" if shape["chosen"] else "",
                shape["url"],
                shape["description"],
                shape["description"],
                shape["d"],
                shape["fill"],
                stroke,
                format_html(
                    '<circle cx="{}" cy="{}" r="{}" fill="{}" stroke="#1c232b" stroke-width="{}"/>',
                    dot[0],
                    dot[1],
                    p["dot_radius"],
                    shape["fill"],
                    stroke,
                )
                if dot
                else "",
                format_html(
                    '<text class="map__count" x="{}" y="{}" font-size="{}" text-anchor="middle" fill="{}" '
                    'aria-hidden="true">{}</text>',
                    label["x"],
                    label["y"],
                    p["font"],
                    label["ink"],
                    shape["count"],
                )
                if label
                else "",
            )
        )
    swatch = '<li><svg class="picture__swatch" viewBox="0 0 16 16" aria-hidden="true"><rect width="16" height="16" '
    legend = [format_html(swatch + 'fill="{}" stroke="#b9c2cc"/></svg> {}</li>\n    ', p["no_entry"], _("aucune"))]
    legend += [format_html(swatch + 'fill="{}"/></svg> {}</li>', item["fill"], item["label"]) for item in p["legend"]]
    off_map = "\n  "
    if p["off_map"]:
        places = ", ".join(
            format_html('<a href="{}">{}</a> ({})', r["url"], r["name"], r["count"]) for r in p["off_map"]
        )
        off_map = format_html('<p class="picture__note">{} {}</p>\n  ', _("Hors de la carte :"), mark_safe(places))
    rows = "".join(
        format_html('<tr><th scope="row"><a href="{}">{}</a></th><td class="num">{}</td></tr>', r["url"], r["name"],
                    r["count"])
        for r in p["table"]
    )  # fmt: skip
    return format_html(
        '<figure class="picture picture--map" aria-labelledby="{id}-caption">\n'
        '  <figcaption class="picture__caption" id="{id}-caption">{title}</figcaption>\n'
        '  <svg class="picture__svg map" viewBox="{viewbox}" role="group" aria-labelledby="{id}-title" '
        'aria-describedby="{id}-desc" preserveAspectRatio="xMidYMid meet">\n'
        '    <title id="{id}-title">{title}</title>\n'
        '    <desc id="{id}-desc">{description}</desc>\n'
        '    <g aria-hidden="true" fill="{no_entry}" stroke="#ffffff" stroke-width="{stroke}" '
        'stroke-linejoin="round">\n'
        '      <path d="{background}"/>\n'
        "      {unlinked}\n    </g>\n    {linked}\n  </svg>\n"
        '  <ul class="picture__legend" aria-label="{legend_label}">\n    {legend}\n  </ul>\n'
        "  {off_map}"
        '<details class="picture__table">\n    <summary>{table_label}</summary>\n    <table>\n'
        '      <caption class="visually-hidden">{title}</caption>\n'
        '      <thead><tr><th scope="col">{country}</th><th scope="col" class="num">{entries}</th></tr></thead>\n'
        "      <tbody>{rows}</tbody>\n    </table>\n  </details>\n"
        '  <p class="picture__credit">{credit}</p>\n</figure>\n\n',
        id=p["id"],
        title=p["title"],
        viewbox=p["viewbox"],
        description=p["description"],
        no_entry=p["no_entry"],
        stroke=stroke,
        background=p["background"],
        unlinked=mark_safe("".join(format_html('<path d="{}"/>', shape["d"]) for shape in p["unlinked"])),
        linked=mark_safe("".join(shapes)),
        legend_label=_("Légende : nombre d’entrées"),
        legend=mark_safe("".join(legend)),
        off_map=off_map,
        table_label=_("Les nombres, en table"),
        country=_("Pays"),
        entries=_("Entrées"),
        rows=mark_safe(rows),
        credit=mark_safe(  # our own words, as {% translate %} gives them
            _("Fond de carte : Natural Earth (domaine public). Les frontières n'engagent pas le Processus de Rabat.")
        ),
    )
