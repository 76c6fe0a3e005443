from django.contrib.auth.views import LogoutView
from django.urls import path

from core import account_views, views

app_name = "core"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.RobotsView.as_view(), name="robots"),
    path("account/login/", account_views.LoginView.as_view(), name="login"),
    path("account/logout/", LogoutView.as_view(), name="logout"),
    path("account/two-factor/", account_views.two_factor, name="two_factor"),
]
