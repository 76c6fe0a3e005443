from django.urls import path

from subscriptions import views

app_name = "subscriptions"

urlpatterns = [
    path("subscribe/", views.SubscribeView.as_view(), name="subscribe"),
    path("subscribe/check-your-email/", views.RequestedView.as_view(), name="requested"),
    path("subscribe/confirm/<str:token>/", views.ConfirmView.as_view(), name="confirm"),
    path(
        "subscribe/unsubscribe/<str:token>/",
        views.UnsubscribeView.as_view(),
        name="unsubscribe",
    ),
    path(
        "subscribe/preferences/<str:token>/",
        views.PreferencesView.as_view(),
        name="preferences",
    ),
    path("subscribe/preferences/<str:token>/erase/", views.EraseView.as_view(), name="erase"),
    path("subscribe/erased/", views.ErasedView.as_view(), name="erased"),
]
