"""Views outside the pages: a trivial one for load balancers and for the benchmark's floor (what the framework alone
costs), and /favicon.ico, which browsers ask for whatever the page says. No database."""

from django.http import HttpResponse, HttpResponseRedirect
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@require_safe
@never_cache
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


@require_safe
def favicon(request):
    """Browsers that ask for /favicon.ico are sent to the site's icon (a redirect, not a copy: one file to keep)."""
    response = HttpResponseRedirect(static("img/favicon.svg"))
    patch_cache_control(response, public=True, max_age=24 * 3600)
    return response
