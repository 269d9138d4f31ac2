"""WSGI entry point (gunicorn rabatkb.wsgi)."""

import gc
import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rabatkb.settings")

application = get_wsgi_application()

# What is loaded by now (Django, the views and all they import) lives as long as the process: frozen out of the
# garbage collector's way, a full collection scans only what requests leave behind. Otherwise it paused a worker
# 70–90 ms every dozen requests at 100,000 entries, most of the slowest 5 % of answers (docs/performance.md).
import_module(settings.ROOT_URLCONF)  # and with it every view
gc.collect()
gc.freeze()
