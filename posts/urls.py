from django.urls import path, register_converter
from django.views.generic import RedirectView

from posts import feeds, views


class TwoDigits:
    regex = "[0-9]{2}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return f"{int(value):02d}"


class FourDigits(TwoDigits):
    regex = "[0-9]{4}"

    def to_url(self, value):
        return f"{int(value):04d}"


register_converter(TwoDigits, "dd")
register_converter(FourDigits, "yyyy")

app_name = "posts"

# WordPress's permalink shapes, so old links keep working. Pages are the
# catch-all: ldnsite/urls.py includes this module last.
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("feed/", feeds.PostFeed.as_view(), name="feed"),
    path("feed/atom/", feeds.PostAtomFeed.as_view(), name="feed_atom"),
    # WordPress's other names for its main feed, kept for old feed readers.
    path("feed/rss2/", RedirectView.as_view(pattern_name="posts:feed", permanent=True)),
    path("feed/rss/", RedirectView.as_view(pattern_name="posts:feed", permanent=True)),
    path("preview/post/<int:pk>/", views.PostPreviewView.as_view(), name="preview"),
    path("category/<slug:slug>/", views.CategoryView.as_view(), name="category"),
    path("category/<slug:slug>/feed/", feeds.CategoryFeed.as_view(), name="category_feed"),
    path(
        "category/<slug:slug>/feed/atom/",
        feeds.CategoryAtomFeed.as_view(),
        name="category_feed_atom",
    ),
    path("tag/<slug:slug>/", views.TagView.as_view(), name="tag"),
    path("tag/<slug:slug>/feed/", feeds.TagFeed.as_view(), name="tag_feed"),
    path("tag/<slug:slug>/feed/atom/", feeds.TagAtomFeed.as_view(), name="tag_feed_atom"),
    path("author/<str:username>/", views.AuthorView.as_view(), name="author"),
    path("<yyyy:year>/", views.YearArchive.as_view(), name="archive_year"),
    path("<yyyy:year>/<dd:month>/", views.MonthArchive.as_view(), name="archive_month"),
    path("<yyyy:year>/<dd:month>/<dd:day>/", views.DayArchive.as_view(), name="archive_day"),
    path(
        "<yyyy:year>/<dd:month>/<dd:day>/<slug:slug>/",
        views.PostDetailView.as_view(),
        name="detail",
    ),
    path(
        "<yyyy:year>/<dd:month>/<dd:day>/<slug:slug>/feed/",
        feeds.PostCommentsFeed.as_view(),
        name="comments_feed",
    ),
    path(
        "<yyyy:year>/<dd:month>/<dd:day>/<slug:slug>/feed/atom/",
        feeds.PostCommentsAtomFeed.as_view(),
        name="comments_feed_atom",
    ),
    path("<path:path>/", views.PageView.as_view(), name="page"),
]
