"""`manage.py load_demo` builds the seed page and can run again safely."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from posts.models import Book, Category, Page, Post, PostUpdate

pytestmark = pytest.mark.django_db


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (Post, PostUpdate, Category, Page, Book, get_user_model())
    }


def test_load_demo_builds_the_seed_post_and_is_idempotent(client):
    out = StringIO()
    call_command("load_demo", stdout=out)
    first = _counts()
    call_command("load_demo", stdout=StringIO())
    assert _counts() == first

    post = Post.objects.get()
    assert post.title.startswith("Low Dose Naltrexone “LDN” and Dextromethorphan")
    assert [u.date.isoformat() for u in post.updates.all()] == ["2010-06-22", "2010-12-10"]
    assert post.recommended_book.title == "The Promise of Low Dose Naltrexone Therapy"
    assert {c.name for c in post.categories.all()} >= {"CRPS/RSD", "Fibromyalgia", "MS"}
    assert "nsajben" in out.getvalue()

    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    text = response.text
    assert "How does it work?" in text
    assert "Bernard Bihari, MD, in 1984" in text
    assert "June 22, 2010" in text and "December 10, 2010" in text
    assert "McFarland" in text
    assert "not a substitute for medical advice" in text
    home = client.get("/")
    assert "Welcome to my Weblog on Pain Management!" in home.text
    assert post.title in home.text.replace("&ldquo;", "“")


def test_demo_author_can_log_in_to_the_admin(client):
    call_command("load_demo", stdout=StringIO())
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "nsajben", "password": "ldn-demo-author", "next": "/admin/"},
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
