"""Carnet's configuration: one typed, frozen ``Settings`` built once by the app factory.

Sources, later ones winning: the defaults below, an optional TOML file whose top-level keys are
the field names, ``CARNET_<FIELD>`` environment variables (``CARNET_DATA_DIR``,
``CARNET_DATABASE_URL``, ``CARNET_PORT``…), then explicit overrides (the command line). Nothing
here reads the environment or a file at import time.
"""

from __future__ import annotations

import dataclasses
import functools
import ipaddress
import os
import re
import tomllib
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

__all__ = [
    "ClientCertificateMatching",
    "Profile",
    "ProfileSwitch",
    "Server",
    "Settings",
    "SettingsError",
]

Server = Literal["gunicorn", "granian"]
"""The HTTP server ``carnet serve`` runs the WSGI app in (README "Benchmarks")."""

Profile = Literal["ihe", "dmp"]
"""``ihe``: plain IHE XDS.b rules; ``dmp``: the French DMP's additional rules and vocabularies."""

ProfileSwitch = Literal["auto", "on", "off"]
"""A rule that follows the profile unless told: ``auto`` is ``on`` under ``dmp`` only
(``check_cda_headers``, ``check_vihf``, ``audit_transactions``)."""

ClientCertificateMatching = Literal["off", "on"]
"""Whether the TLS client certificate must be the VIHF's signer
(``Settings.match_client_certificate``)."""

ENVIRONMENT_PREFIX = "CARNET_"

# RFC 9110 §5.1: a field name is a token.
_FIELD_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")

# ITI TF-3 Table 4.2.3.2-1: an OID as XDS metadata carries it (uniqueIds are at most 64 chars).
_OID = re.compile(r"[0-2](\.(0|[1-9][0-9]*))+")
_MAX_OID_LENGTH = 64

_MIB = 1024 * 1024


