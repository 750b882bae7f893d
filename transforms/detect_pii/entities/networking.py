"""Networking entities: IP_ADDRESS (v4 and v6) and MAC_ADDRESS."""

from __future__ import annotations

from transforms.detect_pii import validators as v
from transforms.detect_pii.entities.base import EntityDef, Pattern

N = frozenset({"networking"})
_IP_WORDS = frozenset(
    {
        "ip",
        "ipv4",
        "ipv6",
        "ipaddress",
        "ip_address",
        "ipaddr",
        "host",
        "client",
        "remote",
        "source",
        "src",
        "dst",
        "destination",
        "peer",
        "addr",
        "forwarded",
        "xff",
        "server",
        "address",
        "gateway",
        "dns",
        "router",
        "login",
        "connected",
        "connection",
        "node",
    }
)


def _mostly_versions(values: list[str]) -> bool:
    """A column whose IPv4-shaped values mostly look like ``3.12.0.7`` holds versions, not addresses."""
    v4 = [value for value in values if ":" not in value]
    return bool(v4) and sum(v.ipv4_version_like(value) for value in v4) >= 0.8 * len(v4)


IP_ADDRESS = EntityDef(
    name="IP_ADDRESS",
    categories=N,
    patterns=(
        Pattern(r"(?<![0-9A-Za-z.])[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(?![0-9A-Za-z])(?![.][0-9])"),
        Pattern(
            r"(?<![0-9A-Za-z:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|[0-9]{1,3}(?:\.[0-9]{1,3}){3})?"
            r"(?![0-9A-Za-z:])"
        ),
    ),
    validator=v.ip_valid,
    context_words=_IP_WORDS,
    veto_words=frozenset({"build", "release", "sku", "amount", "price"}),
    column_veto=_mostly_versions,
    ambiguous=v.ipv4_version_like,
    priority=65,
    description="IPv4 (dotted quad, no leading zeros) or IPv6 (parsed by ipaddress); version-like columns vetoed",
)

MAC_ADDRESS = EntityDef(
    name="MAC_ADDRESS",
    categories=N,
    patterns=(
        Pattern(r"(?<![0-9A-Za-z:-])[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}(?![0-9A-Za-z:-])"),
        Pattern(r"(?<![0-9A-Za-z.])[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}(?![0-9A-Za-z.])"),
    ),
    validator=v.mac_valid,
    context_words=frozenset({"mac", "macaddress", "mac_address", "hwaddr", "ether", "bssid", "hardware"}),
    priority=70,
    description="MAC address: 6 octets with one consistent separator or Cisco dotted; not all-zero/broadcast",
)

ENTITIES = (IP_ADDRESS, MAC_ADDRESS)
