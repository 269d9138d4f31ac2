"""Durations as people read them."""

from django import template

register = template.Library()


@register.filter
def minutes(delta):
    """A timedelta in whole minutes, rounded up (a lockout of 14 min 30 s reads "15")."""
    return -(-int(delta.total_seconds()) // 60)
