from pathlib import Path

import pytest

from appliance.agency.config import ConfigError, load_config, redacted


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_it_loads_the_packaged_defaults_alone() -> None:
    config = load_config(None)
    assert config.listen.port == 8765
    assert config.database.password_file == Path("/etc/uzor/agency/secrets/db_password")
    assert config.database.user == "uzor_agency"
    assert config.units == ()


def test_it_layers_instance_file_then_conf_d_then_flags(tmp_path: Path) -> None:
    main = write(tmp_path / "1.yaml", "listen: {port: 9000}\nacp: {max_clients: 5}\n")
    write(tmp_path / "conf.d" / "10-a.yaml", "acp: {max_clients: 7}\n")
    write(tmp_path / "conf.d" / "20-b.yaml", "listen: {host: 0.0.0.0}\n")
    config = load_config(main, overrides=["listen.port=9100"])
    assert config.listen.port == 9100
    assert config.listen.host == "0.0.0.0"  # noqa: S104
    assert config.acp.max_clients == 7
    assert config.acp.client_queue == 256


def test_it_names_the_file_and_key_of_an_unknown_key(tmp_path: Path) -> None:
    main = write(tmp_path / "1.yaml", "listen: {port: 9000}\n")
    extra = write(tmp_path / "conf.d" / "x.yaml", "acp: {max_clientz: 3}\n")
    with pytest.raises(ConfigError) as err:
        load_config(main)
    assert str(err.value) == f"{extra}: unknown key 'acp.max_clientz'"


def test_it_names_the_file_and_key_of_a_bad_value(tmp_path: Path) -> None:
    main = write(tmp_path / "1.yaml", "listen: {port: eighty}\n")
    with pytest.raises(ConfigError) as err:
        load_config(main)
    message = str(err.value)
    assert message.startswith(f"{main}: bad value for 'listen.port'")
    assert "\n" not in message


def test_it_names_the_flag_of_a_bad_override() -> None:
    with pytest.raises(ConfigError, match=r"^flag --set ami.keepalive_interval: bad value"):
        load_config(None, overrides=["ami.keepalive_interval=-1"])


def test_it_rejects_a_flag_without_value() -> None:
    with pytest.raises(ConfigError, match="expected KEY=VALUE"):
        load_config(None, overrides=["listen.port"])


def test_it_rejects_yaml_that_is_not_a_mapping(tmp_path: Path) -> None:
    main = write(tmp_path / "1.yaml", "- a\n- b\n")
    with pytest.raises(ConfigError, match="top level must be a mapping"):
        load_config(main)


def test_it_rejects_yaml_tags_that_could_run_code(tmp_path: Path) -> None:
    main = write(tmp_path / "1.yaml", "listen: !!python/object/apply:os.system ['true']\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(main)


def test_it_reports_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "absent.yaml")


def test_a_scalar_replacing_a_section_is_named(tmp_path: Path) -> None:
    main = write(tmp_path / "1.yaml", "listen: 8080\n")
    with pytest.raises(ConfigError, match=rf"^{main}: bad value for 'listen'"):
        load_config(main)


def test_it_reads_static_units_and_redacts_secrets(tmp_path: Path) -> None:
    main = write(
        tmp_path / "1.yaml",
        "units:\n  - {name: pbx1, host: 127.0.0.1, username: agency, secret_file: /s/ami}\n",
    )
    config = load_config(main)
    assert config.units[0].port == 5038
    shown = redacted(config)
    assert shown["units"][0]["secret_file"] == "<redacted>"
    assert shown["database"]["password_file"] == "<redacted>"
    assert shown["api"]["token_file"] == "<redacted>"
    assert shown["listen"] == {"host": "127.0.0.1", "port": 8765}


def test_the_default_language_is_ru_en_or_the_locale() -> None:
    assert load_config(None).language is None  # None: the process locale decides
    assert load_config(None, ["language=ru"]).language == "ru"
    with pytest.raises(ConfigError, match=r"^flag --set language: bad value for 'language'"):
        load_config(None, ["language=de"])
