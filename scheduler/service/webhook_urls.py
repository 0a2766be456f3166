"""Which URLs may receive webhooks: http(s) only, and public hosts unless allowed (SSRF)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# What an address must not be, in the order we name it (127.0.0.1 is loopback before private).
_NOT_PUBLIC = (
    ("is_unspecified", "an unspecified"),
    ("is_loopback", "a loopback"),
    ("is_link_local", "a link-local"),
    ("is_multicast", "a multicast"),
    ("is_private", "a private"),
    ("is_reserved", "a reserved"),
)


def _kind_of(address: IPAddress) -> str | None:
    """Why an address is not a public unicast one (``"a private"``...), or None if it is."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:10.0.0.1 is 10.0.0.1
    for attribute, kind in _NOT_PUBLIC:
        if getattr(address, attribute):
            return kind
    return None if address.is_global else "a non-public"  # e.g. 100.64.0.0/10 (carrier NAT)


def url_problem(url: str, *, allow_private: bool = False) -> str | None:
    """Why webhooks may not be sent to ``url``, or None when they may.

    Only http and https; and unless ``allow_private`` (``PARTAGE_WEBHOOKS_ALLOW_PRIVATE=1``),
    every address the host resolves to must be public: no private, loopback, link-local or
    multicast address, so a member cannot make our servers call the inside of our network.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        return f"not a valid URL ({error})"
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return f"scheme {scheme or '(none)'!r} is not allowed: use http or https"
    host = parts.hostname
    if not host:
        return "the URL has no host"
    if allow_private:
        return None
    try:
        found = socket.getaddrinfo(
            host, port or (443 if scheme == "https" else 80), type=socket.SOCK_STREAM
        )
    except (socket.gaierror, UnicodeError) as error:
        return f"host {host!r} does not resolve ({error})"
    for *_, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        kind = _kind_of(address)
        if kind is not None:
            return f"host {host!r} resolves to {address}, {kind} address: use a public host"
    return None
