"""The WSGI application for the production server: ``granian --interface wsgi config.wsgi:application``."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# The apply request of the JSON API answered without the framework in its common case (PostgreSQL); every
# other request, and every other case of that one, goes to Django as before. See kruzhok/enrollment/fastapply.py.
from kruzhok.enrollment.fastapply import ApplyFastPath  # noqa: E402

application = ApplyFastPath(application)

# What start-up allocated (Django, the URL conf, the models) is frozen out of the garbage collector, so a
# collection does not rescan it in the middle of a request — that was most of the latency tail under load.
gc.collect()
gc.freeze()
