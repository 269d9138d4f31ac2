from django import template
from django.urls import translate_url
from django.utils.translation import get_language_from_path

register = template.Library()


@register.simple_tag(takes_context=True)
def unprefixed_path(context):
    """The current path and query without its language prefix ("/en/countries/SN/" gives "/countries/SN/").

    set_language translates `next` by resolving it in the default language, which only knows unprefixed paths.
    """
    request = context.get("request")
    if request is None:
        return "/"
    path = request.get_full_path()
    language = get_language_from_path(request.path_info)
    prefix = f"/{language}/"
    if language and path.startswith(prefix):
        path = path[len(prefix) - 1 :]
    return path


@register.simple_tag(takes_context=True)
def translated_path(context, language):
    """The current page (query string included) in another interface language: "/countries/SN/" gives
    "/en/countries/SN/" for "en". A plain link, so public pages carry no CSRF token and stay cacheable."""
    request = context.get("request")
    if request is None:
        return "/"
    return translate_url(request.get_full_path(), language)
