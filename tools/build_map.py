#!/usr/bin/env python3
"""Build outcomes/pictures/data/region.json, the country shapes of the map, from Natural Earth (public domain).

Development tooling: run it once when the region or the simplification changes, and commit its output. Its input
is the `world-atlas` TopoJSON from the npm registry (Natural Earth 1:50m, ISO 3166-1 numeric ids):

    cd /tmp && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    .venv/bin/python tools/build_map.py /tmp/package/countries-50m.json

Steps: decode the TopoJSON arcs; simplify each arc once (shared borders stay shared, so no gaps open between
neighbours); assemble each country's rings; clip them to the Rabat Process region (Europe, North, West and Central
Africa) in longitude/latitude; project them with a Lambert azimuthal equal-area projection centred on the region
(an equal-area projection, so that shaded areas compare fairly); round to whole units; write SVG path data with
relative commands, a bounding box, a label point and, for countries too small to see or to click, a dot.
"""

import argparse
import json
import math
from pathlib import Path

import pycountry

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "outcomes" / "pictures" / "data" / "region.json"

# Longitudes and latitudes kept: from Cabo Verde to the Caspian's west shore, from the DRC's south to North Cape.
WEST, EAST, SOUTH, NORTH = -26.0, 45.0, -15.0, 72.0
CENTRE_LON, CENTRE_LAT = 9.0, 29.0
WIDTH = 1600  # units across the whole region; the map frames a part of it
SIMPLIFY_DEGREES = 0.04  # Douglas-Peucker tolerance on each arc
MIN_RING_UNITS2 = 12.0  # rings smaller than this (projected area) are dropped, except a country's largest
DOT_BELOW_UNITS = 14  # a country whose shape is narrower and lower than this also gets a dot


def decode_arcs(topology):
    scale_x, scale_y = topology["transform"]["scale"]
    shift_x, shift_y = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)
    return arcs


def simplify(points, tolerance):
    """Douglas-Peucker, iterative; the end points stay (they are shared with the neighbouring arcs)."""
    if len(points) < 3:
        return points
    keep = {0, len(points) - 1}
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        length = math.hypot(x2 - x1, y2 - y1)
        worst, worst_distance = None, tolerance
        for index in range(first + 1, last):
            x, y = points[index]
            if length:
                distance = abs((x2 - x1) * (y1 - y) - (x1 - x) * (y2 - y1)) / length
            else:
                distance = math.hypot(x - x1, y - y1)
            if distance > worst_distance:
                worst, worst_distance = index, distance
        if worst is not None:
            keep.add(worst)
            stack += [(first, worst), (worst, last)]
    return [points[index] for index in sorted(keep)]


def ring_points(indices, arcs):
    points = []
    for index in indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def clip(ring, west=WEST, east=EAST, south=SOUTH, north=NORTH):
    """Sutherland-Hodgman against the region's longitude/latitude rectangle."""
    edges = [
        (lambda p: p[0] >= west, lambda a, b: cross_x(a, b, west)),
        (lambda p: p[0] <= east, lambda a, b: cross_x(a, b, east)),
        (lambda p: p[1] >= south, lambda a, b: cross_y(a, b, south)),
        (lambda p: p[1] <= north, lambda a, b: cross_y(a, b, north)),
    ]
    for inside, cross in edges:
        if not ring:
            break
        result = []
        for index, current in enumerate(ring):
            previous = ring[index - 1]
            if inside(current):
                if not inside(previous):
                    result.append(cross(previous, current))
                result.append(current)
            elif inside(previous):
                result.append(cross(previous, current))
        ring = result
    return ring


def cross_x(a, b, x):
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def cross_y(a, b, y):
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


def lambert(lon, lat):
    """Lambert azimuthal equal-area, on the unit sphere, centred on the region."""
    lam, phi = math.radians(lon - CENTRE_LON), math.radians(lat)
    phi0 = math.radians(CENTRE_LAT)
    k = math.sqrt(2 / (1 + math.sin(phi0) * math.sin(phi) + math.cos(phi0) * math.cos(phi) * math.cos(lam)))
    x = k * math.cos(phi) * math.sin(lam)
    y = k * (math.cos(phi0) * math.sin(phi) - math.sin(phi0) * math.cos(phi) * math.cos(lam))
    return x, -y  # SVG's y axis points down


