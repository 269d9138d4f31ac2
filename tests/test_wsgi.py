"""The WSGI entry point gunicorn loads: it serves the app, with what it loaded frozen out of the garbage
collector's full collections."""

import subprocess
import sys

from django.conf import settings


def test_the_wsgi_application_loads_the_views_and_freezes_them_out_of_the_collector():
    code = (
        "import gc, sys; import rabatkb.wsgi as w; "
        "print(gc.get_freeze_count() > 10_000, 'outcomes.views' in sys.modules, callable(w.application))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, capture_output=True, text=True)
    assert done.stdout.split() == ["True", "True", "True"], done.stderr
