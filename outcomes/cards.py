"""An entry's card and text, the HTML the site renders most: built in Python rather than by the template engine.

A page shows up to a hundred cards with a dozen links and labels each. Through `{% include %}` a card cost about
0.7 ms, more than all the queries of a page; here it costs 0.3 ms. Templates use
them through `{% load cards %}`: `{% entry_card entry show_context=True heading=4 %}`, `{% entry_text wording %}`,
`{% translation_note item "includes/original/session.html" %}`. Every value is escaped (format_html()).
"""

import html

from django.template.defaultfilters import linebreaksbr
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from .caching import memoized_by_version
from .models import EntryCountry

ROLE_SUFFIXES = {
    EntryCountry.Role.IMPLEMENTING: ('<span class="tag__role"> · {}</span>', gettext_noop("met en œuvre")),
    EntryCountry.Role.PARTNER: ('<span class="tag__role"> · {}</span>', gettext_noop("partenaire")),
}
MENTIONED_SUFFIX = ('<span class="visually-hidden"> ({})</span>', gettext_noop("mentionné"))


def format_html(template, *values, **named):
    """django.utils.html.format_html() without its checks for lazy strings, which cost more than the escaping on
    the few dozen values of a card: safe values as they are, others escaped."""
    return SafeString(template.format(*map(escaped, values), **{name: escaped(v) for name, v in named.items()}))


def escaped(value):
    if type(value) is int:  # counts, ids: nothing to escape
        return str(value)
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def entry_card(entry, show_context=False, heading=3):
    """The card of `entry` (loaded by Entry.objects.for_cards()); `show_context` adds its meeting and session,
    `heading` is the level of its title. A search sets `entry.snippet` (safe HTML), shown instead of the text, and
    `entry.matched_tags`; a country page sets `entry.role_label`."""
    url = entry.get_absolute_url()
    shown = entry.shown
    parts = [
        format_html(
            '<article class="entry-card" id="{0}" aria-labelledby="{0}-ref">\n<header class="entry-card__head">'
            '<span class="kind kind--{1}">{2}</span> <a class="reference" id="{0}-ref" href="{3}">{4}</a>{5}'
            "</header>\n",
            entry.anchor,
            entry.kind,
            entry.get_kind_display(),
            url,
            entry.reference,
            format_html(' <span class="role role--{}">{}</span>', entry.role, entry.role_label)
            if entry.role_label
            else "",
        )
    ]
    if show_context:
        meeting, session = entry.meeting.shown, entry.session.shown
        parts.append(
            format_html(
                '<p class="entry-card__context"><a lang="{}" href="{}#{}">{}</a> <span aria-hidden="true">›</span> '
                '<span lang="{}">{}</span></p>\n',
                meeting.lang,
                entry.meeting.get_absolute_url(),
                entry.anchor,
                meeting.title,
                session.lang,
                session.title,
            )
        )
    if shown.title:
        level = heading or 3
        parts.append(
            format_html(
                '<h{0} class="entry-card__title" lang="{1}"><a href="{2}">{3}</a></h{0}>\n',
                level,
                shown.lang,
                url,
                shown.title,
            )
        )
    parts.append(format_html('<div class="entry-card__text" lang="{}">', shown.lang))
    if entry.matched_tags:
        names = ", ".join(tag.name for tag in entry.matched_tags)
        parts.append(format_html('<p class="entry-card__reason">{} {}</p>', _("Trouvée par son étiquette :"), names))
    if entry.snippet:
        parts.append(format_html('<p class="entry-card__snippet">{}</p>', entry.snippet))
    else:
        parts.append(entry_text(shown))
    parts.append(mark_safe("</div>\n"))
    parts.append(translation_note(entry, original_entry))
    parts.append(tags(entry))
    parts.append(mark_safe("</article>\n"))
    return mark_safe("".join(parts))


def entry_text(wording):
    """An entry's text in one wording: its numbered sub-points as a list, or its paragraphs."""
    if not wording.sub_points:
        return format_html("<p>{}</p>", linebreaksbr(wording.text, autoescape=True))
    lead_in, closing = wording.lead_in, wording.closing
    return format_html(
        '{}<ol class="sub-points">{}</ol>{}',
        format_html("<p>{}</p>", lead_in) if lead_in else "",
        mark_safe("".join(format_html("<li>{}</li>", point) for point in wording.sub_points)),
        format_html("<p>{}</p>", closing) if closing else "",
    )


def original_entry(wording):
    """An entry's French under its English, behind the translation note."""
    title = format_html("<p><strong>{}</strong></p>", wording.title) if wording.title else ""
    return format_html("{}{}", title, entry_text(wording))


def translation_note(item, original):
    """For English readers, under an item of the content: its French original behind a note (no JavaScript
    needed), or, when it has no English yet, a note that the French is shown. `original` renders the item's
    French wording. Nothing on French pages."""
    if not (get_language() or "fr").startswith("en"):
        return ""
    if not item.has_english:
        note = _("Pas encore traduit en anglais : voici l'original en français.")
        return format_html('<p class="translation translation--none">{}</p>\n', note)
    return format_html(
        '<details class="translation translation--{}">\n  <summary>{}</summary>\n'
        '  <div class="translation__original" lang="fr">{}</div>\n</details>\n',
        item.translation_status,
        item.translation_note,
        original(item.french),
    )


def translation_note_from_template(item, template_name):
    """translation_note() with the French shown by a template (it receives `wording`)."""
    return translation_note(item, lambda wording: render_to_string(template_name, {"wording": wording}))


def tags(entry):
    """The entry's countries (with their role), themes and organisations, each a link to its page."""
    countries, themes, organisations = entry.country_tags.all(), entry.themes.all(), entry.organisations.all()
    if not (countries or themes or organisations):
        return ""
    # Each tag's HTML is made once per content version and language in this process: a page of cards shows a few
    # dozen distinct tags a hundred times, and making each link costs more than the rest of a card.
    made = memoized_by_version("card-tags", dict)
    items = [once(made, ("c", tag.country_id, tag.role), country_tag, tag) for tag in countries]
    items += [once(made, ("t", theme.pk), theme_tag, theme) for theme in themes]
    items += [once(made, ("o", organisation.pk), organisation_tag, organisation) for organisation in organisations]
    return format_html('<ul class="tags" aria-label="{}">\n{}\n</ul>\n', _("Étiquettes"), mark_safe("\n".join(items)))


def once(made, key, make, obj):
    html = made.get(key)
    if html is None:
        html = made[key] = make(obj)
    return html


def country_tag(tag):
    suffix, word = ROLE_SUFFIXES.get(tag.role, MENTIONED_SUFFIX)
    return format_html(
        '<li><a class="tag tag--country tag--{}" href="{}" title="{}">{}{}</a></li>',
        tag.role,
        tag.country.get_absolute_url(),
        tag.get_role_display(),
        tag.country.name,
        format_html(suffix, _(word)),
    )


def theme_tag(theme):
    return format_html(
        '<li><a class="tag tag--theme" href="{}"><span class="visually-hidden">{} </span>{}</a></li>',
        theme.get_absolute_url(),
        _("Thème :"),
        theme.name,
    )


def organisation_tag(organisation):
    return format_html(
        '<li><a class="tag tag--organisation" href="{}" title="{}">{}</a></li>',
        organisation.get_absolute_url(),
        organisation.name,
        organisation.label,
    )
