"""WSGI entry point for gunicorn: `gunicorn klient.wsgi`."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "klient.settings")
application = get_wsgi_application()
# What start-up loaded (Django, the apps, settings) lives as long as the process: out of
# the collector's reach, each full collection -- the API's p95 at 1M people -- walks
# ~40% fewer objects (issue 9, item 17; docs/benchmarks.md).
gc.freeze()
