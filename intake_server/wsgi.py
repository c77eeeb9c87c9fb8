"""Django's WSGI application: what ``intellekta-intake serve`` runs (see ``asgi.py``), or
any WSGI server an operator prefers."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intake_server.settings")
application = get_wsgi_application()