class SettingsError(Exception):
    """A configuration value is missing its mark: unknown name, wrong type or out of range."""


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Everything an operator may configure; safe defaults for a single-host deployment."""

    data_dir: Path = Path("data")
    """Directory holding the SQLite database (by default) and the stored documents."""

    database_url: str | None = None
    """SQLAlchemy URL of the registry database; None means SQLite in ``data_dir``."""

    host: str = "127.0.0.1"
    """Address the HTTP server listens on; loopback unless the operator opens it up."""

    port: int = 8080
    """TCP port the HTTP server listens on (0 lets the system choose, for tests)."""

    profile: Profile = "ihe"
    """Rule set: ``ihe`` for plain XDS.b, ``dmp`` for the French DMP's extra constraints."""

    max_request_bytes: int = 256 * _MIB
    """Largest HTTP request body accepted (all MTOM parts together), refused beyond."""

    max_metadata_bytes: int = 16 * _MIB
    """Largest SOAP envelope (the MTOM root part) handed to the XML parser."""

    max_query_results: int = 1000
    """Registry objects a stored query may return before failing with XDSTooManyResults."""

    repository_unique_id: str = "1.2.250.1.999.1.1.1"
    """OID of this repository: the repositoryUniqueId slot of the documents it stores."""

    home_community_id: str | None = None
    """``urn:oid:`` home community id returned in query results, if this registry has one."""

    registry_url: str | None = None
    """Document Registry endpoint ITI-41 registers with (ITI-42); None: this node's own."""

    workers: int = 2
    """Server worker processes."""

    threads: int = 8
    """Threads per worker process."""

    server: Server = "granian"
    """HTTP server: granian's WSGI interface (default, measured faster), or gunicorn gthread."""

    trust_store: Path | None = None
    """PEM bundle or directory of the CAs submission signatures must chain to (IHE DSG)."""

    vihf_audience: str | None = None
    """This node's name a VIHF's ``AudienceRestriction`` must hold, when it has one (SAML 2.0
    core §2.5.1.4); None: not checked. VIHF signers must chain to ``trust_store``."""

    vihf_clock_skew_seconds: int = 60
    """Tolerance on a VIHF's validity window (NotBefore, NotOnOrAfter, IssueInstant)."""

    check_vihf: ProfileSwitch = "auto"
    """Identify every caller of the registry, repository and DMP services by its VIHF and apply
    the DMP access policy: ``on``, ``off``, or ``auto`` (on under the dmp profile). Needs
    ``trust_store``. ``off`` under dmp keeps the callers named by the messages (tests, or a
    gateway that already checked the VIHF)."""

    access_matrix: Path | None = None
    """DMP profession x document-type table replacing the packaged default (TOML, see
    ``carnet/data/access_matrix.toml``); validated when the access policy loads it."""

    check_cda_headers: ProfileSwitch = "auto"
    """Compare each CDA's header with its DocumentEntry on ITI-41: ``on``, ``off``, or ``auto``
    (on under the dmp profile, off under ihe: IHE XDS.b has no such rule, and conformance
    test plans submit fixed CDA files under fresh uniqueIds, e.g. NIST testkit 11730)."""

    audit_transactions: ProfileSwitch = "auto"
    """Write an audit record for every transaction, allowed or refused (issue 5 item 7,
    ``soap/audit_trail.py``): ``on``, ``off``, or ``auto`` (on under the dmp profile only:
    conformance harnesses of plain IHE XDS.b need no trail)."""

    audit_syslog: str | None = None
    """Where ATNA export sends the audit trail (ITI-20, RFC 5424 syslog): ``udp://HOST:PORT``
    (RFC 5426), ``tcp://HOST:PORT`` (RFC 6587 octet counting) or ``tls://HOST:PORT`` (RFC 5425);
    None: audit records stay in the database only (``carnet audit export`` sends them)."""

    tls_certificate: Path | None = None
    """PEM certificate (then its chain) ``carnet serve`` presents: the server speaks HTTPS
    itself (DMP.md §1.1: the DMP is reached over TLS). Needs ``tls_key``."""

    tls_key: Path | None = None
    """PEM private key of ``tls_certificate``, unencrypted PKCS#8 (granian reads no other)."""

    tls_client_ca: Path | None = None
    """PEM bundle of the CAs TLS clients must present a certificate chaining to (mutual TLS,
    RFC 8446 §4.3.2): a client without one is refused by the handshake. Needs
    ``tls_certificate``."""

    client_certificate_header: str | None = None
    """HTTP header in which a trusted proxy forwards the client certificate it verified, as
    URL-encoded PEM (nginx ``$ssl_client_escaped_cert``, README "Mutual TLS"). Neither granian
    nor gunicorn hand the peer certificate to the WSGI app, so this is how the app sees it.
    Needs ``trusted_proxies``."""

    trusted_proxies: str | None = None
    """Comma-separated addresses or CIDR networks of the proxies whose
    ``client_certificate_header`` is believed; the header from any other peer is ignored."""

    match_client_certificate: ClientCertificateMatching = "off"
    """``on``: every request whose VIHF verified must come with a client certificate holding
    the same public key as the VIHF's signer (``carnet/client_certificate.py``), else it is
    refused. Fits deployments whose TLS certificate also signs the VIHF; under DMP indirect
    authentication, where a structure's TLS and signing ("cachet") certificates differ (DMP.md
    §2.1), leave it off. Needs ``client_certificate_header`` and the VIHF check."""

    def __post_init__(self) -> None:
        _check_positive(self, "max_request_bytes", "max_metadata_bytes", "max_query_results")
        _check_positive(self, "workers", "threads")
        if not 0 <= self.port <= 65535:
            raise SettingsError(f"port must be between 0 and 65535, not {self.port}")
        if self.max_metadata_bytes > self.max_request_bytes:
            raise SettingsError(
                f"max_metadata_bytes ({self.max_metadata_bytes}) exceeds "
                f"max_request_bytes ({self.max_request_bytes})"
            )
        if self.audit_transactions not in get_args(ProfileSwitch):
            raise SettingsError(
                f"audit_transactions must be one of {get_args(ProfileSwitch)}, "
                f"not {self.audit_transactions!r}"
            )
        if self.check_cda_headers not in get_args(ProfileSwitch):
            raise SettingsError(
                f"check_cda_headers must be one of {get_args(ProfileSwitch)}, "
                f"not {self.check_cda_headers!r}"
            )
        if self.check_vihf not in get_args(ProfileSwitch):
            raise SettingsError(
                f"check_vihf must be one of {get_args(ProfileSwitch)}, not {self.check_vihf!r}"
            )
        if self.server not in get_args(Server):
            raise SettingsError(f"server must be one of {get_args(Server)}, not {self.server!r}")
        if self.profile not in get_args(Profile):
            raise SettingsError(f"profile must be one of {get_args(Profile)}, not {self.profile!r}")
        if not _is_oid(self.repository_unique_id):
            raise SettingsError(
                f"repository_unique_id must be an OID, not {self.repository_unique_id!r}"
            )
        if self.home_community_id is not None and not (
            self.home_community_id.startswith("urn:oid:")
            and _is_oid(self.home_community_id.removeprefix("urn:oid:"))
        ):
            raise SettingsError(
                f"home_community_id must be urn:oid:<OID>, not {self.home_community_id!r}"
            )
        if self.trust_store is not None and not self.trust_store.exists():
            raise SettingsError(f"trust_store {self.trust_store} does not exist")
        if self.vihf_clock_skew_seconds < 0:
            raise SettingsError(
                f"vihf_clock_skew_seconds must be 0 or more, not {self.vihf_clock_skew_seconds}"
            )
        if self.access_matrix is not None and not self.access_matrix.is_file():
            raise SettingsError(f"access_matrix {self.access_matrix} is not a file")
        if self.registry_url is not None and not _is_http_url(self.registry_url):
            raise SettingsError(
                f"registry_url must be an http:// or https:// URL, not {self.registry_url!r}"
            )
        if self.audit_syslog is not None and not _is_syslog_url(self.audit_syslog):
            raise SettingsError(
                "audit_syslog must be udp://HOST:PORT, tcp://HOST:PORT or tls://HOST:PORT, "
                f"not {self.audit_syslog!r}"
            )
        if self.database_url is not None and not self.database_url:
            raise SettingsError("database_url must not be empty (leave it unset for SQLite)")
        self._check_tls()

    def _check_tls(self) -> None:
        """The TLS and client-certificate settings (README "Mutual TLS") make one whole."""
        if (self.tls_certificate is None) != (self.tls_key is None):
            raise SettingsError("tls_certificate and tls_key go together: set both or neither")
        if self.tls_client_ca is not None and self.tls_certificate is None:
            raise SettingsError("tls_client_ca needs tls_certificate and tls_key")
        for name in ("tls_certificate", "tls_key", "tls_client_ca"):
            path = getattr(self, name)
            if path is not None and not path.is_file():
                raise SettingsError(f"{name} {path} is not a file")
        if self.match_client_certificate not in get_args(ClientCertificateMatching):
            raise SettingsError(
                f"match_client_certificate must be one of {get_args(ClientCertificateMatching)}, "
                f"not {self.match_client_certificate!r}"
            )
        proxies = self.trusted_proxy_networks  # refuses what is not an address or network
        header = self.client_certificate_header
        if header is not None and _FIELD_NAME.fullmatch(header) is None:
            raise SettingsError(f"client_certificate_header must be a header name, not {header!r}")
        if header is not None and not proxies:
            raise SettingsError("client_certificate_header needs trusted_proxies")
        if self.match_client_certificate == "on":
            if header is None:
                raise SettingsError(
                    "match_client_certificate needs client_certificate_header: neither granian "
                    "nor gunicorn hand the TLS client certificate to the application"
                )
            if not self.vihf_required:
                raise SettingsError("match_client_certificate needs the VIHF check (check_vihf)")

    @property
    def trusted_proxy_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        """``trusted_proxies`` parsed; an address alone is a network of one."""
        networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for item in (self.trusted_proxies or "").split(","):
            if item.strip():
                try:
                    networks.append(ipaddress.ip_network(item.strip(), strict=False))
                except ValueError:
                    raise SettingsError(
                        f"trusted_proxies must list addresses or networks, not {item.strip()!r}"
                    ) from None
        return tuple(networks)

    @property
    def vihf_required(self) -> bool:
        """Whether callers are identified by their VIHF (``check_vihf``, ``profile``)."""
        return self.check_vihf == "on" or (self.check_vihf == "auto" and self.profile == "dmp")

    @property
    def audited(self) -> bool:
        """Whether every transaction is audited (``audit_transactions``, ``profile``)."""
        return self.audit_transactions == "on" or (
            self.audit_transactions == "auto" and self.profile == "dmp"
        )

    @property
    def effective_database_url(self) -> str:
        """``database_url``, or a SQLite file ``registry.sqlite3`` in ``data_dir``."""
        if self.database_url is not None:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'registry.sqlite3').as_posix()}"

    def to_environ(self) -> dict[str, str]:
        """These settings as ``CARNET_*`` variables, for workers that rebuild them (granian)."""
        environ: dict[str, str] = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if value is not None:
                environ[ENVIRONMENT_PREFIX + field.name.upper()] = str(value)
        return environ

    @classmethod
    def load(
        cls,
        *,
        file: Path | None = None,
        environ: Mapping[str, str] | None = None,
        defaults: Mapping[str, object] | None = None,
        **overrides: object,
    ) -> Settings:
        """Build settings from the defaults, ``file``, ``CARNET_*`` variables, then ``overrides``.

        ``environ`` defaults to :data:`os.environ`; an empty variable counts as unset. Overrides
        that are None are ignored, so a command line can pass every option it parsed.
        ``defaults`` replace the class's own for one command (``carnet serve`` defaults to the
        dmp profile) and lose to everything else.
        """
        environ = os.environ if environ is None else environ
        values = _convert(defaults or {}, source="defaults")
        values |= _read_file(file) if file is not None else {}
        for name in _field_types():
            variable = ENVIRONMENT_PREFIX + name.upper()
            if raw := environ.get(variable):
                values |= _convert({name: raw}, source=variable)
        values |= _convert(overrides, source="overrides")
        return cls(**values)  # type: ignore[arg-type]  # each value converted to its field's type


