from django.urls import re_path

from importers import views

app_name = "importers"

# WordPress addresses the import cannot store as redirects, one per post.
urlpatterns = [
    re_path(
        r"^(?P<path>.+)/comment-page-(?P<page>[0-9]{1,6})/$",
        views.comment_page,
        name="comment_page",
    ),
]
