"""Links from public pages to the admin, for the staff who may use them."""

from django import template
from django.contrib.admin.utils import quote
from django.contrib.auth import get_permission_codename
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def admin_change_url(context, obj):
    """The admin change page of `obj` if the user is staff and may change it, else an empty string."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if obj is None or user is None or not user.is_staff:
        return ""
    opts = obj._meta
    if not user.has_perm(f"{opts.app_label}.{get_permission_codename('change', opts)}"):
        return ""
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)])
    except NoReverseMatch:
        return ""
