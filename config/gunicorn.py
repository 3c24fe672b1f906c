"""Gunicorn settings for production: ``gunicorn -c config/gunicorn.py config.wsgi:application``.

Command-line options and ``GUNICORN_CMD_ARGS`` override these. Measured on the enrollment rush (bench/rush.py):
threads with keep-alive beat sync workers (a new connection per request costs more than the request); the
application is loaded once in the master and forked (``preload_app``), and what start-up allocated is frozen out
of the garbage collector (``gc.freeze``), so a collection does not rescan Django's import-time objects in the
middle of a request — that was most of the latency tail — and the pages stay shared between workers.
"""

import gc
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 10
backlog = 2048
timeout = 60
preload_app = True


def when_ready(server):
    """The master after loading the application, before forking the workers: freeze what start-up made."""
    gc.collect()
    gc.freeze()


def post_worker_init(worker):
    """Each worker once its application is loaded (without preload_app, it loads after the fork)."""
    gc.collect()
    gc.freeze()
