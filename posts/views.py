from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView
from django.views.generic.dates import DayArchiveView, MonthArchiveView, YearArchiveView
from taggit.models import Tag

from posts.models import Category, Page, Post
from posts.search import clean_query, search_posts
from posts.signals import legacy_query


class PostListMixin:
    """What every public list of posts shares: published posts, paginated."""

    template_name = "posts/post_list.html"
    heading = ""
    intro = ""

    def get_paginate_by(self, queryset):
        return settings.POSTS_PER_PAGE

    def get_queryset(self):
        return Post.objects.published().for_listing()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("heading", self.heading)
        context.setdefault("intro", self.intro)
        return context


class HomeView(PostListMixin, ListView):
    """Latest posts, featured first. WordPress's ``/?s=`` search is answered
    here too, and its other query addresses (``/?p=123``...) redirect to
    wherever an app (the importer) says they now are."""

    template_name = "posts/home.html"

    def get(self, request, *args, **kwargs):
        if "s" in request.GET:
            return SearchView.as_view()(request)
        if request.GET:  # an old WordPress address such as /?p=123
            for _receiver, target in legacy_query.send(sender=HomeView, query=request.GET):
                if target:
                    return HttpResponsePermanentRedirect(target)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().order_by("-is_featured", "-published_at", "-pk")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            intro_page=Page.objects.published().filter(is_home_intro=True).first(), **kwargs
        )


class PostDetailView(DetailView):
    context_object_name = "post"

    def get_queryset(self):
        return Post.objects.visible_to(self.request.user).for_detail()

    def get_object(self, queryset=None):
        try:
            day = date(int(self.kwargs["year"]), int(self.kwargs["month"]), int(self.kwargs["day"]))
        except ValueError as exc:
            raise Http404(_("No such date.")) from exc
        return get_object_or_404(self.get_queryset(), pub_date=day, slug=self.kwargs["slug"])


class PostPreviewView(PostDetailView):
    """Drafts, by id, for staff (the admin's "view on site"); 404 for everyone else."""

    def get_object(self, queryset=None):
        if not self.request.user.is_staff:
            raise Http404
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])


class ArchiveMixin(PostListMixin):
    date_field = "published_at"
    make_object_list = True
    allow_empty = False
    month_format = "%m"

    def get_dated_items(self):
        # Dates at the ends of the calendar (/9999/12/31/, /0001/01/01/) have no
        # day after or before them to bound the query or link to.
        try:
            return super().get_dated_items()
        except (OverflowError, ValueError) as exc:
            raise Http404(_("No such date.")) from exc


class YearArchive(ArchiveMixin, YearArchiveView):
    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=_("Posts from %s") % self.get_year(), **kwargs)


class MonthArchive(ArchiveMixin, MonthArchiveView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["heading"] = _("Posts from %s") % f"{context['month']:%B %Y}"
        return context


class DayArchive(ArchiveMixin, DayArchiveView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["heading"] = _("Posts from %s") % f"{context['day']:%B %-d, %Y}"
        return context


class CategoryView(PostListMixin, ListView):
    """A category's posts, including those of the categories inside it."""

    def get_queryset(self):
        self.category = get_object_or_404(Category, slug=self.kwargs["slug"])
        return (
            super().get_queryset().filter(categories__in=self.category.descendant_ids()).distinct()
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=self.category.name,
            intro=self.category.description,
            listing_object=self.category,
            **kwargs,
        )


class TagView(PostListMixin, ListView):
    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return super().get_queryset().filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=_("Posts tagged “%s”") % self.tag.name, listing_object=self.tag, **kwargs
        )


class AuthorView(PostListMixin, ListView):
    template_name = "posts/author_detail.html"
    allow_empty = False

    def get_queryset(self):
        self.author = get_object_or_404(
            get_user_model().objects.select_related("author_profile"),
            username=self.kwargs["username"],
        )
        return super().get_queryset().filter(author=self.author)

    def get_context_data(self, **kwargs):
        profile = getattr(self.author, "author_profile", None)
        name = profile.full_name if profile else self.author.get_username()
        return super().get_context_data(author=self.author, profile=profile, heading=name, **kwargs)


class SearchView(PostListMixin, ListView):
    template_name = "posts/search.html"
    allow_empty = True

    def get_queryset(self):
        self.query = clean_query(self.request.GET.get("q") or self.request.GET.get("s") or "")
        return search_posts(super().get_queryset(), self.query)

    def get_context_data(self, **kwargs):
        return super().get_context_data(query=self.query, heading=_("Search"), **kwargs)


class PageView(DetailView):
    context_object_name = "page"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Page.objects.visible_to(self.request.user), path=self.kwargs["path"].strip("/")
        )
