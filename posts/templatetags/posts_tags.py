from django import template
from django.db.models import Count, Q
from django.utils import timezone

from core.sites import absolute_url
from posts.models import Category, Page, Post
from posts.search import headline_html

register = template.Library()


@register.inclusion_tag("includes/sidebar.html")
def sidebar():
    published = Q(posts__status=Post.Status.PUBLISHED, posts__published_at__lte=timezone.now())
    categories = (
        Category.objects.annotate(post_count=Count("posts", filter=published))
        .filter(post_count__gt=0)
        .order_by("name")
    )
    months = Post.objects.published().dates("published_at", "month", order="DESC")
    return {"categories": categories, "months": months}


@register.simple_tag
def menu_pages():
    return Page.objects.in_menu()


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
