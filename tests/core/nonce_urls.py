"""Two pages for the page cache tests: one with an inline script carrying the
request's CSP nonce, one without."""

from django.http import HttpResponse
from django.template import engines
from django.urls import path


def _page(source):
    def view(request):
        return HttpResponse(engines["django"].from_string(source).render(request=request))

    return view


urlpatterns = [
    path("with-nonce/", _page('<script nonce="{{ csp_nonce }}">var a = 1;</script>')),
    path("plain/", _page("<p>No script here.</p>")),
]