@functools.cache
def _field_types() -> dict[str, object]:
    hints = typing.get_type_hints(Settings)
    return {field.name: hints[field.name] for field in dataclasses.fields(Settings)}


def _read_file(file: Path) -> dict[str, object]:
    try:
        with file.open("rb") as stream:
            table = tomllib.load(stream)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"cannot read settings file {file}: {exc}") from None
    return _convert(table, source=str(file))


def _convert(values: Mapping[str, object], *, source: str) -> dict[str, object]:
    """Check each name is a field and turn strings into the field's type; drop None values."""
    types = _field_types()
    converted: dict[str, object] = {}
    for name, value in values.items():
        if name not in types:
            raise SettingsError(f"unknown setting {name!r} (from {source})")
        if value is not None:
            converted[name] = _convert_value(name, value, types[name], source=source)
    return converted


def _convert_value(name: str, value: object, hint: object, *, source: str) -> object:
    kinds = set(get_args(hint)) - {type(None)} or {hint}
    if Path in kinds and isinstance(value, str | Path):
        return Path(value)
    if int in kinds:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                pass
    elif isinstance(value, str) and (str in kinds or all(isinstance(k, str) for k in kinds)):
        return value
    raise SettingsError(f"{name} must be {_describe(hint)}, not {value!r} (from {source})")


def _describe(hint: object) -> str:
    if hint is Path:
        return "a path"
    if hint is int:
        return "an integer"
    literals = [arg for arg in get_args(hint) if isinstance(arg, str)]
    return f"one of {literals}" if literals else "a string"


def _check_positive(settings: Settings, *names: str) -> None:
    for name in names:
        value = getattr(settings, name)
        if value < 1:
            raise SettingsError(f"{name} must be at least 1, not {value}")


def _is_http_url(value: str) -> bool:
    scheme, _, rest = value.partition("://")
    return scheme.lower() in ("http", "https") and bool(rest.split("/", 1)[0])


def _is_syslog_url(value: str) -> bool:
    scheme, _, rest = value.partition("://")
    host, _, port = rest.rpartition(":")
    return scheme in ("udp", "tcp", "tls") and bool(host) and port.isdigit()


def _is_oid(value: str) -> bool:
    return len(value) <= _MAX_OID_LENGTH and _OID.fullmatch(value) is not None
