"""The address a request comes from, as django-axes counts failed logins by it."""

from django.conf import settings


def client_ip(request):
    """REMOTE_ADDR, or behind `TRUSTED_PROXY_COUNT` proxies the address the outermost trusted proxy saw.

    Each proxy appends the address it received the request from to X-Forwarded-For, so with N trusted proxies
    the client is the N-th address from the right; anything further left was written by the client and is ignored.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies > 0 and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")
