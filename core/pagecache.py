"""Whole-page caching for anonymous readers, invalidated precisely.

A page is cached only when nothing in it can belong to one person: the request
carries no session or messages cookie, and the response sets no cookie, is
not private, and did not use the request's CSP nonce (a nonce is good for one
response only). Forms on such pages carry no CSRF token; their views are
protected with ``core.http.same_origin_required`` instead.

Entries carry the versions they were made under, so invalidating is a counter
bump, never a scan (and a hit costs one cache round trip):

* the site generation, bumped when anything shown across pages changes (a post,
  a page, a category, a reference...) and when the next scheduled post's time
  comes (apps register a function that returns that time);
* a per-path version, bumped when only some pages change (a post's comments).

Both start at a random number, never at 0 or 1: if Redis evicts a version key
while entries made under it survive, counting again cannot meet an old number
and revive a stale page.

A view's own freshness rules win: a response that sets its own max-age (the
feeds) or ETag keeps them; other pages get ``max-age=0, must-revalidate`` and
an ETag of their content, so browsers revalidate with If-None-Match.

Models opt in through the PAGE_CACHE_MODELS setting; a model may define
``cached_paths()`` returning the paths it appears on, so saving it bumps only
those (a comment bumps its post's page and feed), otherwise the generation.
"""

import hashlib
import logging
import secrets
import time
from collections import OrderedDict
from datetime import UTC, datetime

from asgiref.local import Local
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_started
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.csp import get_nonce
from django.tasks.signals import task_started
from django.utils.cache import patch_cache_control, set_response_etag

logger = logging.getLogger(__name__)

GENERATION_KEY = "pagecache:generation"
NEXT_CHANGE_KEY = "pagecache:next-change"
NO_CHANGE = "none"
_schedule_providers = []


def register_schedule(provider):
    """``provider()`` returns the next datetime at which published content
    changes by itself (a scheduled post going live), or None."""
    _schedule_providers.append(provider)
    return provider


def _path_key(path):
    return "pagecache:path:" + hashlib.sha256(path.encode()).hexdigest()[:32]


def _new_generation():
    """A fresh generation (or path version) that no process can have kept
    fragments or pages for (after Redis lost its keys, counting again from 0
    could meet an old number)."""
    return secrets.randbelow(2**62)


def invalidate_all():
    """Every cached page is stale from now on; returns the new generation."""
    try:
        generation = cache.incr(GENERATION_KEY)
    except ValueError:
        generation = _new_generation()
        cache.set(GENERATION_KEY, generation, timeout=None)
    cache.delete(NEXT_CHANGE_KEY)
    return generation


def invalidate_paths(paths):
    """The cached copies of these paths (any query string) are stale."""
    for path in paths:
        key = _path_key(path)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, _new_generation(), timeout=None)


def _next_change():
    times = [t for t in (provider() for provider in _schedule_providers) if t is not None]
    return min(times).timestamp() if times else NO_CHANGE


def _rolled_over(values):
    """The generation in ``values``, rolled over if a scheduled change has come."""
    generation = values.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, _new_generation(), timeout=None)
        generation = cache.get(GENERATION_KEY, 0)
    next_change = values.get(NEXT_CHANGE_KEY)
    if next_change is None:
        next_change = _next_change()
        cache.set(NEXT_CHANGE_KEY, next_change, timeout=None)
    if next_change != NO_CHANGE and datetime.now(UTC).timestamp() >= next_change:
        generation = invalidate_all()  # no second round trip to read it back
    return generation


def clear_local():
    """Forget this process's fragments (tests)."""
    _fragments.clear()


def _lookup(path, page_key):
    """(generation, path version, stored entry) in one cache round trip (two
    more the first time a path is seen, or after its version was evicted)."""
    path_key = _path_key(path)
    values = cache.get_many([GENERATION_KEY, NEXT_CHANGE_KEY, path_key, page_key])
    path_version = values.get(path_key)
    if path_version is None:
        # Any lifetime is safe (a new key starts at a new random number), and
        # a bounded one keeps paths requested once from piling up.
        cache.add(path_key, _new_generation(), timeout=settings.PAGE_CACHE_SECONDS)
        path_version = cache.get(path_key)  # None while the cache is down: nothing stored
    return _rolled_over(values), path_version, values.get(page_key)


_request = Local()  # what one request has learnt: the generation, read once
# This process's fragments: name -> (generation, value, expiry), least recently
# used first, at most FRAGMENT_CACHE_ENTRIES of them.
_fragments = OrderedDict()


