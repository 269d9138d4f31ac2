"""`{% facet_options %}`: the options of an explorer facet, hundreds on a page, built in Python (as cards are,
outcomes/cards.py): through the template engine they cost more than counting them."""

from django import template
from django.utils.safestring import mark_safe

from ..cards import format_html

register = template.Library()

OPTION = (
    '<li>\n  <label>\n    <input type="{}" name="{}" value="{}"{}>\n    {} <span class="count">({})</span>\n'
    "  </label>\n</li>\n"
)


@register.simple_tag
def facet_options(options, name, multiple):
    """One list item per option: a checkbox (`multiple`) or a radio button, ticked when the option is chosen."""
    kind = "checkbox" if multiple else "radio"
    return mark_safe(
        "".join(
            format_html(OPTION, kind, name, option.value, mark_safe(" checked") if option.selected else "",
                        option.label, option.count)
            for option in options
        )
    )  # fmt: skip
