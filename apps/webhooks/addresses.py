"""Where a webhook may be sent: not into the hospital's own network (server-side
request forgery), unless the operator allows it with WEBHOOK_ALLOW_PRIVATE_ADDRESSES.

The host is resolved and every address checked when an endpoint is saved and again at
each delivery, and the delivery then connects to an address that was checked, so a
name that later resolves to 10.0.0.5 (DNS rebinding) is refused too.
"""

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings


class AddressRefused(ValueError):
    """The URL is not one LeadCRM may send to; the message says why, for the manager."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the checked IP address the delivery connects to


def _address_allowed(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return not (address.is_multicast or address.is_unspecified)
    return address.is_global and not address.is_multicast


def target_resolve(url: str) -> Target:
    """The URL's parts and one checked address; raises AddressRefused."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AddressRefused("Use an http:// or https:// address.")
    if parts.username or parts.password:
        raise AddressRefused("Put no user name or password in the address.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise AddressRefused("The port is not a number between 1 and 65535.") from None
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise AddressRefused(f"{parts.hostname} does not resolve.") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    for text in addresses:
        # Every address, not just the first: a name with one public and one private
        # address could otherwise be steered to the private one.
        if not _address_allowed(ipaddress.ip_address(text.split("%")[0])):
            raise AddressRefused(
                f"{parts.hostname} resolves to {text}, a loopback, link-local or private "
                "address; webhooks go to outside systems only."
            )
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    return Target(parts.scheme, parts.hostname, port, path, addresses[0])


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address while the request names the host."""

    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self.pinned_address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.pinned_address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As above, with TLS checked against the host name (SNI and certificate)."""

    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self.pinned_address = target.address
        self.tls_context = ssl.create_default_context()

    def connect(self) -> None:
        sock = socket.create_connection((self.pinned_address, self.port), self.timeout)
        self.sock = self.tls_context.wrap_socket(sock, server_hostname=self.host)


def post(*, target: Target, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST once and return the status code; redirects are not followed (a 3xx is
    simply not a 2xx). Raises OSError (TimeoutError past `timeout`) when no answer came.

    The socket timeout bounds each read; the timer bounds the whole attempt, so a
    receiver dripping a byte at a time cannot hold a worker past `timeout`.
    """
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target, timeout)
    expired = threading.Event()

    def cut_off() -> None:
        expired.set()
        if connection.sock is not None:
            with contextlib.suppress(OSError):  # closed already
                connection.sock.shutdown(socket.SHUT_RDWR)

    timer = threading.Timer(timeout, cut_off)
    timer.start()
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)  # a bounded read: the body is not kept or shown
        return response.status
    except (OSError, http.client.HTTPException) as exc:
        if expired.is_set():
            raise TimeoutError("timed out") from exc
        if isinstance(exc, OSError):
            raise
        raise OSError(f"bad HTTP answer: {type(exc).__name__}") from exc
    finally:
        timer.cancel()
        connection.close()
