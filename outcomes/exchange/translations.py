"""The English of an item in an exchange file: its `en:` block, read, checked against the French, and written.

```yaml
text: "Deux piliers : 1) Prévention ; 2) Retour."
sub_points: ["Prévention", "Retour."]
en:
  status: unofficial        # official, unofficial or needs_review
  text: "Two pillars: 1) Prevention; 2) Return."
  sub_points: ["Prevention", "Return."]
```

The keys of the block are the item's translated fields (`Model.translated_fields`); any other key is English for
something the item does not have, and is refused with its place, like a status outside the list, English for a
French field that is empty, or English sub-points that do not match the French ones. An item without `en:` has no
English.
"""

from ..translation import TranslationStatus
from .fields import Invalid, Mapping, at, field_value, text_list


def english_fields(model):
    """The model's columns that the `en:` block fills."""
    return [*(f"{name}_en" for name in model.translated_fields), "translation_status"]


def no_english(model):
    """The values of an item with no English."""
    return {name: [] if name == "sub_points_en" else "" for name in english_fields(model)}


def read_english(item, problems, model, french):
    """The English values of the item (a fields.Mapping) from its `en:` block; its French values by field name."""
    return item.get("en", english(problems, model, french), default=None) or no_english(model)


def english(problems, model, french):
    """The check of an item's `en:` block, given the item's French values by field name."""

    def check(value, place):
        block = Mapping.of(problems, value, place)
        if block is None:  # the problem is recorded
            return None
        values = {"translation_status": block.value("status", _status)}
        for name in model.translated_fields:
            read = text_list if name == "sub_points" else field_value(model, f"{name}_en")
            values[f"{name}_en"] = block.value(name, read, default=[] if name == "sub_points" else "")
            if values[f"{name}_en"] and not french.get(name):
                problems.add(at(place, name), f"English for an empty {name}: there is no French to translate")
        block.done()
        main = model.translated_fields[0]
        if french.get(main) and not values[f"{main}_en"]:
            problems.add(at(place, main), "missing: the English of the item's main text")
        if "sub_points" in model.translated_fields:
            _check_sub_points(problems, place, french, values)
        return values

    return check


def _status(value):
    if value not in TranslationStatus.values:
        raise Invalid(f"unknown translation status {value!r} (one of: {', '.join(TranslationStatus.values)})")
    return value


def _check_sub_points(problems, place, french, values):
    points, text = values["sub_points_en"] or [], values["text_en"] or ""
    if len(points) != len(french.get("sub_points") or []):
        problems.add(
            at(place, "sub_points"),
            f"{len(points)} English sub-points for {len(french.get('sub_points') or [])} French ones",
        )
    for index, point in enumerate(points):
        if text and point not in text:
            problems.add(at(at(place, "sub_points"), index), "not found verbatim in the English text")


def keep_needs_review(existing, values):
    """An import leaves an English marked as needing review so, unless the file changes that English: the file may
    not have been written after the French changed."""
    if existing.translation_status != TranslationStatus.NEEDS_REVIEW:
        return values
    unchanged = all(
        values.get(name, getattr(existing, name)) == getattr(existing, name)
        for name in english_fields(type(existing))
        if name != "translation_status"
    )
    return {**values, "translation_status": TranslationStatus.NEEDS_REVIEW} if unchanged else values


def dump_english(item):
    """The item's `en:` block for the file, or None when it has no English."""
    if not item.translation_status:
        return None
    block = {"status": item.translation_status}
    for name in item.translated_fields:
        if getattr(item, f"{name}_en"):
            block[name] = getattr(item, f"{name}_en")
    return block
