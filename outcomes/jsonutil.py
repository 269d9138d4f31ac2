"""JSON as every answer of the project writes it: UTF-8, and no raw `<`, `>` or `&`.

Those three are written as `\\u003c`, `\\u003e` and `\\u0026` (the same JSON data), so a value read from the URL and
echoed in an error never reads as HTML, whatever the client does. Shared by the API and the explorer's JSON export.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse

MARKUP_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def without_markup(json_text):
    """JSON text with `<`, `>` and `&` escaped; they only occur inside strings, where the escape means the same."""
    return json_text.translate(MARKUP_ESCAPES)


class SafeJSONEncoder(DjangoJSONEncoder):
    """Django's encoder, writing no raw `<`, `>` or `&`."""

    def encode(self, o):
        return without_markup(super().encode(o))


def dumps(data):
    """`data` as UTF-8 JSON text without raw markup characters."""
    return json.dumps(data, cls=SafeJSONEncoder, ensure_ascii=False)


def json_response(data, status=200):
    return JsonResponse(data, status=status, encoder=SafeJSONEncoder, json_dumps_params={"ensure_ascii": False})
