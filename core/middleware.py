"""Middleware every app shares."""

from django.http import Http404, QueryDict
from django.utils.translation import gettext as _

NUL = "\x00"


class NulCharacterMiddleware:
    """Keep NUL characters (``%00``) away from the views.

    PostgreSQL refuses them in any string, so a lookup by a slug, username or
    query parameter that holds one would fail with a server error. No address
    on the site contains one: a path with it is not found (404). In the query
    string it can only be noise, so it is dropped and the page is answered
    as if it had not been typed (an odd search still gets its results page).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path or NUL in request.path_info:
            raise Http404(_("No page has a NUL character (%00) in its address."))
        query_string = request.META.get("QUERY_STRING", "")
        if "%00" in query_string or NUL in query_string:
            cleaned = QueryDict(mutable=True, encoding=request.encoding)
            for key, values in request.GET.lists():
                for value in values:
                    cleaned.appendlist(key.replace(NUL, ""), value.replace(NUL, ""))
            request.META["QUERY_STRING"] = cleaned.urlencode()
            cleaned._mutable = False
            request.GET = cleaned
        return self.get_response(request)
