"""carnet/settings.py: defaults, then a TOML file, then CARNET_* variables, then overrides."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from carnet.settings import Settings, SettingsError


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_are_safe_for_a_single_host() -> None:
    settings = Settings.load(environ={})
    assert settings == Settings()
    assert settings.host == "127.0.0.1"
    assert settings.port == 8080
    assert settings.profile == "ihe"
    assert settings.max_request_bytes == 256 * 1024 * 1024
    assert settings.max_metadata_bytes == 16 * 1024 * 1024
    assert settings.max_query_results == 1000
    assert settings.home_community_id is None


def test_settings_are_frozen_and_keyword_only() -> None:
    settings = Settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.port = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        Settings(Path("data"))  # type: ignore[call-arg]


def test_every_field_has_a_docstring() -> None:
    source = Path(__file__).parents[2].joinpath("carnet", "settings.py").read_text()
    for field in dataclasses.fields(Settings):
        declaration = source.index(f"\n    {field.name}: ")
        following_line = source[declaration:].splitlines()[2]
        assert following_line.strip().startswith('"""'), field.name


def test_database_url_defaults_to_sqlite_in_data_dir() -> None:
    settings = Settings(data_dir=Path("/srv/carnet"))
    assert settings.effective_database_url == "sqlite:////srv/carnet/registry.sqlite3"


def test_database_url_when_set_is_used_as_is() -> None:
    url = "postgresql+psycopg://carnet@db/carnet"
    assert Settings(database_url=url).effective_database_url == url


def test_file_overrides_defaults(tmp_path: Path) -> None:
    file = write(tmp_path / "carnet.toml", 'port = 9000\ndata_dir = "/srv/x"\nprofile = "dmp"\n')
    settings = Settings.load(file=file, environ={})
    assert settings.port == 9000
    assert settings.data_dir == Path("/srv/x")
    assert settings.profile == "dmp"


def test_environment_overrides_file(tmp_path: Path) -> None:
    file = write(tmp_path / "carnet.toml", "port = 9000\n")
    environ = {
        "CARNET_PORT": "9100",
        "CARNET_DATA_DIR": "/var/lib/carnet",
        "CARNET_DATABASE_URL": "postgresql+psycopg://carnet@db/carnet",
    }
    settings = Settings.load(file=file, environ=environ)
    assert settings.port == 9100
    assert settings.data_dir == Path("/var/lib/carnet")
    assert settings.database_url == "postgresql+psycopg://carnet@db/carnet"


def test_empty_environment_variable_counts_as_unset() -> None:
    settings = Settings.load(environ={"CARNET_PORT": "", "CARNET_HOME_COMMUNITY_ID": ""})
    assert settings.port == 8080
    assert settings.home_community_id is None


def test_unrelated_environment_variables_are_ignored() -> None:
    assert Settings.load(environ={"CARNET_SOMETHING_ELSE": "1", "PORT": "1"}) == Settings()


def test_overrides_win_and_none_overrides_are_ignored() -> None:
    settings = Settings.load(environ={"CARNET_PORT": "9100"}, port=9200, host=None, threads="4")
    assert settings.port == 9200
    assert settings.host == "127.0.0.1"
    assert settings.threads == 4


def test_invalid_integer_names_the_field_and_source() -> None:
    with pytest.raises(SettingsError, match=r"port must be an integer.*CARNET_PORT"):
        Settings.load(environ={"CARNET_PORT": "eighty"})


def test_boolean_is_not_an_integer(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="workers must be an integer"):
        Settings.load(file=write(tmp_path / "c.toml", "workers = true\n"), environ={})


def test_unknown_file_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="unknown setting 'prot'"):
        Settings.load(file=write(tmp_path / "c.toml", "prot = 1\n"), environ={})


def test_unknown_override_is_refused() -> None:
    with pytest.raises(SettingsError, match="unknown setting"):
        Settings.load(environ={}, colour="blue")


def test_unreadable_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="cannot read settings file"):
        Settings.load(file=tmp_path / "absent.toml", environ={})
    with pytest.raises(SettingsError, match="cannot read settings file"):
        Settings.load(file=write(tmp_path / "bad.toml", "port = \n"), environ={})