def current_generation():
    """The content generation, read from the shared cache once per request:
    it changes whenever anything in PAGE_CACHE_MODELS changes or a scheduled
    post's time comes (feeds use it in their ETag)."""
    generation = getattr(_request, "generation", None)
    if generation is None:
        generation = _request.generation = _rolled_over(
            cache.get_many([GENERATION_KEY, NEXT_CHANGE_KEY])
        )
    return generation


def fragment(name, build):
    """``build()``'s result, kept in this process until site content changes
    (the generation shared by every process, so it is never staler than whole
    pages are). For what every page shows and costs queries to work out: the
    settings rows, the sidebar, the menu. Kept for logged-in readers too, and
    when whole pages are not cached; FRAGMENT_CACHE_SECONDS = 0 turns it off."""
    if settings.FRAGMENT_CACHE_SECONDS <= 0:
        return build()
    generation = current_generation()
    stored = _fragments.get(name)
    if stored is not None and stored[0] == generation and stored[2] > time.monotonic():
        _fragments.move_to_end(name)
        return stored[1]
    value = build()
    _fragments[name] = (generation, value, time.monotonic() + settings.FRAGMENT_CACHE_SECONDS)
    _fragments.move_to_end(name)
    while len(_fragments) > settings.FRAGMENT_CACHE_ENTRIES:
        _fragments.popitem(last=False)
    return value


def _personal(request):
    """The request may get a page made for one person (logged in, or messages)."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES


def _cacheable_request(request):
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and not _personal(request)
    )


def _used_nonce(request):
    """The response carries the request's CSP nonce (a template asked for it).
    The CSP middleware runs outside this one, so its header is not there yet;
    the nonce is lazy and is true once generated."""
    return bool(get_nonce(request))


def _cacheable_response(request, response):
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
        and not _used_nonce(request)
    )


def _freshness(response):
    """Revalidate with an ETag, unless the view said otherwise itself."""
    if "max-age" in response.get("Cache-Control", ""):
        patch_cache_control(response, public=True)
    else:
        # Browsers and proxies revalidate (ETag) rather than keep stale copies.
        patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    if not response.has_header("ETag"):
        set_response_etag(response)  # once, here, rather than on every hit


class AnonymousPageCacheMiddleware:
    """Serve and store whole pages for readers without a session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _cacheable_request(request):
            response = self.get_response(request)
            if _personal(request) and response.status_code == 200:
                patch_cache_control(response, private=True)
            return response
        address = f"{request.get_host()}{request.get_full_path()}"
        key = "pagecache:page:" + hashlib.sha256(address.encode()).hexdigest()
        try:
            generation, path_version, entry = _lookup(request.path, key)
            _request.generation = generation
        except Exception:  # a cache outage must not take the pages down
            logger.warning("Page cache unavailable; serving uncached", exc_info=True)
            return self.get_response(request)
        if path_version is None:  # the cache did not answer
            return self.get_response(request)
        if entry is not None and entry[:2] == (generation, path_version):
            _, _, status, headers, content = entry
            response = HttpResponse(content, status=status, headers=headers)
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if _cacheable_response(request, response):
            _freshness(response)
            entry = (generation, path_version, response.status_code, dict(response.items()))
            try:
                cache.set(key, (*entry, response.content), settings.PAGE_CACHE_SECONDS)
            except Exception:
                logger.warning("Could not store a page in the cache", exc_info=True)
            response["X-Page-Cache"] = "miss"
        return response


# --- Invalidation on model changes -------------------------------------------


def _changed(sender, instance, **kwargs):
    paths = getattr(instance, "cached_paths", None)
    if callable(paths):
        changed = list(paths())
        transaction.on_commit(lambda: invalidate_paths(changed))
    else:
        transaction.on_commit(invalidate_all)


def _m2m_changed(sender, instance, action, **kwargs):
    if action.startswith("post_"):
        _changed(sender, instance)


def _forget_generation(**kwargs):
    """A new unit of work (a request, a task in the worker) reads the
    generation afresh: fragments are never staler than that."""
    _request.generation = None


def connect_models():
    """Called once from CoreConfig.ready()."""
    request_started.connect(_forget_generation, dispatch_uid="pagecache-request")
    task_started.connect(_forget_generation, dispatch_uid="pagecache-task")
    for label in settings.PAGE_CACHE_MODELS:
        try:
            model = apps.get_model(label)
        except LookupError:
            logger.warning("PAGE_CACHE_MODELS names %s, which is not installed", label)
            continue
        post_save.connect(_changed, sender=model, dispatch_uid=f"pagecache-save-{label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"pagecache-delete-{label}")
        for field in model._meta.many_to_many:
            through = getattr(field.remote_field, "through", None)
            if through is not None:
                m2m_changed.connect(
                    _m2m_changed, sender=through, dispatch_uid=f"pagecache-m2m-{label}-{field.name}"
                )
