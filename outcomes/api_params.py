"""The query parameters each API list accepts: one declaration read by the views (to refuse what is not declared)
and by the OpenAPI schema (to describe it), so the two cannot drift.

A parameter is described by the form field that cleans it (a Django form field, or a django-filter filter's
field): its type, its allowed values and whether it may be repeated all come from there.
"""

import base64
import binascii
import json

from django import forms
from django.utils.translation import gettext as _

from .filters import EntryFilter
from .listing import PageForm

PAGING = ("page", "page_size")
CURSOR = "cursor"
LANGUAGE = "lang"


def paging_fields():
    return {name: PageForm.base_fields[name] for name in PAGING}


def entry_filter_fields():
    """The explorer's filters, by name, as the API takes them."""
    return {name: EntryFilter.base_filters[name].field for name in EntryFilter.base_filters}


class CursorField(forms.CharField):
    """An opaque position in the entries' keyset walk (see `decode_cursor`)."""

    def __init__(self, **kwargs):
        super().__init__(required=False, max_length=200, **kwargs)


def list_parameters(view_name):
    """{name: form field} of the parameters the list (or object) `view_name` takes; every one takes `lang`."""
    return {**_own_parameters(view_name), LANGUAGE: language_field()}


def language_field():
    """`?lang=`: the language of the texts (English where translated), of labels and of messages."""
    return forms.ChoiceField(label=_("Langue"), choices=[("fr", "fr"), ("en", "en")], required=False)


def _own_parameters(view_name):
    if view_name == "entry-list":
        return {**entry_filter_fields(), **paging_fields(), CURSOR: CursorField(label=_("Curseur"))}
    if view_name == "session-list":
        return {"meeting": forms.SlugField(label=_("Réunion"), required=False), **paging_fields()}
    if view_name == "country-list":
        return {"with_entries": forms.ChoiceField(choices=[("1", "1"), ("true", "true")]), **paging_fields()}
    if view_name.endswith("-list"):
        return paging_fields()
    return {}


def is_repeatable(field):
    return isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)


def parameter_errors(query, fields):
    """Errors for parameters that are not declared, or repeated though they take one value, in the shape of
    Django's `errors.get_json_data()`; {} when the query is acceptable."""
    errors = {}
    for name in query:
        if name not in fields:
            errors[name] = [{"message": _("Paramètre inconnu."), "code": "unknown"}]
        elif len(query.getlist(name)) > 1 and not is_repeatable(fields[name]):
            errors[name] = [{"message": _("Ce paramètre ne prend qu'une valeur."), "code": "repeated"}]
    return errors


def encode_cursor(direction, pk):
    """A cursor token: which side of entry `pk` the next page lies (`after` or `before`)."""
    return base64.urlsafe_b64encode(json.dumps([direction, pk]).encode()).decode().rstrip("=")


def decode_cursor(token):
    """(direction, pk) for a token, (None, None) for the empty token (the start); ValueError if it is not ours."""
    if not token:
        return None, None
    try:
        direction, pk = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as error:
        raise ValueError(token) from error
    if direction not in ("after", "before") or type(pk) is not int or not 0 <= pk < 2**63:
        raise ValueError(token)
    return direction, pk
