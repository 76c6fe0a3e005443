"""RSS 2.0 and Atom feeds (django.contrib.syndication): the latest posts, a
category's (with the categories inside it), a tag's, and a post's comments.

Items carry the full post (sanitized HTML with absolute links and images,
its dated updates and the medical disclaimer) as well as its summary, author,
categories and tags, publication and last-change dates (a dated update counts
as a change) and enclosures: in Atom the cover image and the public files of
the references the post cites or lists; in RSS, which allows one enclosure
per item, the cover image or, without one, the first public full text.

Responses carry an ETag and Last-Modified computed with one cheap query and
the site's content generation (core.pagecache), so a feed reader polling an
unchanged feed gets a 304 without the feed being built, while any change the
feed shows (a post, a dated update, the site settings, a category's, tag's or
author's name, a reference's file) gives a new ETag; and a Cache-Control
max-age. The number of queries does not grow with the number of items.
"""

import hashlib
import logging
import mimetypes
import time
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Max
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed, rfc3339_date
from django.utils.html import escape, linebreaks
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext as _
from taggit.models import Tag

from core import pagecache
from core.html import absolute_urls
from core.models import SiteSettings
from core.sites import absolute_url
from posts.models import Category, Post
from posts.text import without_markup

logger = logging.getLogger(__name__)

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
# How long the time a feed version was first served is remembered (its
# Last-Modified); forgotten, it becomes the time of the next request.
FIRST_SEEN_SECONDS = 60 * 60 * 24 * 30


class RssFeedWithContent(Rss201rev2Feed):
    """RSS 2.0 with the full post in <content:encoded> and the last change in
    <atom:updated> (<description> keeps the summary, as WordPress does)."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:content": CONTENT_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item["updateddate"] is not None:
            handler.addQuickElement("atom:updated", rfc3339_date(item["updateddate"]))
        if item.get("content_html"):
            handler.addQuickElement("content:encoded", item["content_html"])


class AtomFeedWithContent(Atom1Feed):
    """Atom with the summary in <summary> and the full post in <content>."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})


@dataclass
class FeedSubject:
    """What a feed is about, worked out once per request."""

    site: SiteSettings
    title: str
    link: str
    description: str
    path: str
    posts: object = None  # the posts in scope (a queryset), for post feeds
    post: Post | None = None  # for a post's comments feed
    extra: dict = field(default_factory=dict)


def _first_seen(etag: str) -> int:
    """When this feed version (``etag``) was first served, as its
    Last-Modified: a change that no stored time records (a renamed category,
    a dated update) still moves Last-Modified forward with the new ETag, so a
    reader asking only If-Modified-Since gets it too. One cache round trip."""
    key = "feeds:first-seen:" + etag.strip('"')
    seen = cache.get(key)
    if seen is None:
        now = int(time.time())
        cache.add(key, now, timeout=FIRST_SEEN_SECONDS)
        seen = cache.get(key, now)
    return seen