def area(ring):
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True)) / 2


def centroid(ring):
    a = area(ring)
    if not a:
        xs, ys = zip(*ring, strict=True)
        return sum(xs) / len(xs), sum(ys) / len(ys)
    cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        factor = x1 * y2 - x2 * y1
        cx, cy = cx + (x1 + x2) * factor, cy + (y1 + y2) * factor
    return cx / (6 * a), cy / (6 * a)


def path_data(rings):
    """Rings of whole-unit points as compact SVG path data: an absolute move, then relative lines."""
    parts = []
    for ring in rings:
        (x0, y0), rest = ring[0], ring[1:]
        steps, (px, py) = [], (x0, y0)
        for x, y in rest:
            steps.append(f"{x - px} {y - py}".replace(" -", "-"))
            px, py = x, y
        parts.append(f"M{x0} {y0}l" + " ".join(steps) + "z")
    return "".join(parts)


def alpha_2(numeric):
    country = pycountry.countries.get(numeric=str(numeric).zfill(3)) if numeric else None
    return country.alpha_2 if country else None


def build(topology):
    arcs = [simplify(arc, SIMPLIFY_DEGREES) for arc in decode_arcs(topology)]
    corners = [lambert(lon, lat) for lon in (WEST, CENTRE_LON, EAST) for lat in (SOUTH, NORTH)]
    corners += [lambert(lon, lat) for lon in (WEST, EAST) for lat in range(int(SOUTH), int(NORTH) + 1)]
    min_x, max_x = min(x for x, _ in corners), max(x for x, _ in corners)
    min_y, max_y = min(y for _, y in corners), max(y for _, y in corners)
    scale = WIDTH / (max_x - min_x)
    height = math.ceil((max_y - min_y) * scale)

    def project(point):
        x, y = lambert(*point)
        return round((x - min_x) * scale), round((y - min_y) * scale)

    countries, background = {}, []
    for geometry in topology["objects"]["countries"]["geometries"]:
        polygons = {"Polygon": [geometry.get("arcs", [])], "MultiPolygon": geometry.get("arcs", [])}.get(
            geometry["type"], []
        )
        rings = []
        for polygon in polygons:
            for indices in polygon:
                clipped = clip(ring_points(indices, arcs))
                projected = []
                for point in map(project, clipped):
                    if not projected or projected[-1] != point:
                        projected.append(point)
                if len(projected) > 1 and projected[0] == projected[-1]:
                    projected.pop()
                if len(projected) >= 3:
                    rings.append(projected)
        if not rings:
            continue
        largest = max(rings, key=lambda ring: abs(area(ring)))
        rings = [ring for ring in rings if ring is largest or abs(area(ring)) >= MIN_RING_UNITS2]
        code = alpha_2(geometry.get("id"))
        if code is None:
            background.append(path_data(rings))
            continue
        xs = [x for ring in rings for x, _ in ring]
        ys = [y for ring in rings for _, y in ring]
        box = [min(xs), min(ys), max(xs), max(ys)]
        label = [round(value) for value in centroid(largest)]
        shape = {"d": path_data(rings), "box": box, "label": label}
        if box[2] - box[0] < DOT_BELOW_UNITS and box[3] - box[1] < DOT_BELOW_UNITS:
            shape["dot"] = [round((box[0] + box[2]) / 2), round((box[1] + box[3]) / 2)]
        countries[code] = shape
    return {
        "source": "Natural Earth 1:50m (public domain), via world-atlas 2.0.2 (ISC); built by tools/build_map.py",
        "projection": f"Lambert azimuthal equal-area centred on {CENTRE_LON}°E {CENTRE_LAT}°N",
        "width": WIDTH,
        "height": height,
        "background": "".join(background),
        "countries": dict(sorted(countries.items())),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("topojson", type=Path, help="world-atlas countries-50m.json")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    region = build(json.loads(args.topojson.read_text()))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(region, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"{len(region['countries'])} countries, {args.output.stat().st_size:,} bytes → {args.output}")


if __name__ == "__main__":
    main()
