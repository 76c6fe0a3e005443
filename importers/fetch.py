"""Fetching attachments over HTTP(S) without letting an export probe the network.

An uploaded export names the URLs to fetch, so the fetcher only goes to the
export's own site host and hosts the person named (``--allow-host``), only to
public addresses (private, loopback, link-local and reserved ones are refused
unless a network is listed in IMPORTERS_FETCH_ALLOWED_NETWORKS), checks the
address it actually connects to (the name is resolved once and the connection
made to that checked address, so DNS rebinding cannot swap it), follows
redirects only to places that pass the same checks, and stops at a timeout
(for each read), a deadline (for the whole download, redirects included: a
server that trickles a byte at a time cannot hold the import) and a size limit.
"""

import contextlib
import http.client
import ipaddress
import socket
import ssl
import tempfile
import threading
from urllib.parse import urljoin, urlsplit

from django.conf import settings

USER_AGENT = "ldnsite-importer/1.0 (WordPress media import)"
MAX_REDIRECTS = 5


class FetchError(Exception):
    """The file could not be fetched; the message says why."""


class Fetcher:
    def __init__(
        self, *, hosts, allowed_networks=None, timeout=None, total_timeout=None, max_bytes=None
    ):
        self.hosts = {h.lower() for h in hosts if h}
        networks = (
            settings.IMPORTERS_FETCH_ALLOWED_NETWORKS
            if allowed_networks is None
            else allowed_networks
        )
        self.allowed_networks = [ipaddress.ip_network(n, strict=False) for n in networks]
        self.timeout = timeout or settings.IMPORTERS_FETCH_TIMEOUT
        self.total_timeout = total_timeout or settings.IMPORTERS_FETCH_TOTAL_TIMEOUT
        self.max_bytes = max_bytes or settings.IMPORTERS_FETCH_MAX_BYTES

    def fetch(self, url: str):
        """Return a temporary file (rewound) with the body of ``url``."""
        with _Deadline(self.total_timeout) as deadline:
            try:
                return self._fetch(url, deadline)
            except FetchError:
                if deadline.expired:
                    raise FetchError(deadline.message) from None
                raise

    def _fetch(self, url, deadline):
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
            response, connection = self._request(parts, host, addresses, deadline)
            try:
                if response.status in (301, 302, 303, 307, 308):
                    location = response.getheader("Location")
                    if not location:
                        raise FetchError(f"a redirect without a Location from {url[:200]}")
                    url = urljoin(url, location)
                    continue
                if response.status != 200:
                    raise FetchError(f"the server answered {response.status} {response.reason}")
                return self._read(response, deadline)
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

    def _request(self, parts, host, addresses, deadline):
        port = parts.port or _default_port(parts.scheme)
        cls = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
        connection = cls(host, addresses, port, deadline=deadline, timeout=self.timeout)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        try:
            with self._network_errors():
                connection.request(
                    "GET", path, headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
                )
                return connection.getresponse(), connection
        except FetchError:
            connection.close()
            raise

    def _read(self, response, deadline):
        length = response.getheader("Content-Length")
        if length and length.isdigit() and int(length) > self.max_bytes:
            raise FetchError(f"the file is larger than the limit ({_size(self.max_bytes)})")
        spool = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115
        total = 0
        try:
            with self._network_errors():
                while chunk := response.read(64 * 1024):
                    total += len(chunk)
                    if total > self.max_bytes:
                        raise FetchError(
                            f"the file is larger than the limit ({_size(self.max_bytes)})"
                        )
                    spool.write(chunk)
            if deadline.expired:  # the watchdog cut the connection: what came is not the file
                raise FetchError(deadline.message)
        except FetchError:
            spool.close()
            raise
        spool.seek(0)
        return spool

    @contextlib.contextmanager
    def _network_errors(self):
        """A timeout or a failed connection, as a FetchError that says which."""
        try:
            yield
        except TimeoutError as exc:
            raise FetchError(f"no answer within {self.timeout:g} seconds") from exc
        except (OSError, http.client.HTTPException) as exc:
            # Some (a short read, a bare OSError) say nothing as str(): name them then.
            raise FetchError(f"the connection failed ({str(exc) or repr(exc)})") from exc


class _Deadline:
    """A watchdog for one download: when the time is up it shuts the socket
    down, which wakes a read blocked on it, whatever phase the request is in
    (connecting, headers, body)."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.expired = False
        self._sock = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    @property
    def message(self):
        return (
            f"the download took longer than {self.seconds:g} seconds in all "
            "(IMPORTERS_FETCH_TOTAL_TIMEOUT); the server may be very slow"
        )

    def __enter__(self):
        self._timer.start()
        return self

    def __exit__(self, *exc):
        self._timer.cancel()

    def _expire(self):
        with self._lock:
            self.expired = True
            self._shut()

    def attach(self, sock):
        """The socket of the current connection (a redirect makes a new one)."""
        with self._lock:
            self._sock = sock
            if self.expired:
                self._shut()

    def _shut(self):
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)


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

    def __init__(self, host, addresses, port, *, deadline, **kwargs):
        super().__init__(host, port, **kwargs)
        self._addresses = addresses
        self._deadline = deadline

    def connect(self):
        self.sock = _connect(self._addresses, self.port, self.timeout)
        self._deadline.attach(self.sock)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, addresses, port, *, deadline, **kwargs):
        super().__init__(host, port, context=ssl.create_default_context(), **kwargs)
        self._addresses = addresses
        self._deadline = deadline

    def connect(self):
        sock = _connect(self._addresses, self.port, self.timeout)
        self._deadline.attach(sock)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
