"""Load and validate the lab topology (``lab/topology.yml``) into dataclasses.

The topology names the AD domain, the lab users and the simulated hosts. Every error names the offending key,
for example ``topology.yml: hosts[2].scheme: must be one of 'https', 'http' (got 'ftp')``.
"""

from __future__ import annotations

import dataclasses
import pathlib
import re
from collections.abc import Mapping
from typing import Any

import yaml

DEFAULT_TOPOLOGY = pathlib.Path(__file__).parent / "topology.yml"

PRODUCT_VERSIONS: dict[str, tuple[str, ...]] = {
    # "se" is Exchange Server Subscription Edition (15.2, build 2562 and later; versions-and-changes-2025.md).
    "exchange": ("2013", "2016", "2019", "se"),
    # "2013" is Lync Server 2013, "2015" and "2019" are Skype for Business Server, "se" is Skype for Business Server
    # Subscription Edition (7.0.2046.x like 2019; versions-and-changes-2025.md).
    "skype": ("2013", "2015", "2019", "se"),
    # "2019" is Windows Server 2019 (Windows PowerShell 5.1): a domain controller running the DNS Server role, whose
    # DnsServer module cmdlets are local on it (lab/products/dns_server.py). No product shell.
    "windows": ("2019",),
}
# Skype for Business pool editions (settings.edition of a skype host): a Standard Edition pool is one Front End with its
# Central Management store on SQL Express on that server; an Enterprise Edition pool has one or more Front Ends and a
# SQL Server back end elsewhere. No source in the shared docs (Topology Builder's two pool types).
SKYPE_EDITIONS = ("Standard", "Enterprise")
SCHEMES = ("https", "http")
AUTH_METHODS = ("ntlm", "basic")

_TOP_KEYS = ("domain", "netbios_domain", "sip_domain", "users", "hosts")
_TOP_OPTIONAL = ("inventory_vars",)
_USER_KEYS = ("username", "password")
_HOST_REQUIRED = ("name", "product", "version", "computer_name", "scheme", "auth")
_HOST_OPTIONAL = ("port", "allow_unencrypted", "settings")

_DNS_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$")
_NETBIOS = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,14}$")
_INVENTORY_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_USERNAME = re.compile(r"^[A-Za-z0-9._-]{1,20}$")
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class TopologyError(ValueError):
    """The topology file is missing, is not valid YAML or does not match the schema."""


@dataclasses.dataclass(frozen=True)
class UserSpec:
    """A lab account. NTLM logs on as ``NETBIOS\\username``, Basic as ``username``."""

    username: str
    password: str = dataclasses.field(repr=False)


@dataclasses.dataclass(frozen=True)
class HostSpec:  # pylint: disable=too-many-instance-attributes
    """One simulated Exchange or Skype server and its WinRM listener."""

    name: str
    product: str
    version: str
    computer_name: str
    domain: str
    port: int
    scheme: str
    auth: tuple[str, ...]
    allow_unencrypted: bool
    settings: dict[str, Any] = dataclasses.field(default_factory=dict, hash=False, compare=False)

    @property
    def fqdn(self) -> str:
        """DNS name of the host: computer name lower-cased plus the AD domain."""
        return f"{self.computer_name.lower()}.{self.domain}"

    @property
    def accepts_ntlm(self) -> bool:
        """True when the listener accepts NTLM (Negotiate) authentication."""
        return "ntlm" in self.auth

    @property
    def accepts_basic(self) -> bool:
        """True when the listener accepts Basic authentication at all (over HTTP only with allow_unencrypted)."""
        return "basic" in self.auth and (self.scheme == "https" or self.allow_unencrypted)


@dataclasses.dataclass(frozen=True)
class Topology:
    """The whole lab: domain names, users and hosts."""

    domain: str
    netbios_domain: str
    sip_domain: str
    users: tuple[UserSpec, ...]
    hosts: tuple[HostSpec, ...]
    source: str = "<memory>"
    # Extra variables for the generated inventory's ``all: vars:`` (for example what the playbooks need).
    inventory_vars: dict[str, Any] = dataclasses.field(default_factory=dict, hash=False, compare=False)

    def host(self, name: str) -> HostSpec:
        """The host called ``name``; KeyError if there is none."""
        for host in self.hosts:
            if host.name == name:
                return host
        raise KeyError(name)

    def user(self, username: str) -> UserSpec | None:
        """The user whose name matches ``username`` case-insensitively (Windows account names are), or None."""
        for user in self.users:
            if user.username.lower() == username.lower():
                return user
        return None

    @property
    def passwords(self) -> tuple[str, ...]:
        """Every lab password (used to redact log lines)."""
        return tuple(user.password for user in self.users)


