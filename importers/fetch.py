"""Fetching attachments over HTTP(S) without letting an export probe the network.

An uploaded export names the URLs to fetch, so the fetcher only goes to the
export's own site host and hosts the person named (``--allow-host``), only to
public addresses (private, loopback, link-local and reserved ones are refused
unless a network is listed in IMPORTERS_FETCH_ALLOWED_NETWORKS), checks the
address it actually connects to (the name is resolved once and the connection
made to that checked address, so DNS rebinding cannot swap it), follows
redirects only to places that pass the same checks, and stops at a timeout
and a size limit.
"""

import http.client
import ipaddress
import socket
import ssl
import tempfile
from urllib.parse import urljoin, urlsplit

from django.conf import settings

USER_AGENT = "ldnsite-importer/1.0 (WordPress media import)"
MAX_REDIRECTS = 5


class FetchError(Exception):
    """The file could not be fetched; the message says why."""


class Fetcher:
    def __init__(self, *, hosts, allowed_networks=None, timeout=None, max_bytes=None):
        self.hosts = {h.lower() for h in hosts if h}
        networks = (
            settings.IMPORTERS_FETCH_ALLOWED_NETWORKS
            if allowed_networks is None
            else allowed_networks
        )
        self.allowed_networks = [ipaddress.ip_network(n, strict=False) for n in networks]
        self.timeout = timeout or settings.IMPORTERS_FETCH_TIMEOUT
        self.max_bytes = max_bytes or settings.IMPORTERS_FETCH_MAX_BYTES

    def fetch(self, url: str):
        """Return a temporary file (rewound) with the body of ``url``."""
        for _ in range(MAX_REDIRECTS + 1):
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https"):
                raise FetchError(f"only http and https addresses are fetched, not {url[:200]}")
            host = (parts.hostname or "").lower()
            if host not in self.hosts:
                raise FetchError(
                    f"{host or 'an address without a host'} is not the export's site; "
                    f"add --allow-host {host} to fetch from it"
                )
            addresses = self._checked_addresses(host, parts.port or _default_port(parts.scheme))
            response, connection = self._request(parts, host, addresses)
            try:
                if response.status in (301, 302, 303, 307, 308):
                    location = response.getheader("Location")
                    if not location:
                        raise FetchError(f"a redirect without a Location from {url[:200]}")
                    url = urljoin(url, location)
                    continue
                if response.status != 200:
                    raise FetchError(f"the server answered {response.status} {response.reason}")
                return self._read(response)
            finally:
                connection.close()
        raise FetchError(f"more than {MAX_REDIRECTS} redirects")

    def _checked_addresses(self, host, port):
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise FetchError(f"the name {host} could not be resolved ({exc})") from exc
        addresses = list(
            dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos)
        )
        if not addresses:
            raise FetchError(f"the name {host} has no address")
        for address in addresses:
            if not self._allowed(address):
                raise FetchError(
                    f"{host} resolves to {address}, a private or local address; such "
                    "addresses are never fetched from (IMPORTERS_FETCH_ALLOWED_NETWORKS "
                    "lists exceptions)"
                )
        return [str(address) for address in addresses]

    def _allowed(self, address) -> bool:
        if any(address in network for network in self.allowed_networks):
            return True
        return address.is_global and not address.is_multicast

    def _request(self, parts, host, addresses):
        port = parts.port or _default_port(parts.scheme)
        if parts.scheme == "https":
            connection = _PinnedHTTPSConnection(host, addresses, port, timeout=self.timeout)
        else:
            connection = _PinnedHTTPConnection(host, addresses, port, timeout=self.timeout)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        try:
            connection.request(
                "GET", path, headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
            )
            return connection.getresponse(), connection
        except TimeoutError as exc:
            connection.close()
            raise FetchError(f"no answer within {self.timeout:g} seconds") from exc
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            raise FetchError(f"the connection failed ({exc})") from exc

    def _read(self, response):
        length = response.getheader("Content-Length")
        if length and length.isdigit() and int(length) > self.max_bytes:
            raise FetchError(f"the file is larger than the limit ({_size(self.max_bytes)})")
        spool = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115
        total = 0
        try:
            while chunk := response.read(64 * 1024):
                total += len(chunk)
                if total > self.max_bytes:
                    raise FetchError(f"the file is larger than the limit ({_size(self.max_bytes)})")
                spool.write(chunk)
        except TimeoutError as exc:
            spool.close()
            raise FetchError(f"no answer within {self.timeout:g} seconds") from exc
        except FetchError:
            spool.close()
            raise
        spool.seek(0)
        return spool


def _default_port(scheme):
    return 443 if scheme == "https" else 80


def _size(n):
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n} bytes"


def _connect(addresses, port, timeout):
    """A socket to the first of the checked addresses that answers."""
    error = None
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout)
        except OSError as exc:
            error = exc
    raise error or OSError("no address to connect to")


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects only to the checked addresses, whatever the name resolves to later."""

    def __init__(self, host, addresses, port, **kwargs):
        super().__init__(host, port, **kwargs)
        self._addresses = addresses

    def connect(self):
        self.sock = _connect(self._addresses, self.port, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, addresses, port, **kwargs):
        super().__init__(host, port, context=ssl.create_default_context(), **kwargs)
        self._addresses = addresses

    def connect(self):
        sock = _connect(self._addresses, self.port, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
