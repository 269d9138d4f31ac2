from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from outcomes.ops.readiness import readyz
from outcomes.views_health import favicon, healthz

urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("outcomes.api_urls")),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("favicon.ico", favicon, name="favicon"),
]

# French, the default language, lives at the root; English under /en/.
urlpatterns += i18n_patterns(
    path("", include("outcomes.urls")),
    prefix_default_language=False,
)

# A database that cannot answer is a 503 with a static page, not a server error (outcomes/ops/errors.py).
handler500 = "outcomes.ops.errors.server_error"