def _tag_uri(kind: str, pk: int, day: date) -> str:
    """A permanent id (RFC 4151): stays the same if the post's address changes."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"tag:{host},{day:%Y-%m-%d}:{kind}:{pk}"


class ConditionalFeed(Feed):
    """A feed answering conditional GETs and saying how long it may be cached."""

    feed_type = RssFeedWithContent
    language = "en"

    @classmethod
    def as_view(cls):
        """A view making one feed object per request, so that what a request
        works out (``self.subject``) is never shared between threads."""

        def view(request, *args, **kwargs):
            return cls()(request, *args, **kwargs)

        view.feed_class = cls
        return view

    def __call__(self, request, *args, **kwargs):
        try:
            subject = self.subject = self.get_object(request, *args, **kwargs)
        except ObjectDoesNotExist as exc:
            raise Http404(_("No such feed.")) from exc
        etag, last_modified = self.validators(subject)
        if etag is not None:
            not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
            if not_modified is not None:
                return self._headers(not_modified, etag, last_modified)
        feed = self.get_feed(subject, request)
        response = HttpResponse(content_type=feed.content_type)
        feed.write(response, "utf-8")
        if etag is None:
            etag = quote_etag(hashlib.md5(response.content, usedforsecurity=False).hexdigest())
            latest = feed.latest_post_date()
            last_modified = max(int(latest.timestamp()) if latest else 0, _first_seen(etag))
            response = get_conditional_response(
                request, etag=etag, last_modified=last_modified, response=response
            )
        return self._headers(response, etag, last_modified)

    @staticmethod
    def _headers(response, etag, last_modified):
        response.headers["ETag"] = etag
        if last_modified is not None:
            response.headers["Last-Modified"] = http_date(last_modified)
        patch_cache_control(response, public=True, max_age=settings.FEED_MAX_AGE)
        return response

    def validators(self, subject):
        """(ETag, Last-Modified timestamp) from a cheap query, or (None, None)
        to derive them from the generated feed."""
        return None, None

    def title(self, subject):
        return subject.title

    def link(self, subject):
        return subject.link

    def description(self, subject):
        return subject.description

    subtitle = description

    def feed_url(self, subject):
        return absolute_url(subject.path)


class PostFeed(ConditionalFeed):
    """The latest published posts in a scope (the whole site by default)."""

    def get_object(self, request):
        site = SiteSettings.get_solo()
        return FeedSubject(
            site=site,
            title=site.site_title,
            link=absolute_url(reverse("posts:home")),
            description=site.tagline or site.description,
            path=request.path,
            posts=Post.objects.all(),
        )

    def published(self, subject):
        return subject.posts.published()

    def validators(self, subject):
        state = self.published(subject).aggregate(
            count=Count("pk", distinct=True),
            published=Max("published_at"),
            edited=Max("updated_at"),
            update_count=Count("updates", distinct=True),
            last_update=Max("updates__pk"),
        )
        if not state["count"]:
            return None, None
        try:
            # Changes with anything the pages (and so the feeds) show, whichever
            # model it is (PAGE_CACHE_MODELS), and when a scheduled post's time comes.
            generation = pagecache.current_generation()
        except Exception:  # no shared generation: build the feed and hash it
            logger.warning("Content generation unavailable; feed ETag from content", exc_info=True)
            return None, None
        site = subject.site
        fingerprint = "|".join(
            str(part)
            for part in (
                self.feed_type.__name__,
                settings.FEED_ITEMS,
                settings.SITE_URL,
                state["count"],
                state["published"].timestamp(),
                state["edited"].timestamp(),
                state["update_count"],
                state["last_update"],
                generation,
                subject.title,
                subject.description,
                site.site_title,
                site.medical_disclaimer,
            )
        )
        etag = quote_etag(hashlib.md5(fingerprint.encode(), usedforsecurity=False).hexdigest())
        changed = int(max(state["published"], state["edited"]).timestamp())
        return etag, max(changed, _first_seen(etag))

    def items(self, subject):
        posts = list(
            self.published(subject)
            .for_listing()
            .prefetch_related("updates")
            .order_by("-published_at", "-pk")[: settings.FEED_ITEMS]
        )
        self.attachments = attachments_for_feed(posts)
        return posts

    def item_title(self, post):
        return post.title

    def item_description(self, post):
        return f"<p>{escape(post.summary)}</p>"

    def item_link(self, post):
        return absolute_url(post.get_absolute_url())

    def item_guid(self, post):
        return _tag_uri("post", post.pk, post.pub_date)

    def item_comments(self, post):
        return absolute_url(post.get_absolute_url()) + "#comments"

    item_guid_is_permalink = False

    def item_author_name(self, post):
        profile = getattr(post.author, "author_profile", None)
        return profile.full_name if profile else post.author.get_username()

    def item_author_link(self, post):
        profile = getattr(post.author, "author_profile", None)
        return absolute_url(profile.get_absolute_url()) if profile else None

    def item_pubdate(self, post):
        return post.published_at

    def item_updateddate(self, post):
        return post.modified_at

    def item_categories(self, post):
        return [c.name for c in post.categories.all()] + [t.name for t in post.tags.all()]

    def item_enclosures(self, post):
        """Atom: the cover image and every public file of the post's
        references. RSS allows one enclosure per item: the cover image, or
        without one the first public full text (the paper the post is about)."""
        cover = self._cover_enclosure(post)
        files = self.attachments.get(post.pk, [])
        if issubclass(self.feed_type, Atom1Feed):
            return cover + [self._file_enclosure(a) for a in files]
        if cover:
            return cover
        full_text = [a for a in files if a.kind == a.Kind.FULL_TEXT]
        return [self._file_enclosure(a) for a in full_text[:1]]

    @staticmethod
    def _cover_enclosure(post):
        if not post.cover_image:
            return []
        try:
            length = post.cover_image.size
        except OSError:
            return []
        mime_type = mimetypes.guess_type(post.cover_image.name)[0] or "image/jpeg"
        return [Enclosure(absolute_url(post.cover_image.url), str(length), mime_type)]

    @staticmethod
    def _file_enclosure(attachment):
        return Enclosure(
            absolute_url(attachment.get_absolute_url()), str(attachment.size), attachment.mime_type
        )

    def feed_extra_kwargs(self, subject):
        self.disclaimer = absolute_urls(subject.site.medical_disclaimer)
        return {}

    def item_extra_kwargs(self, post):
        content = render_to_string(
            "posts/feeds/post_content.html",
            {
                "post": post,
                "body": absolute_urls(without_markup(post.body)),
                "updates": [(u, absolute_urls(without_markup(u.text))) for u in post.updates.all()],
                "cover_url": absolute_url(post.cover_image.url) if post.cover_image else "",
                "disclaimer": self.disclaimer,
            },
        )
        return {"content_html": content}


class PostAtomFeed(PostFeed):
    feed_type = AtomFeedWithContent


class CategoryFeed(PostFeed):
    def get_object(self, request, slug):
        category = get_object_or_404(Category, slug=slug)
        site = SiteSettings.get_solo()
        return FeedSubject(
            site=site,
            title=f"{site.site_title} · {category.name}",
            link=absolute_url(category.get_absolute_url()),
            description=category.description or site.tagline,
            path=request.path,
            posts=Post.objects.filter(categories__in=category.descendant_ids()).distinct(),
        )


class CategoryAtomFeed(CategoryFeed):
    feed_type = AtomFeedWithContent


class TagFeed(PostFeed):
    def get_object(self, request, slug):
        tag = get_object_or_404(Tag, slug=slug)
        site = SiteSettings.get_solo()
        return FeedSubject(
            site=site,
            title=_("%(site)s · Posts tagged “%(tag)s”") % {"site": site.site_title, "tag": tag},
            link=absolute_url(reverse("posts:tag", kwargs={"slug": tag.slug})),
            description=site.tagline,
            path=request.path,
            posts=Post.objects.filter(tags=tag),
        )


class TagAtomFeed(TagFeed):
    feed_type = AtomFeedWithContent


def attachments_for_feed(posts) -> dict:
    """post pk -> its public reference files, from the references app
    (``references.feeds.attachments_for_feed``), in a constant number of
    queries; without that app, none."""
    if not apps.is_installed("references"):
        return {}
    from references.feeds import attachments_for_feed as source

    return source(posts)


def comments_for_feed(post: Post, *, limit: int):
    """A post's public comments, newest first, from the comments app.

    The comments app provides ``comments.feeds.comments_for_feed(post, *, limit)``
    returning objects with ``pk``, ``user_name``, ``comment`` (plain text) and
    ``submit_date`` (a django-contrib-comments comment has all four). Until
    that app is installed the feed is valid and empty."""
    if not apps.is_installed("comments"):
        return []
    from comments.feeds import comments_for_feed as source

    return source(post, limit=limit)


class PostCommentsFeed(ConditionalFeed):
    """The comments of one published post (WordPress's ``<post-url>feed/``)."""

    def get_object(self, request, year, month, day, slug):
        try:
            pub_date = date(int(year), int(month), int(day))
        except ValueError as exc:
            raise Http404 from exc
        post = get_object_or_404(
            Post.objects.published().select_related("author"), pub_date=pub_date, slug=slug
        )
        site = SiteSettings.get_solo()
        return FeedSubject(
            site=site,
            title=_("Comments on “%(title)s”") % {"title": post.title},
            link=absolute_url(post.get_absolute_url()) + "#comments",
            description=post.summary,
            path=request.path,
            post=post,
        )

    def items(self, subject):
        return comments_for_feed(subject.post, limit=settings.FEED_ITEMS)

    def item_title(self, comment):
        return _("Comment by %(name)s") % {"name": comment.user_name}

    def item_description(self, comment):
        # As on the page: escaped, with emails and phone numbers masked.
        return getattr(comment, "comment_html", None) or linebreaks(
            comment.comment, autoescape=True
        )

    def item_link(self, comment):
        return absolute_url(comment.get_absolute_url())

    def item_guid(self, comment):
        return _tag_uri("comment", comment.pk, comment.submit_date.date())

    item_guid_is_permalink = False

    def item_author_name(self, comment):
        return comment.user_name or _("Anonymous")

    def item_pubdate(self, comment):
        return comment.submit_date

    def item_updateddate(self, comment):
        return comment.submit_date


class PostCommentsAtomFeed(PostCommentsFeed):
    feed_type = AtomFeedWithContent
