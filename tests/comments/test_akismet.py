"""The Akismet client against the local server: key verification, and the
transport that points the library's absolute URLs at a configured base URL."""

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_check_akismet_verifies_the_key(akismet_server, capsys):
    call_command("check_akismet")
    assert "Akismet accepts the key for https://pain.example.org." in capsys.readouterr().out
    (verify,) = akismet_server.received("verify-key")
    assert verify.form == {"key": akismet_server.key, "blog": "https://pain.example.org"}
    assert verify.path == "/1.1/verify-key"
    assert verify.headers["User-Agent"].startswith("akismet.py/")


def test_check_akismet_reports_a_wrong_key_and_no_answer(akismet_server, settings):
    settings.AKISMET_API_KEY = "wrong-key"
    with pytest.raises(CommandError, match="Akismet rejected the key"):
        call_command("check_akismet")
    settings.AKISMET_API_KEY = akismet_server.key
    akismet_server.refuse()
    with pytest.raises(CommandError, match="Akismet did not answer"):
        call_command("check_akismet")


def test_without_a_key_the_deploy_check_warns(settings):
    from comments.checks import akismet_configured

    settings.AKISMET_API_KEY = ""
    (warning,) = akismet_configured(None)
    assert warning.id == "comments.W001"
    with pytest.raises(CommandError, match="AKISMET_API_KEY is not set"):
        call_command("check_akismet")


def test_production_requests_are_not_marked_as_tests(
    client, post, comment_form, settings, akismet_server
):
    settings.AKISMET_IS_TEST = False
    client.post("/comments/post/", comment_form(post))
    (check,) = akismet_server.received("comment-check")
    assert "is_test" not in check.form
    assert check.form["comment_author"] == "Liz Reader"


def _akismet_is_test(settings_module, **env):
    """AKISMET_IS_TEST as Django reads it from ``settings_module``, in a fresh
    process with the given environment (as a deployed site would start)."""
    import subprocess
    import sys

    from tests.prod import ROOT, prod_env

    base = {k: v for k, v in prod_env().items() if k != "AKISMET_IS_TEST"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(repr(settings.AKISMET_IS_TEST))",
        ],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": settings_module, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("settings_module", "env", "expected"),
    [
        ("ldnsite.settings.prod", {}, "False"),
        ("ldnsite.settings.prod", {"AKISMET_IS_TEST": "true"}, "True"),
        ("ldnsite.settings.dev", {}, "True"),
        ("ldnsite.settings.dev", {"AKISMET_IS_TEST": "false"}, "False"),
        ("ldnsite.settings.test", {}, "True"),
    ],
)
def test_only_production_lets_akismet_learn_from_comments(settings_module, env, expected):
    assert _akismet_is_test(settings_module, **env) == expected
