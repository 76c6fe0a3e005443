from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from posts.sitemaps import sitemaps

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps}, name="sitemap"),
    path("", include("core.urls")),
    path("references/", include("references.urls")),
    path("comments/", include("comments.urls")),
    path("", include("subscriptions.urls")),
    path("", include("importers.urls")),
    # posts last: its page pattern is the catch-all.
    path("", include("posts.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns = static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) + urlpatterns
