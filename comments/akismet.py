"""The Akismet client, built once per process from settings.

The `akismet` library calls absolute https://rest.akismet.com/1.1/... URLs.
When AKISMET_API_URL is set (a proxy, or the local test server), an httpx
transport rewrites every request to that base URL; nothing is patched.
"""

import enum
import logging
import threading
from dataclasses import dataclass
from datetime import UTC

import akismet
import httpx
from django.conf import settings

from core.sites import absolute_url

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_client: akismet.SyncClient | None = None
_http_client: httpx.Client | None = None  # built here for _client, so closed here


class RewriteTransport(httpx.HTTPTransport):
    """Send every request to ``base_url``, keeping its path and query."""

    def __init__(self, base_url: str, **kwargs):
        super().__init__(**kwargs)
        self.base = httpx.URL(base_url)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = self.base.raw_path.rstrip(b"/") + request.url.raw_path
        request.url = self.base.copy_with(raw_path=path)
        request.headers["Host"] = request.url.netloc.decode("ascii")
        return super().handle_request(request)


def is_configured() -> bool:
    return bool(settings.AKISMET_API_KEY)


def _build_client() -> tuple[akismet.SyncClient, httpx.Client]:
    transport = (
        RewriteTransport(settings.AKISMET_API_URL)
        if settings.AKISMET_API_URL
        else httpx.HTTPTransport()
    )
    http_client = httpx.Client(
        transport=transport,
        timeout=settings.AKISMET_TIMEOUT,
        headers={"User-Agent": akismet.USER_AGENT},
    )
    config = akismet.Config(key=settings.AKISMET_API_KEY, url=settings.AKISMET_SITE_URL)
    try:
        # Verifies the key once for the process; a bad key raises APIKeyError.
        client = akismet.SyncClient.validated_client(config=config, http_client=http_client)
    except Exception:
        http_client.close()
        raise
    return client, http_client


def get_client() -> akismet.SyncClient:
    """The process's client (built, and its key verified, on first use)."""
    global _client, _http_client
    with _lock:
        if _client is None:
            _client, _http_client = _build_client()
        return _client


def reset_client() -> None:
    """Forget the client (after the Akismet settings change)."""
    global _client, _http_client
    with _lock:
        if _http_client is not None:
            _http_client.close()
        _client = _http_client = None


class Verdict(enum.StrEnum):
    HAM = "ham"
    SPAM = "spam"
    DISCARD = "discard"
    ERROR = "error"
    NOT_CHECKED = "not-checked"


@dataclass
class Check:
    verdict: Verdict
    detail: str = ""


def _gmt(value):
    return value.astimezone(UTC).isoformat() if value else None


def arguments(comment) -> dict:
    """What Akismet uses, from a comment (saved or not) and its post."""
    post = comment.post
    values = {
        "user_ip": comment.ip_address or "",
        "user_agent": comment.user_agent,
        "referrer": comment.referrer,
        "permalink": absolute_url(post.get_absolute_url()),
        "comment_type": "reply" if comment.parent_id not in (0, comment.pk) else "comment",
        "comment_author": comment.user_name,
        "comment_author_email": comment.user_email,
        "comment_author_url": comment.user_url,
        "comment_content": comment.comment,
        "comment_date_gmt": _gmt(comment.submit_date),
        "comment_post_modified_gmt": _gmt(post.updated_at),
        "blog_lang": "en",
        "blog_charset": "UTF-8",
        "user_role": "administrator" if comment.user_id and comment.user.is_staff else "",
    }
    if settings.AKISMET_IS_TEST:
        values["is_test"] = 1
    return {key: value for key, value in values.items() if value not in ("", None)}


def check(comment) -> Check:
    """Ask Akismet about a comment before it is stored. Never raises."""
    if not is_configured():
        return Check(Verdict.NOT_CHECKED, "Akismet is not configured (no AKISMET_API_KEY).")
    try:
        kwargs = arguments(comment)
        result = get_client().comment_check(kwargs.pop("user_ip", ""), **kwargs)
    except akismet.APIKeyError:
        logger.error("Akismet rejected the API key or site URL.")
        return Check(Verdict.ERROR, "Akismet rejected the site's API key")
    except akismet.RequestError as exc:
        logger.warning("Akismet did not answer: %s", exc)
        return Check(Verdict.ERROR, f"No usable answer from Akismet: {str(exc).rstrip('.')}")
    except akismet.AkismetError as exc:
        logger.warning("Akismet answered something unexpected: %s", exc)
        return Check(Verdict.ERROR, "Akismet gave an unexpected answer")
    except Exception:
        # Whatever goes wrong with the outside service, the comment is kept and held.
        logger.exception("The Akismet check failed")
        return Check(Verdict.ERROR, "The Akismet check failed")
    if result == akismet.CheckResponse.DISCARD:
        return Check(Verdict.DISCARD)
    if result == akismet.CheckResponse.SPAM:
        return Check(Verdict.SPAM)
    return Check(Verdict.HAM)


def submit(comment, *, spam: bool) -> bool:
    """Tell Akismet it was wrong (or right). Raises AkismetError on failure."""
    kwargs = arguments(comment)
    user_ip = kwargs.pop("user_ip", "")
    client = get_client()
    if spam:
        return client.submit_spam(user_ip, **kwargs)
    return client.submit_ham(user_ip, **kwargs)
