"""The project settings as the test suite runs them: production-like (debug off), plain HTTP, unhashed static."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key-never-used-in-production-0123456789")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DJANGO_DEBUG", "false")

from rabatkb.settings import *  # noqa: E402, F403

# The manifest storage needs collectstatic; tests/test_settings.py checks it in a real production run.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Django's test client.login() authenticates without a request, which django-axes refuses; the lockout tests in
# tests/test_permissions.py switch it back on (the `axes` fixture).
AXES_ENABLED = False
