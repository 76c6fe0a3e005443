"""Redis as the cache, without making Redis a single point of failure.

Django's RedisCache raises when Redis is unreachable; for a cache that turns a
Redis restart into an outage of every page. This backend logs and carries on:
reads miss, writes are dropped, counters start again. /healthz still reports
the cache as down (its round trip fails), so the load balancer knows.
"""

import functools
import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def _tolerant(default=None, *, on_error=None):
    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except RedisError:
                logger.warning("Redis cache unavailable during %s", method.__name__, exc_info=True)
                if on_error is not None:
                    raise on_error from None
                return default() if callable(default) else default

        return wrapper

    return decorate


class ResilientRedisCache(RedisCache):
    get = _tolerant()(RedisCache.get)
    get_many = _tolerant(dict)(RedisCache.get_many)
    has_key = _tolerant(False)(RedisCache.has_key)
    set = _tolerant()(RedisCache.set)
    set_many = _tolerant(list)(RedisCache.set_many)
    add = _tolerant(False)(RedisCache.add)
    touch = _tolerant(False)(RedisCache.touch)
    delete = _tolerant(False)(RedisCache.delete)
    delete_many = _tolerant()(RedisCache.delete_many)
    clear = _tolerant(False)(RedisCache.clear)
    # Callers of incr() already handle a missing key (ValueError) by starting over.
    incr = _tolerant(on_error=ValueError("cache unavailable"))(RedisCache.incr)
    decr = _tolerant(on_error=ValueError("cache unavailable"))(RedisCache.decr)
