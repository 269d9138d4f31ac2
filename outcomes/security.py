"""The Content-Security-Policy header, on every response the project sends.

Django 5.2 has no CSP support of its own (Django 6.0 adds one, read from the same `SECURE_CSP` setting in the same
shape, so this middleware can give way to `django.middleware.csp.ContentSecurityPolicyMiddleware` on upgrade).
The policy is fixed: no nonces, no per-view changes, so a dozen lines serve better than another dependency.
"""

from django.conf import settings
from django.core.exceptions import SuspiciousOperation


def header_value(policy):
    """`{"default-src": ["'self'"], ...}` as the header value `default-src 'self'; ...`."""
    return "; ".join(" ".join([directive, *sources]) for directive, sources in policy.items())


class ContentSecurityPolicyMiddleware:
    """Adds the `SECURE_CSP` policy to responses that do not set one themselves."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.value = header_value(getattr(settings, "SECURE_CSP", {}))

    def __call__(self, request):
        response = self.get_response(request)
        if self.value:
            response.headers.setdefault("Content-Security-Policy", self.value)
        return response


class RejectNullCharactersMiddleware:
    """Answers 400 to a NUL character in the path, or in the query string of an admin URL.

    PostgreSQL text cannot hold NUL, and no path uses it. The public views check their own parameters (the explorer
    shows a message); the admin's lists hand their search and filter parameters to the database unchecked.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = f"/{settings.ADMIN_PATH}"

    def __call__(self, request):
        if "\x00" in request.path or (request.path.startswith(self.admin_prefix) and has_null(request.GET)):
            raise SuspiciousOperation("NUL character in the URL")
        return self.get_response(request)


def has_null(query):
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query.lists())
