from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Benchmark tooling; rabatkb/settings.py adds it only in a repository checkout, where bench/ exists."""

    name = "bench"
    verbose_name = "Benchmark tooling"
