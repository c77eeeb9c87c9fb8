"""Benchmark-only Django settings: the product's, plus the ``/floor`` endpoint.

``benchmarks/intake_bench.py`` starts ``intellekta-intake serve`` with
``DJANGO_SETTINGS_MODULE=benchmarks.intake_floor_settings``, so one server (same
hypercorn, middleware and WSGI stack) answers both the real API and the floor.
Never used by the product.
"""

from intake_server.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.intake_floor_urls"
