from django.urls import path, register_converter

from references import views


class ExportFormat:
    regex = "ris|bib|json"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ExportFormat, "fmt")

app_name = "references"

urlpatterns = [
    path("", views.ReferenceListView.as_view(), name="list"),
    path("export.<fmt:fmt>", views.export_all, name="export_all"),
    path("unapi/", views.unapi, name="unapi"),
    path("files/<int:pk>/<str:filename>", views.attachment_download, name="attachment"),
    path("thumbnails/<int:pk>.png", views.attachment_thumbnail, name="thumbnail"),
    path("post/<int:pk>/export.<fmt:fmt>", views.export_post, name="export_post"),
    path("<str:key>/", views.ReferenceDetailView.as_view(), name="detail"),
    path("<str:key>/export.<fmt:fmt>", views.export_reference, name="export"),
]
