"""Old WordPress addresses that need a view rather than a stored redirect."""

from datetime import date

from django.contrib.redirects.models import Redirect
from django.contrib.sites.shortcuts import get_current_site
from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve

from posts.models import Page, Post


def comment_page(request, path, page):
    """``<post address>/comment-page-2/``: one of WordPress's pages of comments.

    Answers with the post's own page of its thread at the same number (both
    split threads 50 to a page by default; a number past the last page shows
    the last), under any old permalink structure the import redirects."""
    address = current_address(request, f"/{path.strip('/')}/")
    if address is None:
        raise Http404("No such post.")
    if _view_name(address) != "posts:detail":
        return HttpResponsePermanentRedirect(address)  # a page: pages take no comments here
    query = f"?cpage={int(page)}" if int(page) > 1 else ""
    return HttpResponsePermanentRedirect(f"{address}{query}#comments")


def current_address(request, path):
    """Where the post or page once at ``path`` is now: there still, or where
    its stored redirect says; None if neither."""
    name, kwargs = _view_name(path, with_kwargs=True)
    if name == "posts:detail":
        try:
            day = date(int(kwargs["year"]), int(kwargs["month"]), int(kwargs["day"]))
        except ValueError:
            day = None
        if day and Post.objects.published().filter(pub_date=day, slug=kwargs["slug"]).exists():
            return path
    elif name == "posts:page" and Page.objects.published().filter(path=kwargs["path"]).exists():
        return path
    redirect = Redirect.objects.filter(
        site=get_current_site(request), old_path__in=[path, path.rstrip("/")]
    ).first()
    return redirect.new_path if redirect and redirect.new_path else None


def _view_name(path, *, with_kwargs=False):
    try:
        match = resolve(path.split("?", 1)[0].split("#", 1)[0])
    except Resolver404:
        return (None, {}) if with_kwargs else None
    return (match.view_name, match.kwargs) if with_kwargs else match.view_name
