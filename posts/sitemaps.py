from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from posts.models import Category, Page, Post


class HomeSitemap(Sitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["posts:home"]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        latest = Post.objects.published().order_by("-updated_at").first()
        return latest.updated_at if latest else None


class PostSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Post.objects.published().prefetch_related("updates").order_by("-published_at")

    def lastmod(self, post):
        return post.modified_at


class PageSitemap(Sitemap):
    changefreq = "yearly"
    priority = 0.5

    def items(self):
        return Page.objects.published()

    def lastmod(self, page):
        return page.updated_at


class CategorySitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.4

    def items(self):
        return Category.objects.filter(posts__in=Post.objects.published()).distinct()


sitemaps = {
    "home": HomeSitemap,
    "posts": PostSitemap,
    "pages": PageSitemap,
    "categories": CategorySitemap,
}
