from pathlib import Path

import pytest

from appliance.admin.uzor_admin.config import ConfigError, config_path, load_config, read_secret


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "admin.yaml"
    path.write_text(text)
    return path


def test_it_reads_the_documented_example(tmp_path):
    config = load_config(
        write(
            tmp_path,
            """
secret_key_file: /etc/uzor/secrets/django_secret_key
debug: false
allowed_hosts: ["*"]
database:
  name: uzor
  user: uzor
  host: 127.0.0.1
  port: 3306
  socket: null
  password_file: /etc/uzor/secrets/db_password
license:
  path: /etc/uzor/license.key
  public_keys: /usr/share/uzor/keys
  required: true
static_root: /var/lib/uzor/static
media_root: /var/lib/uzor/media
public_url: https://uzor.example
""",
        )
    )
    assert config.database.port == 3306 and config.database.socket is None
    assert config.license.required and config.public_url == "https://uzor.example"
    assert config.media_root == Path("/var/lib/uzor/media")


def test_defaults_follow_the_installed_paths(tmp_path):
    config = load_config(write(tmp_path, "{}\n"))
    assert config.secret_key_file == Path("/etc/uzor/secrets/django_secret_key")
    assert config.static_root == Path("/var/lib/uzor/static")
    assert config.public_url is None


def test_an_unknown_key_is_refused_naming_file_and_key(tmp_path):
    path = write(tmp_path, "database:\n  nmae: uzor\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value) == f"{path}: unknown key 'database.nmae'"
    assert err.value.render("ru") == f"{path}: неизвестный ключ «database.nmae»"


def test_admin_conf_d_overrides_the_file_key_by_key_in_name_order(tmp_path):
    path = write(tmp_path, "database: {name: main, port: 3307}\npublic_url: https://a.example\n")
    drop_ins = tmp_path / "admin.conf.d"
    drop_ins.mkdir()
    (drop_ins / "20-late.yaml").write_text("database: {name: late}\n")
    (drop_ins / "10-early.yaml").write_text("database: {name: early, user: ops}\ndebug: true\n")
    (drop_ins / "ignored.yml.bak").write_text("database: {name: never}\n")
    config = load_config(path)
    assert (config.database.name, config.database.user, config.database.port) == (
        "late",
        "ops",
        3307,
    )
    assert config.debug is True and config.public_url == "https://a.example"


def test_an_error_in_admin_conf_d_names_that_file_and_the_key(tmp_path):
    path = write(tmp_path, "database: {port: 3307}\n")
    drop_in = tmp_path / "admin.conf.d" / "50-local.yaml"
    drop_in.parent.mkdir()
    drop_in.write_text("database: {port: 0}\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value) == f"{drop_in}: bad value for 'database.port': it must be at least 1"


def test_a_bad_value_names_the_key(tmp_path):
    with pytest.raises(ConfigError, match=r"database\.port"):
        load_config(write(tmp_path, "database: {port: 70000}\n"))


def test_a_missing_file_says_how_to_fix_it(tmp_path):
    with pytest.raises(ConfigError, match="UZOR_ADMIN_CONFIG"):
        load_config(tmp_path / "absent.yaml")


def test_not_a_mapping_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="mapping"):
        load_config(write(tmp_path, "- a\n- b\n"))


def test_the_env_override_picks_the_file(monkeypatch, tmp_path):
    monkeypatch.setenv("UZOR_ADMIN_CONFIG", str(tmp_path / "x.yaml"))
    assert config_path() == tmp_path / "x.yaml"
    monkeypatch.delenv("UZOR_ADMIN_CONFIG")
    assert config_path() == Path("/etc/uzor/admin.yaml")


def test_secrets_come_from_files(tmp_path):
    secret = tmp_path / "db_password"
    secret.write_text("s3cret\n")
    assert read_secret(secret, "database password") == "s3cret"
    secret.write_text("\n")
    with pytest.raises(ConfigError, match="empty"):
        read_secret(secret, "database password")
    with pytest.raises(ConfigError, match="cannot read"):
        read_secret(tmp_path / "none", "database password")


def test_relative_paths_are_relative_to_the_file(tmp_path):
    config = load_config(write(tmp_path, "secret_key_file: secrets/key\nmedia_root: media\n"))
    assert config.secret_key_file == tmp_path / "secrets" / "key"
    assert config.media_root == tmp_path / "media"
    assert config.static_root == Path("/var/lib/uzor/static")


def test_workplace_signalling_networks_are_checked_and_default_to_loopback(tmp_path):
    assert [str(n) for n in load_config(write(tmp_path, "{}")).workplace_signalling_from] == [
        "127.0.0.0/8",
        "::1/128",
    ]
    config = load_config(write(tmp_path, "workplace_signalling_from: [192.0.2.10/32]"))
    assert [str(n) for n in config.workplace_signalling_from] == ["192.0.2.10/32"]
    for bad in ("[not-a-network]", "[]", "[192.0.2.10/33]"):
        with pytest.raises(ConfigError, match="workplace_signalling_from"):
            load_config(write(tmp_path, f"workplace_signalling_from: {bad}"))
