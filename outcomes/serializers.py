"""The public JSON shape of entries, meetings, sessions, countries, themes and organisations.

One module, used by the API (outcomes/api.py) and the explorer's JSON export (outcomes/explorer.py), and by
nothing else: the import/export format (outcomes/exchange) has its own shape and may change without changing this
one. Each function takes the object (with what its queryset loads: see `Entry.objects.for_cards()` and the
`entries_count` annotations of the API) and the request, for absolute URLs. Dates are ISO 8601 text or null.
"""

from django.urls import reverse

from .translation import Wording


def absolute(request, name, *args, query=""):
    return request.build_absolute_uri(reverse(name, args=args) + (f"?{query}" if query else ""))


def in_reader_language(item, *fields):
    """The item's `fields` in the reader's language (English when asked for and translated, else French), with
    `language` (of those texts), `translation_status` (null when untranslated), and both editions: `fr` and `en`
    (null when untranslated), each with the same fields."""
    shown = item.shown

    def edition(lang):
        wording = Wording(item, lang)
        return {name: getattr(wording, name) for name in fields}

    return {
        **{name: getattr(shown, name) for name in fields},
        "language": shown.lang,
        "translation_status": item.translation_status or None,
        "fr": edition("fr"),
        "en": edition("en") if item.has_english else None,
    }


def entry_data(entry, request):
    """An entry: `reference`, `url`, `api_url`, `kind`, `kind_label`, `meeting` {slug, code, title}, `session`
    {id, slug, title, path: the headings above the entry, outermost first}, `order` in its session, `title`, `text`
    (verbatim), `sub_points` — these three in the reader's language, see `in_reader_language` for `language`,
    `translation_status`, `fr` and `en` —, `countries` [{code, name, role}] (implementing, partner, then mentioned;
    by name within a role), `scope` (countries, region, all_partners) and `region`, `themes` [{slug, name}] by
    name, `organisations` [{slug, acronym, name}], `source_line`,
    `created_at`, `updated_at`, `links` [{relation, reference, url}] to published entries (relation: addresses,
    addressed_by, implements, implemented_by, follows_up, followed_up_by, see_also) and `framework_items`
    [{reference, framework, code, name}]; the last two need outcomes.followup.with_connections(). Titles of the
    meeting and sessions are in the reader's language too."""
    return {
        "reference": entry.reference,
        "url": request.build_absolute_uri(entry.get_absolute_url()),
        "api_url": absolute(request, "api:entry-detail", entry.reference),
        "kind": entry.kind,
        "kind_label": str(entry.get_kind_display()),
        "meeting": {"slug": entry.meeting.slug, "code": entry.meeting.code, "title": entry.meeting.shown.title},
        "session": {
            "id": entry.session_id,
            "slug": entry.session.slug,
            "title": entry.session.shown.title,
            "path": [session.shown.title for session in entry.heading_sessions],
        },
        "order": entry.order,
        **in_reader_language(entry, "title", "text", "sub_points"),
        "countries": [
            {"code": tag.country_id, "name": tag.country.name, "role": tag.role} for tag in entry.country_tags.all()
        ],
        "scope": entry.scope,
        "region": entry.region,
        "themes": [{"slug": theme.slug, "name": theme.name} for theme in entry.themes.all()],
        "organisations": [
            {"slug": organisation.slug, "acronym": organisation.acronym, "name": organisation.name}
            for organisation in entry.organisations.all()
        ],
        "source_line": entry.source_line,
        "created_at": entry.created_at.isoformat(),
        "updated_at": entry.updated_at.isoformat(),
        "links": [
            {
                "relation": relation,
                "reference": other.reference,
                "url": request.build_absolute_uri(other.get_absolute_url()),
            }
            for relation, _label, other in entry.public_relations
        ],
        "framework_items": [
            {"reference": item.reference, "framework": item.framework.code, "code": item.code, "name": item.name}
            for item in entry.framework_item_list
        ],
    }


def meeting_summary(meeting, request):
    """A meeting in a list: `slug`, `code`, `title`, `kind`, `start_date`, `end_date`, `venue`, `entries_count`
    (its published entries), `url`, `api_url`."""
    return {
        "slug": meeting.slug,
        "code": meeting.code,
        "title": meeting.shown.title,
        "kind": meeting.kind,
        "start_date": meeting.start_date.isoformat() if meeting.start_date else None,
        "end_date": meeting.end_date.isoformat() if meeting.end_date else None,
        "venue": meeting.venue,
        "entries_count": meeting.entries_count,
        "url": request.build_absolute_uri(meeting.get_absolute_url()),
        "api_url": absolute(request, "api:meeting-detail", meeting.slug),
    }


