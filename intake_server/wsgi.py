"""The WSGI application that ``intellekta-intake serve`` (gunicorn) runs."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intake_server.settings")
application = get_wsgi_application()
