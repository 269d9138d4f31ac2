"""Reading the values of a file: each key checked against its model field's own rules, each problem with its place.

A value is checked by the field it fills (type, blank, `max_length`, choices, validators), and a key left out
takes that field's default, so the models stay the one definition of what a value may be; the messages say what
is wrong in the terms of the file. `Mapping` reads one mapping of the file key by key.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import models

from .dialect import ExchangeError

REQUIRED = object()
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Invalid(ValueError):
    """A value that a check refuses, with what is wrong with it."""


class Problems(list):
    """The problems found in a file, each as `place: message`, in the order the checks found them."""

    def add(self, place, message):
        self.append(f"{place}: {message}")

    def raise_any(self):
        if self:
            raise ExchangeError(self)


def at(place, key):
    """The place of a key or list index inside `place` (`meeting.code`, `sessions[1]`)."""
    if isinstance(key, int):
        return f"{place}[{key}]"
    return f"{place}.{key}" if place else key


def describe(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "text"


def default(model, name):
    """What a key left out of the file means for `model.name`: REQUIRED when the model needs a value."""
    model_field = model._meta.get_field(name)
    if model_field.has_default():
        return model_field.get_default()
    if model_field.null:
        return None
    return "" if model_field.blank else REQUIRED


def field_value(model, name):
    """The check of a value for `model.name`: it returns the value cleaned or raises Invalid."""
    model_field = model._meta.get_field(name)
    if model_field.choices:
        return lambda value: _choice(model_field, value)
    if isinstance(model_field, models.IntegerField):
        return lambda value: _whole_number(model_field, value)
    if isinstance(model_field, models.DateField):
        return date
    if isinstance(model_field, models.SlugField):
        return lambda value: _slug(model_field, value)
    return lambda value: _text(model_field, value)


def _clean(model_field, value, invalid):
    """The value as the model field cleans it; a refusal becomes Invalid, `invalid` saying what an invalid one is."""
    try:
        return model_field.clean(value, None)
    except ValidationError as error:
        first = error.error_list[0]
        params = first.params or {}
        messages = {
            "blank": "missing text",
            "max_length": f"longer than {params.get('limit_value')} characters",
            "min_value": f"must be {params.get('limit_value')} or more",
            "max_value": f"must be {params.get('limit_value')} or less",
        }
        raise Invalid(messages.get(first.code, invalid)) from None


def _text(model_field, value):
    """Text, stripped (null is empty text)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(f"expected text, got {describe(value)}")
    kind = "URL" if isinstance(model_field, models.URLField) else "value"
    return _clean(model_field, value.strip(), f"invalid {kind} {value.strip()!r}")


def _slug(model_field, value):
    invalid = f"invalid slug {value!r} (letters, digits, hyphens and underscores)"
    if not isinstance(value, str) or not value:
        raise Invalid(invalid)
    return _clean(model_field, value, invalid)


def _choice(model_field, value):
    values = [choice for choice, _label in model_field.flatchoices]
    if value not in values:
        raise Invalid(f"unknown choice {value!r} (one of: {', '.join(values)})")
    return value


def _whole_number(model_field, value):
    if value is None and model_field.null:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise Invalid(f"expected a whole number, got {describe(value)}")
    return _clean(model_field, value, f"invalid number {value!r}")


def date(value):
    """A YYYY-MM-DD date, or null."""
    if value is None or (isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)):
        return value
    try:
        if isinstance(value, str) and _DATE.match(value):
            return datetime.date.fromisoformat(value)
    except ValueError:
        pass
    raise Invalid(f"invalid date {value!r} (expected YYYY-MM-DD)")


def text_list(value):
    """A list of non-empty texts (sub-points)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise Invalid(f"expected a list, got {describe(value)}")
    if not all(isinstance(item, str) and item.strip() for item in value):
        raise Invalid("expected a list of non-empty texts")
    return [item.strip() for item in value]


def valid(check, value):
    """The value cleaned by the check, or None if the check refuses it (what the first pass of a file counts)."""
    try:
        return check(value)
    except Invalid:
        return None


class Mapping:
    """One mapping of the file, read key by key; a key never read is reported as unknown by `done()`."""

    def __init__(self, problems, data, place):
        self.problems, self.data, self.place, self.read = problems, data, place, set()

    @classmethod
    def of(cls, problems, data, place):
        """The mapping at `place`, or None (with a problem) when the value there is not a mapping."""
        if not isinstance(data, dict):
            problems.add(place or "file", f"expected a mapping, got {describe(data)}")
            return None
        return cls(problems, data, place)

    def get(self, key, check, default=REQUIRED):
        """The value of `key` checked by `check(value, place)`; None, with a problem, when it is refused."""
        self.read.add(key)
        if key not in self.data:
            if default is REQUIRED:
                self.problems.add(at(self.place, key), "missing")
                return None
            return default
        try:
            return check(self.data[key], at(self.place, key))
        except Invalid as error:
            self.problems.add(at(self.place, key), str(error))
            return None

    def value(self, key, check, default=REQUIRED):
        """`get` for a check that only needs the value."""
        return self.get(key, lambda value, _place: check(value), default)

    def field(self, model, key, name=None):
        """The value of `key` for the field `model.name` (named as the key unless given): its rules, its default."""
        name = name or key
        return self.value(key, field_value(model, name), default(model, name))

    def fields(self, model, *names):
        """The values of the keys named as the fields of `model`, by name."""
        return {name: self.field(model, name) for name in names}

    def done(self):
        for key in self.data:
            if key not in self.read:
                self.problems.add(at(self.place, key), "unknown key")
