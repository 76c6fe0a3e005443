"""Security settings: headers and CSP, deploy checks, login throttling and
two-step login for the admin."""

import json
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import StaffFactory
from tests.prod import database_url_of_this_test_run, prod_env

ROOT = Path(__file__).resolve().parent.parent.parent
pytestmark = pytest.mark.django_db


def test_every_page_sends_a_strict_csp_and_security_headers(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_deploy_checks_report_nothing_with_prod_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=prod_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_prod_refuses_to_start_without_a_secret_key():
    env = prod_env()
    del env["DJANGO_SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_prod_logs_one_json_object_per_line_on_stdout():
    code = "import logging, django; django.setup(); logging.getLogger('ldnsite').warning('hello')"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=prod_env(), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "hello" not in result.stderr
    record = json.loads(result.stdout.strip().splitlines()[-1])
    assert record["message"] == "hello"
    assert record["level"] == "WARNING"
    assert record["logger"] == "ldnsite"
    assert "time" in record


def _run_prod_requests(code, **env):
    """Run ``code`` (requests through django.test.Client) with the prod settings."""
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env=prod_env(
            DATABASE_URL=database_url_of_this_test_run(), DJANGO_ALLOWED_HOSTS="testserver", **env
        ),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_admin_url_is_set_from_the_environment(prod_static):
    code = (
        "import json\n"
        "from django.test import Client\n"
        "client = Client()\n"
        "print(json.dumps({path: client.get(path, secure=True).status_code\n"
        "    for path in ['/admin/login/', '/desk-7f3a/login/']}))\n"
    )
    answers = _run_prod_requests(
        code, DJANGO_ADMIN_URL="desk-7f3a/", DJANGO_STATIC_ROOT=str(prod_static)
    )
    assert answers == {"/admin/login/": 404, "/desk-7f3a/login/": 200}


def test_whitenoise_serves_hashed_static_files_with_far_future_caching(prod_static):
    manifest = json.loads((prod_static / "staticfiles.json").read_text())["paths"]
    hashed = manifest["css/site.css"]
    assert hashed != "css/site.css"
    code = (
        "import json\n"
        "from django.test import Client\n"
        f"response = Client().get('/static/{hashed}', secure=True)\n"
        "print(json.dumps({'status': response.status_code, **response.headers,\n"
        "    'body': b''.join(response.streaming_content).decode()[:200]}))\n"
    )
    answer = _run_prod_requests(code, DJANGO_STATIC_ROOT=str(prod_static))
    assert answer["status"] == 200
    assert answer["Content-Type"].startswith("text/css")
    assert "max-age=315360000" in answer["Cache-Control"]
    assert "immutable" in answer["Cache-Control"]
    assert answer["body"] == (prod_static / hashed).read_text()[:200]


@pytest.mark.urls("tests.core.error_urls")
def test_server_errors_are_mailed_to_admins(settings):
    settings.ADMINS = ["doctor@example.org"]
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["doctor@example.org"]
    assert "ZeroDivisionError" in mail.outbox[0].body


def _login(client, username, password, code=None):
    data = {"username": username, "password": password, "next": "/admin/"}
    if code is not None:
        data["otp_token"] = code
    return client.post("/admin/login/?next=/admin/", data)


def test_login_is_throttled_after_repeated_failures(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    StaffFactory(username="doc", password="right-password")
    for _ in range(3):
        response = _login(client, "doc", "wrong")
        assert response.status_code in {200, 429}
    response = _login(client, "doc", "right-password")
    assert response.status_code == 429
    assert "Too many login attempts" in response.text
    assert client.get("/admin/").status_code == 302  # still not logged in


def test_admin_requires_the_authenticator_code_when_two_step_login_is_on(client, settings):
    settings.ADMIN_REQUIRE_2FA = True
    user = StaffFactory(username="doc", password="right-password")
    response = _login(client, "doc", "right-password")
    assert "has no authenticator app yet" in response.text
    assert "Set one up at /account/two-factor/ after" in response.text

    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    response = _login(client, "doc", "right-password", code="000000")
    assert "That code did not work" in response.text
    assert client.get("/admin/").status_code == 302

    # A wrong code slows the next try down (django-otp's throttling): wait it out.
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        code = f"{totp(device.bin_key):06d}"
        response = _login(client, "doc", "right-password", code=code)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_backup_codes_work_once(client, settings):
    settings.ADMIN_REQUIRE_2FA = True
    StaffFactory(username="doc", password="right-password", is_staff=True)
    out = StringIO()
    call_command("two_factor_setup", "doc", "--no-qr", stdout=out)
    text = out.getvalue()
    assert "otpauth://totp/" in text
    codes = [line.strip() for line in text.splitlines() if line.startswith("  ")]
    assert len(codes) == 10

    assert _login(client, "doc", "right-password", code=codes[0]).status_code == 302
    assert client.get("/admin/").status_code == 200
    other = Client()
    response = _login(other, "doc", "right-password", code=codes[0])
    assert "That code did not work" in response.text


def test_staff_set_up_their_authenticator_app_on_the_site(client, settings):
    settings.ADMIN_REQUIRE_2FA = True
    StaffFactory(username="doc", password="right-password")
    client.post("/account/login/", {"username": "doc", "password": "right-password"})
    page = client.get("/account/two-factor/")
    assert page.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in page.text
    device = TOTPDevice.objects.get(confirmed=False)

    wrong = client.post("/account/two-factor/", {"code": "123456"})
    assert "does not match" in wrong.text
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        code = f"{totp(device.bin_key):06d}"
        done = client.post("/account/two-factor/", {"code": code})
        assert "Two-step login is on" in done.text
        assert done.text.count("<li><code>") == 10
        # The session is now verified: the admin opens without logging in again.
        assert client.get("/admin/").status_code == 200


def test_errors_go_to_sentry_when_a_dsn_is_set(prod_static):
    from tests.servers.recording_http import RecordingServer

    # A request that fails inside the prod configuration (URLconf with a failing view).
    code = (
        "import django, sentry_sdk; django.setup()\n"
        "from django.test import Client, override_settings\n"
        "with override_settings(ROOT_URLCONF='tests.core.error_urls'):\n"
        "    response = Client(raise_request_exception=False).get('/boom/', secure=True)\n"
        "assert response.status_code == 500, response.status_code\n"
        "sentry_sdk.flush(timeout=5)\n"
    )
    with RecordingServer() as sentry:
        dsn = f"http://publickey@127.0.0.1:{sentry.port}/42"
        subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=prod_env(
                DATABASE_URL=database_url_of_this_test_run(),
                SENTRY_DSN=dsn,
                DJANGO_ALLOWED_HOSTS="testserver",
                DJANGO_STATIC_ROOT=str(prod_static),
            ),
            check=True,
            capture_output=True,
        )
    paths = [path for path, _headers, _body in sentry.requests]
    assert "/api/42/envelope/" in paths
    body = b"".join(body for _path, _headers, body in sentry.requests)
    assert b"ZeroDivisionError" in body, body[:3000]


def test_media_in_s3_is_stored_so_that_only_images_display(prod_static):
    """With a bucket configured, uploads are stored with the headers the bucket
    will serve them with: images inline, anything else as a download."""
    code = (
        "import json\n"
        "from django.core.files.storage import default_storage\n"
        "names = ['covers/a.png', 'documents/2024/05/notes.html', 'documents/x.pdf', 'a.svg']\n"
        "print(json.dumps({n: default_storage.get_object_parameters(n) for n in names}))\n"
    )
    params = _run_prod_requests(
        code,
        AWS_STORAGE_BUCKET_NAME="ldnsite-media",
        DJANGO_STATIC_ROOT=str(prod_static),
    )
    download = {"ContentType": "application/octet-stream", "ContentDisposition": "attachment"}
    assert params == {
        "covers/a.png": {"ContentType": "image/png", "ContentDisposition": "inline"},
        "documents/2024/05/notes.html": download,
        "documents/x.pdf": download,
        "a.svg": download,
    }
