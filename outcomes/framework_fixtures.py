"""Reads fixtures/frameworks.yaml (format `rabatkb-frameworks`) into Framework and FrameworkItem rows.

Each framework and item is checked with the models' own field rules (`full_clean`), every problem reported with
its place in the file; written with save() so that history records each change. Idempotent: loading twice
changes nothing. Items missing from the file are kept (entries may be tagged with them).
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from .models_followup import Framework, FrameworkItem

FORMAT, VERSION = "rabatkb-frameworks", 1
FRAMEWORK_FIELDS = ["slug", "code", "name_fr", "name_en", "url"]
ITEM_FIELDS = ["code", "name_fr", "name_en"]


class FrameworkFileError(Exception):
    def __init__(self, problems):
        super().__init__("\n".join(problems))
        self.problems = problems


class Result:
    def __init__(self):
        self.created = self.updated = 0
        self.vocabulary = {}  # load_fixtures gathers the vocabulary each file defines; this one defines none

    def summary(self):
        if not self.created and not self.updated:
            return "nothing changed"
        return f"created {self.created}, updated {self.updated} frameworks and framework items"


def import_frameworks(data, *, dry_run=False):
    """Check then write `data` (the parsed YAML); raises FrameworkFileError listing every problem."""
    problems = []
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != VERSION:
        raise FrameworkFileError([f"expected `format: {FORMAT}` and `version: {VERSION}` at the top"])
    frameworks = data.get("frameworks")
    if not isinstance(frameworks, list):
        raise FrameworkFileError(["frameworks: expected a list"])
    result = Result()
    with transaction.atomic():
        for position, item in enumerate(frameworks, start=1):
            write_framework(item, position, f"frameworks[{position}]", problems, result)
        if problems or dry_run:
            transaction.set_rollback(True)
    if problems:
        raise FrameworkFileError(problems)
    return result


def fields_of(data, names, place, problems):
    if not isinstance(data, dict):
        problems.append(f"{place}: expected a mapping")
        return None
    unknown = set(data) - {*names, "items"}
    if unknown:
        problems.append(f"{place}: unknown key(s) {', '.join(sorted(unknown))}")
    return {name: data.get(name) if data.get(name) is not None else "" for name in names}


def save_checked(model, lookup, values, place, problems, result, exclude=()):
    obj = model.objects.filter(**lookup).first() or model(**lookup)
    changed = obj.pk is None or any(getattr(obj, name) != value for name, value in values.items())
    for name, value in values.items():
        setattr(obj, name, value)
    try:
        obj.full_clean(exclude=list(exclude), validate_unique=obj.pk is None)
    except ValidationError as error:
        problems.extend(f"{place}.{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
        return None
    if changed:
        result.created += obj.pk is None
        result.updated += obj.pk is not None
        obj.save()
    return obj


def write_framework(data, position, place, problems, result):
    values = fields_of(data, FRAMEWORK_FIELDS, place, problems)
    if values is None:
        return
    slug = values.pop("slug")
    framework = save_checked(Framework, {"slug": slug}, {**values, "order": position}, place, problems, result)
    items = data.get("items") or []
    if framework is None or not isinstance(items, list):
        if not isinstance(items, list):
            problems.append(f"{place}.items: expected a list")
        return
    codes = set()
    for number, item in enumerate(items, start=1):
        item_place = f"{place}.items[{number}]"
        item_values = fields_of(item, ITEM_FIELDS, item_place, problems)
        if item_values is None:
            continue
        code = str(item_values.pop("code"))
        if code in codes:
            problems.append(f"{item_place}.code: {code} appears twice in {framework.code}")
            continue
        codes.add(code)
        lookup = {"framework": framework, "code": code}
        save_checked(FrameworkItem, lookup, {**item_values, "order": number}, item_place, problems, result)
