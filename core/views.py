from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from core import health


@never_cache
@require_GET
def healthz(request):
    """200 when the database and the cache answer, 503 otherwise (for a load
    balancer). HealthCheckMiddleware answers first, whatever the Host header;
    this view is the same answer for a stack without that middleware."""
    return health.response()


class RobotsView(TemplateView):
    template_name = "robots.txt"
    content_type = "text/plain"
