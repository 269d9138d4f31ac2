"""Cross-origin reads of the API: partner websites and researchers' pages may call it from a browser.

The API is public and read-only, so it allows any origin by default (`*`) and never credentials; an operator can
name the origins instead (`DJANGO_API_CORS_ORIGINS`). Preflight requests are answered here, before any view.
"""

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers

API_PREFIX = "/api/"
ALLOWED_METHODS = "GET, HEAD, OPTIONS"
ALLOWED_HEADERS = "Accept, Accept-Language, If-None-Match"
EXPOSED_HEADERS = "ETag, Link"


def allowed_origin(origin):
    origins = settings.API_CORS_ORIGINS
    if "*" in origins:
        return "*"
    return origin if origin in origins else None


class ApiCorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        origin = request.headers.get("Origin")
        preflight = request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers
        response = HttpResponse(status=204) if preflight else self.get_response(request)
        allowed = allowed_origin(origin)
        if allowed:
            response["Access-Control-Allow-Origin"] = allowed
            response["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
            if preflight:
                response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
                response["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
                response["Access-Control-Max-Age"] = "86400"
        if allowed != "*":
            patch_vary_headers(response, ["Origin"])
        return response
