"""Old WordPress addresses and their new ones.

One ``LinkMap`` per import: content links are rewritten through ``resolve()``
and permanent redirects are made from what it holds. An old address is a path
on the old site (``/2010/06/22/slug/``, ``/wp-content/uploads/2010/06/a.pdf``,
``/category/pain/crps-rsd/``) or one of WordPress's query forms on the site
root (``?p=123``, ``?page_id=``, ``?attachment_id=``, ``?cat=``, ``?tag=``,
``?author=``).
"""

import re
from urllib.parse import parse_qsl, unquote, urlsplit

from django.utils.encoding import escape_uri_path

QUERY_KEYS = ("p", "page_id", "attachment_id", "cat", "tag", "author")
_SIZE_SUFFIX = re.compile(r"-(?:\d+x\d+|scaled|rotated|e\d{10,})(?=\.\w+$)")


def normalize_path(path: str) -> str:
    """A path as Django's request.get_full_path() spells it, without the
    trailing slash (so /a/b and /a/b/ match)."""
    path = escape_uri_path(unquote(path or "/"))
    return path.rstrip("/") or "/"


def host_key(netloc: str) -> str:
    host = netloc.lower().rsplit("@", 1)[-1]
    host = host.split(":", 1)[0] if host.count(":") == 1 else host
    return host.removeprefix("www.")


class LinkMap:
    def __init__(self, site_urls):
        self.hosts = set()
        self.roots = {"/"}
        for url in site_urls:
            if url:
                parts = urlsplit(url)
                self.hosts.add(host_key(parts.netloc))
                self.roots.add(normalize_path(parts.path))
        self.paths: dict[str, str] = {}
        self.queries: dict[tuple[str, str], str] = {}

    # --- Filling --------------------------------------------------------------

    def add_url(self, old_url: str, new_url: str, replace: bool = False):
        """Map an old absolute or root-relative URL (either form) to new_url.
        The first mapping of an address wins unless ``replace``."""
        if not old_url or not new_url:
            return
        key = self._key(old_url)
        if key is None:
            return
        kind, value = key
        table = self.paths if kind == "path" else self.queries
        if replace or value not in table:
            table[value] = new_url

    def add_query(self, name: str, value: str, new_url: str, replace: bool = False):
        if value and new_url and (replace or (name, str(value)) not in self.queries):
            self.queries[(name, str(value))] = new_url

    def add_path(self, path: str, new_url: str, replace: bool = False):
        if path and new_url and (replace or normalize_path(path) not in self.paths):
            self.paths[normalize_path(path)] = new_url

    def readdress(self, old_url: str, new_url: str):
        """Whatever led to ``old_url`` now leads to ``new_url`` (a file that moved)."""
        for table in (self.paths, self.queries):
            for key, value in table.items():
                if value == old_url:
                    table[key] = new_url

    # --- Reading --------------------------------------------------------------

    def is_local(self, url: str) -> bool:
        parts = urlsplit(url.strip())
        if parts.scheme and parts.scheme not in ("http", "https"):
            return False
        return not parts.netloc or host_key(parts.netloc) in self.hosts

    def resolve(self, url: str) -> str | None:
        """The new address for an old one on this site, keeping its #fragment."""
        url = (url or "").strip()
        if not url or url.startswith("#"):
            return None
        key = self._key(url)
        if key is None:
            return None
        kind, value = key
        if kind == "path":
            new = self.paths.get(value)
            if new is None and "/wp-content/uploads/" in value:
                new = self.paths.get(_SIZE_SUFFIX.sub("", value))
        else:
            new = self.queries.get(value)
        if new is None:
            return None
        fragment = urlsplit(url).fragment
        return f"{new}#{fragment}" if fragment else new

    def old_path(self, url: str) -> str | None:
        """The path (with its query, if any) that an old URL asks this site for."""
        if not url or not self.is_local(url):
            return None
        parts = urlsplit(url)
        path = escape_uri_path(unquote(parts.path or "/"))
        return f"{path}?{parts.query}" if parts.query else path

    def _key(self, url: str):
        parts = urlsplit(url.strip())
        if parts.scheme and parts.scheme not in ("http", "https"):
            return None
        if parts.netloc and host_key(parts.netloc) not in self.hosts:
            return None
        if not parts.netloc and not parts.path.startswith("/"):
            return None  # a relative link: leave it
        path = normalize_path(parts.path)
        if parts.query and (path in self.roots or path.endswith("/index.php")):
            for name, value in parse_qsl(parts.query):
                if name in QUERY_KEYS:
                    return "query", (name, value)
        return "path", path
