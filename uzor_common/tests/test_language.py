import pytest

from uzor_common.language import from_environment, supported


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANGUAGE": "ru:en", "LANG": "en_US.UTF-8"}, "ru"),
        ({"LANGUAGE": "de:ru", "LANG": "C"}, "ru"),  # the first usable entry of the list
        ({"LANGUAGE": "de:fr", "LANG": "ru_RU.UTF-8"}, "ru"),  # none usable: the next variable
        ({"LANGUAGE": "", "LANG": "ru_RU"}, "ru"),
        ({"LC_ALL": "C", "LANG": "ru_RU.UTF-8"}, "en"),
        ({"LC_MESSAGES": "ru_RU", "LANG": "en_US.UTF-8"}, "ru"),
        ({"LC_ALL": "ru_RU.UTF-8", "LC_MESSAGES": "en_US"}, "ru"),
        ({"LANG": "de_DE.UTF-8"}, "en"),  # a locale we have no texts for: English
        ({"LANG": "C.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_the_language_rule(environ: dict[str, str], expected: str) -> None:
    assert from_environment(environ) == expected


def test_the_product_default_applies_only_when_nothing_is_set() -> None:
    assert from_environment({}, default="ru") == "ru"
    assert from_environment({"LANG": "C"}, default="ru") == "en"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("ru", "ru"),
        ("ru-RU", "ru"),
        ("ru_RU.UTF-8", "ru"),
        ("en_GB", "en"),
        ("POSIX", "en"),
        ("sr@latin", None),
        ("", None),
    ],
)
def test_supported(code: str, expected: str | None) -> None:
    assert supported(code) == expected