def load_topology(path: str | pathlib.Path | None = None) -> Topology:
    """Read and validate a topology file (default ``lab/topology.yml``)."""
    path = pathlib.Path(path) if path is not None else DEFAULT_TOPOLOGY
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise TopologyError(f"cannot read topology file {path}: {error.strerror or error}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise TopologyError(f"{path}: not valid YAML: {error}") from None
    return parse_topology(data, source=str(path))


def parse_topology(data: Any, source: str = "<memory>") -> Topology:
    """Validate already parsed YAML data and build a :class:`Topology`."""
    where = pathlib.Path(source).name if source != "<memory>" else source
    top = _mapping(data, where, "the top level")
    _check_keys(top, where, "", required=_TOP_KEYS, optional=_TOP_OPTIONAL)

    domain = _string(top["domain"], where, "domain").lower()
    if not _DNS_NAME.match(domain):
        raise TopologyError(f"{where}: domain: must be a DNS domain name such as contoso.local (got {domain!r})")
    netbios = _string(top["netbios_domain"], where, "netbios_domain")
    if not _NETBIOS.match(netbios):
        raise TopologyError(f"{where}: netbios_domain: must be 1-15 letters, digits or '-' (got {netbios!r})")
    sip_domain = _string(top["sip_domain"], where, "sip_domain").lower()
    if not _DNS_NAME.match(sip_domain):
        raise TopologyError(f"{where}: sip_domain: must be a DNS domain name such as contoso.com (got {sip_domain!r})")

    users = tuple(_parse_user(item, where, index) for index, item in enumerate(_list(top["users"], where, "users")))
    if not users:
        raise TopologyError(f"{where}: users: at least one user is required")
    _unique([u.username.lower() for u in users], where, "users", "username")

    hosts = tuple(_parse_host(item, where, index, domain) for index, item in enumerate(_list(top["hosts"], where, "hosts")))
    if not hosts:
        raise TopologyError(f"{where}: hosts: at least one host is required")
    _unique([h.name for h in hosts], where, "hosts", "name")
    _unique([h.computer_name.upper() for h in hosts], where, "hosts", "computer_name")
    _unique([h.port for h in hosts if h.port], where, "hosts", "port")
    inventory_vars = top.get("inventory_vars") or {}
    if not isinstance(inventory_vars, Mapping):
        raise TopologyError(f"{where}: inventory_vars: must be a mapping (got {type(inventory_vars).__name__})")
    for name in inventory_vars:
        if not isinstance(name, str) or not _VARIABLE.match(name):
            raise TopologyError(f"{where}: inventory_vars.{name}: not a valid Ansible variable name")
        if name.startswith("ansible_"):
            raise TopologyError(f"{where}: inventory_vars.{name}: connection variables are generated per host; do not set them here")
    return Topology(domain=domain, netbios_domain=netbios, sip_domain=sip_domain, users=users, hosts=hosts, source=source,
                    inventory_vars=dict(inventory_vars))


def _parse_user(item: Any, where: str, index: int) -> UserSpec:
    key = f"users[{index}]"
    user = _mapping(item, where, key)
    _check_keys(user, where, key, required=_USER_KEYS, optional=())
    username = _string(user["username"], where, f"{key}.username")
    if not _USERNAME.match(username):
        raise TopologyError(f"{where}: {key}.username: must be 1-20 letters, digits, '.', '_' or '-', without a domain "
                            f"(NTLM adds the NetBIOS domain) (got {username!r})")
    password = user["password"]
    if not isinstance(password, str) or not password:
        raise TopologyError(f"{where}: {key}.password: must be a non-empty string (quote it in YAML)")
    if ":" in password or "\n" in password or "\r" in password:
        # The NTLM_USER_FILE format is DOMAIN:USER:PASSWORD, one per line (pyspnego spnego/_ntlm.py _get_credential).
        raise TopologyError(f"{where}: {key}.password: must not contain ':' or a line break (NTLM user file format)")
    return UserSpec(username=username, password=password)


def _parse_host(item: Any, where: str, index: int, domain: str) -> HostSpec:
    key = f"hosts[{index}]"
    host = _mapping(item, where, key)
    if isinstance(host.get("name"), str):
        key = f"hosts[{index}] ({host['name']})"
    _check_keys(host, where, key, required=_HOST_REQUIRED, optional=_HOST_OPTIONAL)
    name = _string(host["name"], where, f"{key}.name")
    if not _INVENTORY_NAME.match(name):
        raise TopologyError(f"{where}: {key}.name: must start with a lower-case letter and hold only a-z, 0-9 and '_' (got {name!r})")
    product = _choice(host["product"], where, f"{key}.product", tuple(PRODUCT_VERSIONS))
    version = host["version"]
    if isinstance(version, int) and not isinstance(version, bool):
        version = str(version)
    version = _choice(version, where, f"{key}.version", PRODUCT_VERSIONS[product])
    computer_name = _string(host["computer_name"], where, f"{key}.computer_name")
    if not _NETBIOS.match(computer_name):
        raise TopologyError(f"{where}: {key}.computer_name: must be 1-15 letters, digits or '-' (got {computer_name!r})")
    port = host.get("port", 0)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise TopologyError(f"{where}: {key}.port: must be an integer from 0 to 65535, 0 = pick a free port (got {port!r})")
    scheme = _choice(host["scheme"], where, f"{key}.scheme", SCHEMES)
    auth_list = _list(host["auth"], where, f"{key}.auth")
    if not auth_list:
        raise TopologyError(f"{where}: {key}.auth: list at least one of {_quoted(AUTH_METHODS)}")
    auth = tuple(_choice(value, where, f"{key}.auth[{i}]", AUTH_METHODS) for i, value in enumerate(auth_list))
    if len(set(auth)) != len(auth):
        raise TopologyError(f"{where}: {key}.auth: lists a method twice ({', '.join(auth)})")
    allow_unencrypted = host.get("allow_unencrypted", False)
    if not isinstance(allow_unencrypted, bool):
        raise TopologyError(f"{where}: {key}.allow_unencrypted: must be true or false (got {allow_unencrypted!r})")
    settings = host.get("settings", {})
    if settings is None:
        settings = {}
    if not isinstance(settings, Mapping):
        raise TopologyError(f"{where}: {key}.settings: must be a mapping (got {type(settings).__name__})")
    edition = settings.get("edition")
    if product == "skype" and edition is not None and edition not in SKYPE_EDITIONS:
        raise TopologyError(f"{where}: {key}.settings.edition: must be one of {_quoted(SKYPE_EDITIONS)} (got {edition!r})")
    spec = HostSpec(name=name, product=product, version=version, computer_name=computer_name.upper(), domain=domain,
                    port=port, scheme=scheme, auth=auth, allow_unencrypted=allow_unencrypted, settings=dict(settings))
    if not spec.accepts_ntlm and not spec.accepts_basic:
        raise TopologyError(f"{where}: {key}.auth: only basic over http, but allow_unencrypted is false, so no client could "
                            "log on: add ntlm, use scheme https, or set allow_unencrypted: true")
    return spec


def _mapping(value: Any, where: str, key: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise TopologyError(f"{where}: {key}: must be a mapping (got {type(value).__name__})")
    return value


def _list(value: Any, where: str, key: str) -> list[Any]:
    if not isinstance(value, list):
        raise TopologyError(f"{where}: {key}: must be a list (got {type(value).__name__})")
    return value


def _string(value: Any, where: str, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TopologyError(f"{where}: {key}: must be a non-empty string (got {value!r})")
    return value.strip()


def _choice(value: Any, where: str, key: str, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise TopologyError(f"{where}: {key}: must be one of {_quoted(choices)} (got {value!r})")
    return value


def _check_keys(data: Mapping[str, Any], where: str, prefix: str, required: tuple[str, ...], optional: tuple[str, ...]) -> None:
    dot = f"{prefix}." if prefix else ""
    for key in data:
        if key not in required and key not in optional:
            raise TopologyError(f"{where}: {dot}{key}: unknown key (allowed: {', '.join(required + optional)})")
    for key in required:
        if key not in data:
            raise TopologyError(f"{where}: {dot}{key}: required key is missing")


def _unique(values: list[Any], where: str, section: str, key: str) -> None:
    seen: set[Any] = set()
    for value in values:
        if value in seen:
            raise TopologyError(f"{where}: {section}: two entries have the same {key} ({value!r})")
        seen.add(value)


def _quoted(choices: tuple[str, ...]) -> str:
    return ", ".join(repr(choice) for choice in choices)
