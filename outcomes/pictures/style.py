"""What the pictures look like: the shading classes of the map, the colour and pattern of each kind of entry, the
colour and dash of each country role. Each colour is paired with a cue that is not colour (a count printed on the
map, a pattern, a dash), so that no information is carried by colour alone."""

import math
from dataclasses import dataclass

from ..models import Entry, EntryCountry

INK, PAPER = "#1c232b", "#ffffff"

# Light to dark; a country with no entry is NO_ENTRY. The count printed over a shade uses the ink listed with it.
SHADES = [("#d4e4f3", INK), ("#9fc3e6", INK), ("#5c97cd", INK), ("#2a68a8", PAPER), ("#0a3f70", PAPER)]
NO_ENTRY = "#e9ebee"


@dataclass(frozen=True)
class KindStyle:
    colour: str
    pattern: str  # a path drawn in white over the colour, in an 8-unit square tile ("" = plain)


_DIAGONAL = "M-2 2l4-4M0 8l8-8M6 10l4-4"
KIND_STYLES = {
    Entry.Kind.OBJECTIVE: KindStyle("#2867a8", ""),
    Entry.Kind.EXPECTED_RESULT: KindStyle("#16786a", _DIAGONAL),
    Entry.Kind.KEY_POINT: KindStyle("#6a51a3", "M2 2h1v1h-1zM6 6h1v1h-1z"),
    Entry.Kind.POLICY: KindStyle("#6f6344", "M0 4h8"),
    Entry.Kind.GOOD_PRACTICE: KindStyle("#2f7a2a", "M-2 6l4 4M0 0l8 8M6-2l4 4"),
    Entry.Kind.CHALLENGE: KindStyle("#b1461a", "M0 0l8 8M8 0l-8 8"),
    Entry.Kind.RECOMMENDATION: KindStyle("#8a6100", "M4 0v8"),
    Entry.Kind.RESULT: KindStyle("#17708f", "M0 4h8M4 0v8"),
    Entry.Kind.FEEDBACK: KindStyle("#a3346b", "M0 6l2-4l2 4l2-4l2 4"),
}


@dataclass(frozen=True)
class RoleStyle:
    colour: str
    dash: str  # SVG stroke-dasharray ("" = solid)


ROLE_STYLES = {
    EntryCountry.Role.IMPLEMENTING: RoleStyle("#0a4f8c", ""),
    EntryCountry.Role.PARTNER: RoleStyle("#b1461a", "8 4"),
    EntryCountry.Role.MENTIONED: RoleStyle("#5a6470", "2 3"),
}


def nice_ceiling(value):
    """The smallest of 1, 2, 5, 10, 20, 50… that is at least `value`."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


CLASSES = len(SHADES)


def shade_bounds(largest, classes=CLASSES):
    """The upper bounds of the shading classes for counts from 1 to `largest`, ascending, the last `largest`.

    Counts of entries by country are skewed (a few countries gather most entries), so the bounds grow
    geometrically, rounded to numbers a reader takes in at a glance."""
    if largest <= 0:
        return []
    if largest <= classes:
        return list(range(1, largest + 1))
    if largest <= 2 * classes:  # few entries: even steps read better than round numbers
        return [math.ceil(largest * step / classes) for step in range(1, classes + 1)]
    bounds = []
    for step in range(1, classes):
        bound = nice_ceiling(round(largest ** (step / classes), 6))
        if bounds and bound <= bounds[-1]:
            bound = nice_ceiling(bounds[-1] + 1)
        if bound >= largest:
            break
        bounds.append(bound)
    return [*bounds, largest]


def shade_class(count, bounds):
    """The index of the class of `count` (0 for the lightest), or None for no entry."""
    if count <= 0:
        return None
    return next((index for index, bound in enumerate(bounds) if count <= bound), len(bounds) - 1)


def shades_for(bounds):
    """The fill and ink of each class: spread over the palette, so two classes always look apart."""
    if len(bounds) <= 1:
        return [SHADES[-2]] * len(bounds)
    last = len(SHADES) - 1
    return [SHADES[round(index * last / (len(bounds) - 1))] for index in range(len(bounds))]


def class_labels(bounds):
    """« 1 », « 2–5 », « 6–20 »… one per class."""
    labels, low = [], 1
    for bound in bounds:
        labels.append(str(bound) if bound == low else f"{low}–{bound}")
        low = bound + 1
    return labels


def contrast_ratio(first, second):
    """WCAG 2 contrast ratio of two #rrggbb colours."""

    def luminance(colour):
        channels = [int(colour[index : index + 2], 16) / 255 for index in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted([luminance(first), luminance(second)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


def figure_values(picture):
    """What the opening of every picture's figure names: its id, title, size and description."""
    return {name: picture[name] for name in ("id", "title", "width", "height", "description")}
