"""SERVICE endpoints: allow-list entries checked by name, hosts resolved only when a query runs.

:func:`check_remote_endpoint` makes no DNS lookup: an entry is refused when its scheme is not
http(s) or its host is a local name or a private address literal. :func:`resolve_remote_endpoint`
is called just before a federated query runs; it fails closed when the name does not resolve or
any address it resolves to is local or private.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from genrl_kg.sparql.guard import GuardError

__all__ = ["LOCAL_SUFFIXES", "Allowlist", "check_remote_endpoint", "resolve_remote_endpoint"]

LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa")


@dataclass(frozen=True)
class Allowlist:
    """SERVICE endpoints a query may call; local or private hosts only with *allow_private*."""

    urls: tuple[str, ...] = ()
    allow_private: bool = False


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """Return *text* as an IP address (IPv4-mapped IPv6 unwrapped), or None for a name.

    >>> _address('::ffff:127.0.0.1'), _address('example.org')
    (IPv4Address('127.0.0.1'), None)
    """
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def check_remote_endpoint(url: str) -> str:
    """Validate one allow-list entry by name (no DNS): http(s), a host that is not local.

    >>> check_remote_endpoint('https://query.wikidata.org/sparql')
    'https://query.wikidata.org/sparql'
    >>> check_remote_endpoint('http://10.0.0.1/sparql')
    Traceback (most recent call last):
    ValueError: remote endpoint http://10.0.0.1/sparql is a local or private address
    >>> check_remote_endpoint('http://intranet/sparql')
    Traceback (most recent call last):
    ValueError: remote endpoint http://intranet/sparql is a local or private address
    """
    wrong = f"remote endpoint {url} must be an http(s) URL with a host"
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ValueError(wrong) from None
    if parts.scheme not in ("http", "https") or not host:
        raise ValueError(wrong)
    address = _address(host)
    if address is not None:
        local = not address.is_global
    else:
        name = host.rstrip(".").lower()
        local = "." not in name or name == "localhost" or name.endswith(LOCAL_SUFFIXES)
    if local:
        raise ValueError(f"remote endpoint {url} is a local or private address")
    return url


def resolve_remote_endpoint(url: str, *, allow_private: bool = False) -> tuple[str, ...]:
    """Resolve the host of *url* for a federated query about to run; fail closed.

    Raise GuardError when the name does not resolve (502) or any address is local or
    private (403). With *allow_private* (tests) nothing is checked and nothing is looked up.
    """
    if allow_private:
        return ()
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port or 443
    except ValueError:
        raise GuardError(400, f"SERVICE <{url}> is not an http(s) URL with a host") from None
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        reason = " ".join(str(error).split()) or type(error).__name__
        raise GuardError(
            502, f"SERVICE <{url}>: cannot resolve {host} ({reason}); the query was not run"
        ) from None
    addresses = sorted({str(info[4][0]) for info in infos})
    if not addresses:
        raise GuardError(502, f"SERVICE <{url}>: {host} resolves to no address")
    for text in addresses:
        address = _address(text)
        if address is None or not address.is_global:
            raise GuardError(
                403,
                f"SERVICE <{url}>: {host} resolves to {text}, a local or private address; "
                "the query was not run",
            )
    return tuple(addresses)
