"""The production smoke test: gunicorn with the prod settings (DEBUG off) and the
task worker, against the real PostgreSQL, Redis, a local SMTP server and a
local Akismet server. Over HTTP: read the home page and a post, post a
comment, confirm it by email, approve it in the admin (with a TOTP code),
subscribe and confirm, publish a post and receive it through the worker.
Then stop everything cleanly."""

import re
import sys
from html import unescape
from io import StringIO
from urllib.parse import urlsplit

import httpx
import pytest
import redis
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from comments.models import Comment
from posts.models import Post
from subscriptions.models import Subscriber
from tests.factories import PostFactory, StaffFactory
from tests.prod import Process, database_url_of_this_test_run, free_port, prod_env, start_gunicorn

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

REDIS_TEST_DB = "redis://127.0.0.1:6379/9"


class Browser:
    """An HTTP client that talks to gunicorn as if through the TLS proxy, keeps
    cookies (prod cookies are Secure, so it sends them itself) and says where
    its requests come from, as a browser does."""

    def __init__(self, base):
        self.base = base
        self.origin = "https://" + urlsplit(base).netloc
        self.cookies = {}
        self.client = httpx.Client(timeout=20)

    def _send(self, method, url, **kwargs):
        path = url.replace(self.origin, "") if url.startswith(self.origin) else url
        headers = {
            "X-Forwarded-Proto": "https",
            "Sec-Fetch-Site": "same-origin",
            "Origin": self.origin,
            "Referer": self.origin + "/",
            **kwargs.pop("headers", {}),
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = self.client.request(method, self.base + path, headers=headers, **kwargs)
        for name, value in response.cookies.items():
            self.cookies[name] = value
        return response

    def get(self, url, **kwargs):
        return self._send("GET", url, **kwargs)

    def post(self, url, data, **kwargs):
        return self._send("POST", url, data=data, **kwargs)

    def follow(self, response):
        while response.status_code in (301, 302, 303):
            response = self.get(response.headers["Location"])
        return response


def hidden_fields(html, form_marker):
    form = re.search(rf"<form[^>]*{form_marker}.*?</form>", html, re.S).group(0)
    return {
        name: unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
    }


def csrf_token(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def link_in(message, fragment):
    return re.search(rf"https://\S+{fragment}\S+/", message.text).group(0)


def test_production_stack_end_to_end(prod_static, smtp_server, akismet_server):
    call_command("load_demo", stdout=StringIO())
    post = Post.objects.get(slug__startswith="low-dose-naltrexone")
    author = post.author
    # Hashed as production hashes (the test settings use a fast hasher).
    author.password = PBKDF2PasswordHasher().encode(
        "a-strong-password-for-the-smoke-test", PBKDF2PasswordHasher().salt()
    )
    author.save()
    device = TOTPDevice.objects.create(user=author, name="phone", confirmed=True)
    draft = PostFactory(
        author=author,
        title="Dextromethorphan for CRPS: what we know",
        status=Post.Status.DRAFT,
        published_at=None,
    )
    StaffFactory(username="unused")  # an extra account changes nothing
    redis.Redis.from_url(REDIS_TEST_DB).flushdb()

    port = free_port()
    site = f"https://127.0.0.1:{port}"
    env = prod_env(
        DATABASE_URL=database_url_of_this_test_run(),
        REDIS_URL=REDIS_TEST_DB,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        SITE_URL=site,
        DJANGO_STATIC_ROOT=str(prod_static),
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_server.port}",
        AKISMET_API_KEY=akismet_server.key,
        AKISMET_API_URL=akismet_server.url,
        AKISMET_SITE_URL=site,
        DJANGO_LOG_LEVEL="WARNING",
    )
    worker = Process([sys.executable, "manage.py", "db_worker", "--interval", "0.2"], env)
    web, base = start_gunicorn(env, port=port)
    try:
        browser = Browser(base)

        # Read the home page and the post (twice: the second comes from the cache).
        home = browser.get("/")
        assert home.status_code == 200
        assert "Low Dose Naltrexone" in home.text
        assert "Content-Security-Policy" in home.headers
        page = browser.get(post.get_absolute_url())
        assert page.status_code == 200
        # (The first visits create the settings rows, which invalidates the cache once.)
        browser.get(post.get_absolute_url())
        again = browser.get(post.get_absolute_url())
        assert again.headers.get("X-Page-Cache") == "hit", (dict(page.headers), dict(again.headers))
        assert "Strict-Transport-Security" in page.headers

        # A reader comments (no token on the cached page), confirms by email.
        reader = Browser(base)
        fields = hidden_fields(reader.get(post.get_absolute_url()).text, 'class="comment-form"')
        response = reader.post(
            "/comments/post/",
            {
                **fields,
                "name": "Jenny Marsh",
                "email": "jenny@example.com",
                "url": "",
                "comment": "Could LDN be taken alongside a tramadol taper?",
                "follow": "replies",
            },
        )
        assert response.status_code == 302, response.text[:500]

        # The thank-you message (a flash message) is shown to that reader, on a
        # page made for them, and never stored for or served to anyone else.
        thanked = reader.follow(response)
        assert "We have emailed jenny@example.com a link" in thanked.text
        assert "X-Page-Cache" not in thanked.headers
        assert "private" in thanked.headers["Cache-Control"]
        others = [Browser(base).get(post.get_absolute_url()) for _ in range(2)]
        assert others[-1].headers.get("X-Page-Cache") == "hit"
        for other in others:
            assert "We have emailed" not in other.text
            assert 'class="messages"' not in other.text

        confirm_mail = next(m for m in smtp_server.wait_for(1) if "jenny@example.com" in m.rcpt_tos)
        confirm_url = link_in(confirm_mail, "/comments/confirm/")
        confirm_page = reader.get(confirm_url)
        assert confirm_page.status_code == 200
        reader.follow(
            reader.post(confirm_url, {"csrfmiddlewaretoken": csrf_token(confirm_page.text)})
        )
        comment = Comment.objects.get(user_email="jenny@example.com")
        assert comment.status == Comment.Status.PENDING  # a first-time commenter is held
        # Anonymous readers get the page from the cache, without the held comment.
        held = [Browser(base).get(post.get_absolute_url()) for _ in range(2)]
        assert held[-1].headers.get("X-Page-Cache") == "hit"
        assert "alongside a tramadol taper" not in held[-1].text

        # The author logs in to the admin with a TOTP code and approves it.
        login = browser.get("/admin/login/?next=/admin/")
        response = browser.post(
            "/admin/login/?next=/admin/",
            {
                "csrfmiddlewaretoken": csrf_token(login.text),
                "username": author.username,
                "password": "a-strong-password-for-the-smoke-test",
                "otp_token": f"{totp(device.bin_key):06d}",
                "next": "/admin/",
            },
        )
        assert response.status_code == 302, re.findall(r"errornote[^<]*<?[^<]*", response.text)
        queue = browser.get("/admin/comments/comment/")
        assert queue.status_code == 200
        assert "Jenny Marsh" in queue.text
        browser.follow(
            browser.post(
                "/admin/comments/comment/",
                {
                    "csrfmiddlewaretoken": csrf_token(queue.text),
                    "action": "approve",
                    "_selected_action": str(comment.pk),
                    "index": "0",
                    "select_across": "0",
                },
            )
        )
        comment.refresh_from_db()
        assert comment.status == Comment.Status.PUBLISHED
        # A new anonymous reader (no cookie: served from the cache, through Redis
        # and whichever gunicorn worker) sees the approved comment at once.
        shown = [Browser(base).get(post.get_absolute_url()) for _ in range(2)]
        assert [r.headers.get("X-Page-Cache") for r in shown] == ["miss", "hit"]
        for response in shown:
            assert "alongside a tramadol taper" in response.text

        # Someone subscribes from the sidebar and confirms through the email.
        subscriber = Browser(base)
        response = subscriber.post(
            "/subscribe/", {"email": "loretta@example.com", "frequency": "immediate"}
        )
        assert response.status_code == 302
        mails = smtp_server.wait_for(len(smtp_server.received) + 1)
        welcome = next(m for m in mails if "loretta@example.com" in m.rcpt_tos)
        confirm_url = link_in(welcome, "/subscribe/confirm/")
        confirm_page = subscriber.get(confirm_url)
        subscriber.follow(
            subscriber.post(confirm_url, {"csrfmiddlewaretoken": csrf_token(confirm_page.text)})
        )
        assert Subscriber.objects.get(email="loretta@example.com").status == "confirmed"

        # The author publishes a post; the worker mails it to the subscriber.
        posts = browser.get("/admin/posts/post/")
        browser.follow(
            browser.post(
                "/admin/posts/post/",
                {
                    "csrfmiddlewaretoken": csrf_token(posts.text),
                    "action": "publish_now",
                    "_selected_action": str(draft.pk),
                    "index": "0",
                    "select_across": "0",
                },
            )
        )
        draft.refresh_from_db()
        assert draft.is_published and draft.published_at <= timezone.now()
        assert browser.get(draft.get_absolute_url()).status_code == 200
        received = []
        for _ in range(100):
            received = [
                m
                for m in smtp_server.to("loretta@example.com")
                if "Dextromethorphan for CRPS" in (m.subject or "")
            ]
            if received:
                break
            smtp_server.wait_for(len(smtp_server.received) + 1, timeout=0.3)
        assert len(received) == 1
        assert received[0].header("List-Unsubscribe").startswith(f"<{site}/")
    finally:
        web_code, web_log = web.stop()
        worker_code, worker_log = worker.stop()
    assert web_code == 0, web_log[-3000:]
    assert worker_code == 0, worker_log[-3000:]
    assert "Traceback" not in web_log, web_log[-3000:]
