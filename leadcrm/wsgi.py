import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadcrm.settings")
application = get_wsgi_application()

from apps.core.checks import production_startup_check  # noqa: E402 - needs the apps loaded

production_startup_check()
