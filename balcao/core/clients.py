"""The address of the client a request came from, for everything that counts or records it
(login and reset throttling, account events).

``REMOTE_ADDR`` is the peer that opened the connection. Only when that peer is one of
``TRUSTED_PROXIES`` (addresses or networks, none by default) is ``X-Forwarded-For`` read, from
the right: each trusted proxy appends the address it received the request from, so the
rightmost hop that is not itself a trusted proxy is the client. Whatever a client writes in
the header itself is further left and never read; a peer that is not a trusted proxy is taken
as the client whatever its headers say.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def trusted_networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    """The networks of TRUSTED_PROXIES (validated at start by the system check)."""
    networks = []
    for proxy in proxies:
        try:
            networks.append(ipaddress.ip_network(proxy.strip(), strict=False))
        except ValueError:
            continue  # reported by core.checks; a bad entry trusts nothing
    return tuple(networks)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _trusted(address, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def client_address(request: HttpRequest | None) -> str:
    """The client's IP address as text ("" without a request or an IP peer, e.g. a socket)."""
    if request is None:
        return ""
    networks = trusted_networks(tuple(settings.TRUSTED_PROXIES))
    peer = _address(request.META.get("REMOTE_ADDR") or "")
    if peer is None:
        return ""
    if not _trusted(peer, networks):
        return str(peer)
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # a trusted proxy wrote nothing usable: the last proxy is all we know
        peer = address
        if not _trusted(address, networks):
            break
    return str(peer)