def test_wrongly_typed_file_value_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="host must be a string"):
        Settings.load(file=write(tmp_path / "c.toml", "host = 1\n"), environ={})


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("port", 70000, "port must be between"),
        ("profile", "xca", "profile must be one of"),
        ("max_query_results", 0, "max_query_results must be at least 1"),
        ("workers", 0, "workers must be at least 1"),
        ("max_metadata_bytes", 512 * 1024 * 1024, "exceeds max_request_bytes"),
        ("repository_unique_id", "1.2.abc", "must be an OID"),
        ("repository_unique_id", "1.2." + "3" * 80, "must be an OID"),
        ("home_community_id", "1.2.3", "must be urn:oid:"),
        ("database_url", "", "must not be empty"),
    ],
)
def test_out_of_range_values_are_refused(field: str, value: object, message: str) -> None:
    overrides: dict[str, Any] = {field: value}
    with pytest.raises(SettingsError, match=message):
        Settings.load(environ={}, **overrides)


def test_home_community_id_accepts_an_oid_urn() -> None:
    settings = Settings.load(environ={"CARNET_HOME_COMMUNITY_ID": "urn:oid:1.2.250.1.999"})
    assert settings.home_community_id == "urn:oid:1.2.250.1.999"


def test_registry_url_comes_from_carnet_registry_url() -> None:
    url = "https://registry.example:8443/xds/registry"
    assert Settings.load(environ={"CARNET_REGISTRY_URL": url}).registry_url == url
    assert Settings.load(environ={}).registry_url is None


@pytest.mark.parametrize("url", ["", "registry.example/xds", "ftp://registry.example/", "http://"])
def test_registry_url_must_be_an_http_url(url: str) -> None:
    with pytest.raises(SettingsError, match="registry_url must be an http"):
        Settings.load(environ={}, registry_url=url)


def test_serve_registry_url_option_sets_registry_url() -> None:
    from carnet.cli import _parser, _settings

    url = "http://127.0.0.1:8081/xds/registry"
    arguments = _parser().parse_args(["serve", "--registry-url", url])
    assert _settings(arguments).registry_url == url


def test_trust_store_comes_from_carnet_trust_store(tmp_path: Path) -> None:
    bundle = write(tmp_path / "cas.pem", "")
    settings = Settings.load(environ={"CARNET_TRUST_STORE": str(bundle)})
    assert settings.trust_store == bundle
    assert Settings.load(environ={}).trust_store is None


def test_trust_store_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"trust_store .* does not exist"):
        Settings.load(environ={}, trust_store=tmp_path / "missing.pem")


def test_serve_trust_store_option_sets_trust_store(tmp_path: Path) -> None:
    from carnet.cli import _parser, _settings

    arguments = _parser().parse_args(["serve", "--trust-store", str(tmp_path)])
    assert _settings(arguments).trust_store == tmp_path


def test_trust_store_without_certificates_stops_the_app_factory(tmp_path: Path) -> None:
    from carnet.app import signature_check

    (tmp_path / "cas").mkdir()
    settings = Settings.load(environ={}, trust_store=tmp_path / "cas")
    with pytest.raises(SettingsError, match=r"trust_store: .* holds no certificate"):
        signature_check(settings)


@pytest.mark.parametrize(
    ("profile", "checking", "expected"),
    [
        ("ihe", "auto", False),
        ("dmp", "auto", True),
        ("ihe", "on", True),
        ("dmp", "off", False),
    ],
)
def test_cda_header_check_runs_under_dmp_by_default_and_as_told_otherwise(
    tmp_path: Path, profile: str, checking: str, expected: bool
) -> None:
    from carnet.app import cda_header_check

    settings = Settings.load(
        environ={"CARNET_PROFILE": profile, "CARNET_CHECK_CDA_HEADERS": checking},
        data_dir=tmp_path,
    )
    assert (cda_header_check(settings) is not None) is expected


def test_check_cda_headers_refuses_an_unknown_value() -> None:
    with pytest.raises(SettingsError, match="check_cda_headers must be one of"):
        Settings.load(environ={"CARNET_CHECK_CDA_HEADERS": "sometimes"})


