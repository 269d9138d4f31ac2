"""`{% entry_card %}`, `{% entry_text %}` and `{% translation_note %}`: the HTML of outcomes/cards.py."""

from django import template

from .. import cards

register = template.Library()


@register.simple_tag
def entry_card(entry, show_context=False, heading=3):
    return cards.entry_card(entry, show_context=show_context, heading=heading)


@register.simple_tag
def entry_text(wording):
    return cards.entry_text(wording)


@register.simple_tag
def translation_note(item, original_template):
    return cards.translation_note_from_template(item, original_template)
