from django import template
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from core import pagecache
from core.sites import absolute_url
from posts.models import Category, Page, Post
from posts.search import headline_html

register = template.Library()


def _sidebar_data():
    # Filtering before annotating counts only the published posts (one query).
    categories = (
        Category.objects.filter(posts__in=Post.objects.published())
        .annotate(post_count=Count("posts"))
        .order_by("name")
    )
    months = Post.objects.published().dates("published_at", "month", order="DESC")
    return {"categories": list(categories), "months": list(months)}


@register.inclusion_tag("includes/sidebar.html")
def sidebar():
    # The same on every page and costly on a large site: kept until content changes.
    return pagecache.fragment("sidebar", _sidebar_data)


@register.simple_tag
def menu_pages():
    return pagecache.fragment("menu-pages", lambda: list(Page.objects.in_menu()))


@register.filter
def headline(post):
    return headline_html(post)


@register.inclusion_tag("includes/cover_image.html")
def cover_image(post, sizes="(min-width: 48rem) 45rem, 100vw", loading="lazy"):
    renditions = sorted((int(w), name) for w, name in (post.cover_renditions or {}).items())
    storage = post.cover_image.storage
    srcset = ", ".join(f"{storage.url(name)} {width}w" for width, name in renditions)
    if renditions:
        srcset += f", {post.cover_image.url} {post.cover_width}w"
    return {"post": post, "srcset": srcset, "sizes": sizes, "loading": loading}


@register.simple_tag
def post_json_ld(post):
    """schema.org BlogPosting for a post page."""
    profile = getattr(post.author, "author_profile", None)
    author = {
        "@type": "Person",
        "name": profile.display_name if profile else post.author.get_username(),
        "url": absolute_url(profile.get_absolute_url()) if profile else None,
    }
    if profile and profile.credentials:
        author["honorificSuffix"] = profile.credentials
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": post.title,
        "description": post.summary,
        "url": absolute_url(post.get_absolute_url()),
        "mainEntityOfPage": absolute_url(post.get_absolute_url()),
        "datePublished": post.published_at,
        "dateModified": post.modified_at,
        "author": {k: v for k, v in author.items() if v},
        "articleSection": [category.name for category in post.categories.all()],
        "keywords": [tag.name for tag in post.tags.all()],
    }
    if post.cover_image:
        data["image"] = absolute_url(post.cover_image.url)
    if post.last_reviewed:
        data["lastReviewed"] = post.last_reviewed
    return data


@register.simple_tag(takes_context=True)
def feed_links(context):
    """The feeds a page offers: the site's posts, then the category's or tag's
    being listed, or the comments of the post being read. Each is a dict with
    ``label`` (short link text), ``title``, and the absolute ``rss`` and ``atom``
    addresses."""
    site_title = getattr(context.get("site"), "site_title", "")
    feeds = []

    def add(label, title, name, **kwargs):
        feeds.append(
            {
                "label": label,
                "title": title,
                "rss": absolute_url(reverse(f"posts:{name}", kwargs=kwargs)),
                "atom": absolute_url(reverse(f"posts:{name}_atom", kwargs=kwargs)),
            }
        )

    add("RSS posts", site_title, "feed")
    listing = context.get("listing_object")
    if isinstance(listing, Category):
        title = f"{site_title}: {listing.name}"
        add(f"RSS: {listing.name}", title, "category_feed", slug=listing.slug)
    elif isinstance(listing, Tag):
        add(f"RSS: {listing.name}", f"{site_title}: {listing.name}", "tag_feed", slug=listing.slug)
    post = context.get("post")
    if isinstance(post, Post) and post.published_at and post.is_published:
        local = timezone.localdate(post.published_at)
        add(
            "RSS comments",
            f"Comments on {post.title}",
            "comments_feed",
            year=local.year,
            month=local.month,
            day=local.day,
            slug=post.slug,
        )
    return feeds
