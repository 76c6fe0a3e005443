"""gunicorn settings for ldnsite (docker-compose, the bench, and by hand:
`gunicorn -c deploy/gunicorn.conf.py ldnsite.wsgi:application`)."""

import gc
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Page rendering is CPU-bound: about one worker per core keeps latency steady.
workers = int(os.environ.get("WEB_CONCURRENCY", len(os.sched_getaffinity(0))))
worker_class = "sync"
timeout = 30
graceful_timeout = 30
max_requests = 5000
max_requests_jitter = 500
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG", "1") == "1" else None
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
preload_app = True


def post_fork(server, worker):
    # The app's objects, loaded before the fork, never become garbage: keep the
    # cyclic collector from walking them on every collection (fewer long pauses).
    gc.freeze()
    # gc.set_threshold(50_000, 20, 20)
