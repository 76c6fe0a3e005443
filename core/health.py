"""/healthz, for the load balancer and the container's health check.

Answered by the first middleware, before anything looks at the Host header:
a load balancer probes by IP address (``Host: 10.0.0.5:8000``), which is not
in ALLOWED_HOSTS, and a probe must learn whether this process can serve, not
get a 400. It reveals nothing but "ok" or which dependency failed.
"""

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers

PATH = "/healthz"


def check():
    """(healthy, {"database": ..., "cache": ...})."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except DatabaseError as exc:
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        cache.set("healthz", "1", timeout=10)
        checks["cache"] = "ok" if cache.get("healthz") == "1" else "error: no round trip"
    except Exception as exc:  # any cache backend failure means unhealthy
        checks["cache"] = f"error: {exc.__class__.__name__}"
    return all(value == "ok" for value in checks.values()), checks


def response():
    healthy, checks = check()
    answer = JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )
    add_never_cache_headers(answer)
    return answer


class HealthCheckMiddleware:
    """Answers GET/HEAD /healthz whatever the Host header says (placed first)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == PATH and request.method in ("GET", "HEAD"):
            return response()
        return self.get_response(request)
