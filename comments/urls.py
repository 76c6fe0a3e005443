from django.urls import path

from comments import views

app_name = "comments"

urlpatterns = [
    path("post/", views.post_comment, name="post"),
    path("<int:pk>/", views.permalink, name="permalink"),
    path("confirm/<str:token>/", views.ConfirmView.as_view(), name="confirm"),
    path("mute/<str:token>/", views.MuteView.as_view(), name="mute"),
    path("privacy/", views.PrivacyRequestView.as_view(), name="privacy"),
    path("privacy/<str:token>/", views.PrivacyActionView.as_view(), name="privacy_action"),
]