def test_vihf_is_required_under_dmp_unless_check_vihf_is_off() -> None:
    assert Settings(profile="dmp").vihf_required
    assert not Settings(profile="dmp", check_vihf="off").vihf_required
    assert not Settings(profile="ihe").vihf_required
    assert Settings(profile="ihe", check_vihf="on").vihf_required


def test_check_vihf_outside_its_values_is_refused() -> None:
    with pytest.raises(SettingsError, match="check_vihf"):
        Settings(check_vihf="maybe")  # type: ignore[arg-type]


def test_load_defaults_lose_to_the_environment() -> None:
    assert Settings.load(environ={}, defaults={"profile": "dmp"}).profile == "dmp"
    environ = {"CARNET_PROFILE": "ihe"}
    assert Settings.load(environ=environ, defaults={"profile": "dmp"}).profile == "ihe"


def test_serve_tls_options_set_the_tls_settings(tmp_path: Path) -> None:
    from carnet.cli import _parser, _settings

    certificate, key, client_ca = (write(tmp_path / name, "") for name in ("c.pem", "k.pem", "ca"))
    options = ["--tls-cert", str(certificate), "--tls-key", str(key)]
    arguments = _parser().parse_args(["serve", *options, "--tls-client-ca", str(client_ca)])
    settings = _settings(arguments)
    assert (settings.tls_certificate, settings.tls_key) == (certificate, key)
    assert settings.tls_client_ca == client_ca


def test_tls_settings_come_from_carnet_tls_variables(tmp_path: Path) -> None:
    certificate, key = write(tmp_path / "c.pem", ""), write(tmp_path / "k.pem", "")
    environ = {"CARNET_TLS_CERTIFICATE": str(certificate), "CARNET_TLS_KEY": str(key)}
    settings = Settings.load(environ=environ)
    assert (settings.tls_certificate, settings.tls_key, settings.tls_client_ca) == (
        certificate,
        key,
        None,
    )


def test_tls_certificate_without_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="tls_certificate and tls_key go together"):
        Settings(tls_certificate=write(tmp_path / "c.pem", ""))


def test_tls_client_ca_without_server_certificate_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="tls_client_ca needs tls_certificate"):
        Settings(tls_client_ca=write(tmp_path / "ca.pem", ""))


def test_tls_file_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"tls_key .* is not a file"):
        Settings(tls_certificate=write(tmp_path / "c.pem", ""), tls_key=tmp_path / "missing")


def test_trusted_proxies_are_addresses_or_networks() -> None:
    settings = Settings(trusted_proxies="127.0.0.1, 10.0.0.0/8,::1")
    assert [str(network) for network in settings.trusted_proxy_networks] == [
        "127.0.0.1/32",
        "10.0.0.0/8",
        "::1/128",
    ]
    with pytest.raises(SettingsError, match="trusted_proxies must list addresses"):
        Settings(trusted_proxies="nginx.local")


def test_client_certificate_header_needs_trusted_proxies() -> None:
    with pytest.raises(SettingsError, match="client_certificate_header needs trusted_proxies"):
        Settings(client_certificate_header="X-SSL-Client-Cert")


def test_client_certificate_header_must_be_a_header_name() -> None:
    with pytest.raises(SettingsError, match="client_certificate_header must be a header name"):
        Settings(client_certificate_header="X SSL: cert", trusted_proxies="127.0.0.1")


def test_match_client_certificate_needs_the_header() -> None:
    with pytest.raises(SettingsError, match="match_client_certificate needs client_certificate"):
        Settings(profile="dmp", match_client_certificate="on")


def test_match_client_certificate_needs_the_vihf_check() -> None:
    with pytest.raises(SettingsError, match="match_client_certificate needs the VIHF check"):
        Settings(
            profile="ihe",
            client_certificate_header="X-SSL-Client-Cert",
            trusted_proxies="127.0.0.1",
            match_client_certificate="on",
        )


def test_match_client_certificate_outside_its_values_is_refused() -> None:
    with pytest.raises(SettingsError, match="match_client_certificate must be one of"):
        Settings(match_client_certificate="yes")  # type: ignore[arg-type]
