"""The admin's front page leads with the author's jobs; nothing in it errors."""

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_index_leads_with_the_jobs_and_folds_the_technical_apps(staff_client):
    page = staff_client.get(reverse("admin:index")).text
    assert f'href="{reverse("admin:posts_post_add")}">Write a new post</a>' in page
    assert "No comments are waiting for moderation." in page
    assert "Email subscribers" in page

    # The daily apps, in the order of the work, then the set-up folded away.
    daily = [page.index(f'href="/admin/{label}/"') for label in ("posts", "comments")]
    daily += [page.index(f'href="/admin/{label}/"') for label in ("references", "subscriptions")]
    assert daily == sorted(daily)
    folded = page.index("<details")
    assert daily[-1] < folded
    for label in (
        "auth",
        "axes",
        "taggit",
        "django_tasks_database",
        "otp_totp",
        "redirects",
        "sites",
    ):
        assert page.index(f'href="/admin/{label}/"') > folded, label
    # Plain names, not the packages' labels.
    assert "Background tasks" in page and "Tasks Database Backend" not in page
    assert "Two-step login: authenticator apps" in page and "Otp_Totp" not in page
    assert "Old addresses (redirects)" in page
    # Posts come first in the writing app, not the alphabet's first model.
    writing = page[page.index('href="/admin/posts/"') :]
    assert writing.index("/admin/posts/post/") < writing.index("/admin/posts/authorprofile/")


def test_every_admin_list_and_add_page_opens_on_an_empty_site(staff_client):
    """An empty site is where the author starts: no page of the admin may fail."""
    failures = []
    for model in admin.site._registry:
        opts = model._meta
        for view in ("changelist", "add"):
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}")
            response = staff_client.get(url, follow=True)
            if response.status_code not in (200, 403):
                failures.append((url, response.status_code))
    assert failures == []


def test_admin_pages_load_the_sites_admin_stylesheet(staff_client):
    """admin.css (no inline styles: the CSP forbids them) is on every admin page."""
    for url in (reverse("admin:index"), reverse("admin:posts_post_add")):
        assert "/static/css/admin.css" in staff_client.get(url).text


def test_every_admin_page_opens_with_the_demo_content(client):
    """The demo site's lists and its records' forms (references with their files,
    comments, the seed post...): none may fail."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)
    client.force_login(get_user_model().objects.get(username="nsajben"))
    failures = []
    for model in admin.site._registry:
        opts = model._meta
        urls = [reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")]
        for pk in model._default_manager.order_by("pk").values_list("pk", flat=True)[:20]:
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk]))
        for url in urls:
            response = client.get(url, follow=True)
            if response.status_code != 200:
                failures.append((url, response.status_code))
    assert failures == []