def meeting_data(meeting, request):
    """A meeting on its own: its summary, plus `co_chairs` [{code, name}], `framework`, `continuity`,
    `participants_count`, `countries_count`, `summary`, `source` {title, language, url, file}, `sessions` (each as
    `session_data`, in document order) and `entries_url`; its texts in the reader's language (`in_reader_language`:
    `language`, `translation_status`, `fr`, `en`)."""
    texts = in_reader_language(meeting, "title", "framework", "continuity", "summary", "source_title")
    return {
        **meeting_summary(meeting, request),
        **{name: texts[name] for name in ("language", "translation_status", "fr", "en")},
        "co_chairs": [{"code": country.code, "name": country.name} for country in meeting.co_chairs.all()],
        "framework": texts["framework"],
        "continuity": texts["continuity"],
        "participants_count": meeting.participants_count,
        "countries_count": meeting.countries_count,
        "summary": texts["summary"],
        "source": {
            "title": texts["source_title"],
            "language": meeting.source_language,
            "url": meeting.source_url,
            "file": meeting.source_file,
        },
        "sessions": [session_data(session) for session in meeting.sessions.all()],
        "entries_url": absolute(request, "api:entry-list", query=f"meeting={meeting.slug}"),
    }


def session_data(session):
    """A session inside its meeting: `id`, `slug`, `parent` (the id of the session it is a sub-heading of, or
    null), `order` in the document, `title`, `introduction` (in the reader's language: `in_reader_language`)."""
    return {
        "id": session.pk,
        "slug": session.slug,
        "parent": session.parent_id,
        "order": session.order,
        **in_reader_language(session, "title", "introduction"),
    }


def session_summary(session, request):
    """A session on its own or in a list: `session_data`, plus `meeting` (its slug), `api_url`, `entries_url`."""
    return {
        **session_data(session),
        "meeting": session.meeting.slug,
        "api_url": absolute(request, "api:session-detail", session.pk),
        "entries_url": absolute(
            request, "api:entry-list", query=f"meeting={session.meeting.slug}&session={session.pk}"
        ),
    }


def country_data(country, request):
    """A country: `code` (ISO 3166-1 alpha-2), `name_fr`, `name_en`, `entries_count` (its tags on published
    entries), `url`, `api_url`, `entries_url`."""
    return {
        "code": country.code,
        "name_fr": country.name_fr,
        "name_en": country.name_en,
        "entries_count": country.entries_count,
        "url": request.build_absolute_uri(country.get_absolute_url()),
        "api_url": absolute(request, "api:country-detail", country.code),
        "entries_url": absolute(request, "api:entry-list", query=f"country={country.code}"),
    }


def theme_data(theme, request):
    """A theme: `slug`, `name_fr`, `name_en`, `description_fr`, `description_en`, `entries_count` (its published
    entries), `url`, `api_url`, `entries_url`."""
    return {
        "slug": theme.slug,
        "name_fr": theme.name_fr,
        "name_en": theme.name_en,
        "description_fr": theme.description_fr,
        "description_en": theme.description_en,
        "entries_count": theme.entries_count,
        "url": request.build_absolute_uri(theme.get_absolute_url()),
        "api_url": absolute(request, "api:theme-detail", theme.slug),
        "entries_url": absolute(request, "api:entry-list", query=f"theme={theme.slug}"),
    }


def organisation_data(organisation, request):
    """An organisation: `slug`, `acronym`, `name` (as the document writes it), `name_en`, `kind`, `country` (the
    code of the country it belongs to, or null), `description`, `entries_count` (its published entries), `url`,
    `api_url`, `entries_url`."""
    return {
        "slug": organisation.slug,
        "acronym": organisation.acronym,
        "name": organisation.name,
        "name_en": organisation.name_en,
        "kind": organisation.kind,
        "country": organisation.country_id,
        "description": organisation.description,
        "entries_count": organisation.entries_count,
        "url": request.build_absolute_uri(organisation.get_absolute_url()),
        "api_url": absolute(request, "api:organisation-detail", organisation.slug),
        "entries_url": absolute(request, "api:entry-list", query=f"organisation={organisation.slug}"),
    }
