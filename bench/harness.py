"""Measuring helpers shared by the bench modules."""

import statistics
import time
from io import StringIO
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def ensure_database():
    """Create the bench database if the server does not have it yet."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit("make bench measures PostgreSQL: set BENCH_DATABASE_URL to postgres://")
    call_command("check_database", create=True, stdout=StringIO())


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))
    return ordered[index]


class Bench:
    def __init__(self):
        self.client = Client()

    def time_call(self, label, func, *, repeat=200, warmup=5):
        """Median and p95 wall time of ``func()`` and the queries of one call."""
        for _ in range(warmup):
            func()
        with CaptureQueriesContext(connection) as captured:
            func()
        queries = len(captured)  # read now: the next request resets the log
        durations = []
        for _ in range(repeat):
            start = time.perf_counter()
            func()
            durations.append((time.perf_counter() - start) * 1000)
        median, p95 = statistics.median(durations), percentile(durations, 0.95)
        print(
            f"{label:<52} median {median:7.2f} ms   p95 {p95:7.2f} ms   "
            f"queries {queries:3d}   (n={repeat})"
        )
        return {"median_ms": median, "p95_ms": p95, "queries": queries}

    def time_get(self, label, url, *, repeat=200, client=None, status=200):
        client = client or self.client
        path = urlsplit(url).path + (f"?{urlsplit(url).query}" if urlsplit(url).query else "")

        def get():
            response = client.get(path)
            if response.status_code != status:
                raise SystemExit(f"{url} answered {response.status_code}, expected {status}")

        return self.time_call(label, get, repeat=repeat)
