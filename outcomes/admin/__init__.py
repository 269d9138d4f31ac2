"""The secretariat's curation tools: lists, filters, bulk tagging and publishing, ordered inlines, history.

`entries` is the entry admin (its actions in `entry_actions`, its history and restore pages in `entry_history`),
`structure` the tags, meetings and sessions, `importing` the upload of a meeting file, `history` what every
model shares (history pages, the change log).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import entries, history, importing, structure  # noqa: F401  (registers the model admins)
from .followup import ENTRY_INLINES

# Links, follow-up and frameworks (admin/followup.py): their entry inlines join the entry's page.
entries.EntryAdmin.inlines = [*entries.EntryAdmin.inlines, *ENTRY_INLINES]

admin.site.site_header = _("Rabat KB · administration")
admin.site.site_title = _("Rabat KB")
admin.site.index_title = _("Curation de la base de connaissances")
# The navigation sidebar would take a fifth of a 1280 px screen from the entry list; the breadcrumbs remain.
admin.site.enable_nav_sidebar = False

# The upload and review of final documents (outcomes/ingest) register their own admin page.
from ..ingest import admin_views  # noqa: E402, F401
