from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict, Field

from uzor_common.config import ConfigError, load, merge, parse_override, read_yaml, setup_hint


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Listen(Strict):
    host: str = "127.0.0.1"
    port: int = Field(default=80, ge=1, le=65535)


class Sample(Strict):
    listen: Listen = Listen()
    name: str
    mode: str = "quiet"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_layers_win_in_order_defaults_file_conf_d_overrides(tmp_path: Path) -> None:
    defaults = write(tmp_path / "defaults.yaml", "name: packaged\nmode: loud\n")
    main = write(tmp_path / "main.yaml", "name: file\nlisten: {port: 8000}\n")
    write(tmp_path / "conf.d" / "20-b.yaml", "listen: {port: 8200}\n")
    write(tmp_path / "conf.d" / "10-a.yaml", "listen: {port: 8100, host: 0.0.0.0}\n")
    write(tmp_path / "conf.d" / "notes.txt", "this: is not a layer\n")
    config = load(
        Sample, main, defaults=defaults, conf_d=tmp_path / "conf.d", overrides=["mode=set"]
    )
    assert config == Sample(listen=Listen(host="0.0.0.0", port=8200), name="file", mode="set")  # noqa: S104


def test_an_absent_conf_d_is_no_layer(tmp_path: Path) -> None:
    main = write(tmp_path / "main.yaml", "name: x\n")
    assert load(Sample, main, conf_d=tmp_path / "absent.d").name == "x"


@pytest.mark.parametrize(
    ("text", "english", "russian"),
    [
        (
            "name: x\nlisten: {prot: 1}\n",
            "{f}: unknown key 'listen.prot'",
            "{f}: неизвестный ключ «listen.prot»",
        ),
        (
            "name: x\nlisten: {port: 0}\n",
            "{f}: bad value for 'listen.port': it must be at least 1",
            "{f}: недопустимое значение ключа «listen.port»: значение должно быть не меньше 1",
        ),
        (
            "name: x\nlisten: {port: eighty}\n",
            "{f}: bad value for 'listen.port': an integer is expected",
            "{f}: недопустимое значение ключа «listen.port»: ожидается целое число",
        ),
    ],
)
def test_an_error_names_the_file_and_the_dotted_key_in_either_language(
    tmp_path: Path, text: str, english: str, russian: str
) -> None:
    main = write(tmp_path / "main.yaml", "name: x\n")
    drop_in = write(tmp_path / "conf.d" / "50-local.yaml", text)
    with pytest.raises(ConfigError) as err:
        load(Sample, main, conf_d=tmp_path / "conf.d")
    assert str(err.value) == english.format(f=drop_in)
    assert err.value.render("ru") == russian.format(f=drop_in)


def test_a_missing_key_names_the_configuration(tmp_path: Path) -> None:
    main = write(tmp_path / "main.yaml", "mode: x\n")
    with pytest.raises(ConfigError, match=r"^configuration: missing key 'name'$"):
        load(Sample, main)


def test_the_key_is_blamed_on_the_layer_that_set_it_last(tmp_path: Path) -> None:
    main = write(tmp_path / "main.yaml", "name: x\nlisten: {port: 0}\n")
    with pytest.raises(ConfigError, match=r"^flag --set listen.port: bad value"):
        load(Sample, main, overrides=["listen.port=-5"])
    write(tmp_path / "conf.d" / "a.yaml", "listen: {port: 90}\n")
    assert load(Sample, main, conf_d=tmp_path / "conf.d").listen.port == 90


def test_yaml_tags_that_could_run_code_are_refused(tmp_path: Path) -> None:
    main = write(tmp_path / "main.yaml", "name: !!python/object/apply:os.system ['false']\n")
    with pytest.raises(ConfigError, match=rf"^{main}: line 1: not valid YAML$"):
        read_yaml(main)


def test_the_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    main = write(tmp_path / "main.yaml", "- a\n")
    with pytest.raises(ConfigError) as err:
        read_yaml(main)
    assert "top level must be a mapping" in str(err.value)
    assert str(main) in err.value.render("ru") and "верхнем уровне" in err.value.render("ru")


def test_an_empty_file_is_an_empty_layer(tmp_path: Path) -> None:
    assert read_yaml(write(tmp_path / "e.yaml", "")) == {}


def test_an_unreadable_file_says_why_and_a_hint_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        read_yaml(tmp_path / "absent.yaml")
    error = ConfigError(err.value.text, setup_hint("UZOR_X_CONFIG"))
    assert str(error).startswith(f"{tmp_path / 'absent.yaml'}: cannot read: ")
    assert str(error).endswith("; run the configurator or set UZOR_X_CONFIG")
    assert error.render("ru").endswith("; запустите конфигуратор или задайте UZOR_X_CONFIG")


def test_an_override_is_a_dotted_key_and_a_yaml_value() -> None:
    assert parse_override("listen.port=81") == ("flag --set listen.port", {"listen": {"port": 81}})
    with pytest.raises(ConfigError, match="expected KEY=VALUE"):
        parse_override("listen.port")


def test_merge_without_a_model_keeps_every_key_and_merges_mappings() -> None:
    layers = [
        ("a.yaml", {"database": {"name": "uzor", "host": "h1"}, "units": [1]}),
        ("b.yaml", {"database": {"host": "h2"}, "units": [2], "extra": True}),
    ]
    assert merge(layers) == {
        "database": {"name": "uzor", "host": "h2"},
        "units": [2],
        "extra": True,
    }
