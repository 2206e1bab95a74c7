import pytest
from django.core.exceptions import ValidationError

from appliance.admin.callcenter.validators import (
    ExpressionPart,
    normalize_mac,
    overlapping_prefix,
    parse_number_expression,
    parse_pattern,
    validate_agent_number,
    validate_caller_id,
    validate_host,
    validate_latin_name,
    validate_outbound_prefix,
)


@pytest.mark.parametrize("number", ["101", "000", "1234567890"])
def test_it_accepts_agent_numbers_of_three_or_more_digits(number):
    validate_agent_number(number)


@pytest.mark.parametrize("number", ["", "12", "1a3", "١٢٣", "12 3", "-123", "abc"])
def test_it_rejects_bad_agent_numbers(number):
    with pytest.raises(ValidationError):
        validate_agent_number(number)


@pytest.mark.parametrize(
    "raw",
    [
        "E8-03-9A-B5-E0-C9",
        "e8:03:9a:b5:e0:c9",
        "E803.9AB5.E0C9",
        "e8039ab5e0c9",
        " E8 03 9A B5 E0 C9 ",
    ],
)
def test_it_normalises_mac_addresses(raw):
    assert normalize_mac(raw) == "e8039ab5e0c9"


@pytest.mark.parametrize(
    "raw", ["", "E8-03-9A-B5-E0", "E8-03-9A-B5-E0-C9-00", "G8-03-9A-B5-E0-C9", "e8039ab5e0c"]
)
def test_it_rejects_bad_mac_addresses(raw):
    with pytest.raises(ValidationError, match="MAC"):
        normalize_mac(raw)


@pytest.mark.parametrize("prefix", ["111", "1", "7", "0"])
def test_it_accepts_outbound_prefixes(prefix):
    validate_outbound_prefix(prefix)


def test_it_rejects_prefix_starting_with_8():
    with pytest.raises(ValidationError, match="8"):
        validate_outbound_prefix("811")


@pytest.mark.parametrize("prefix", ["", "1a", "#1", "+1"])
def test_it_rejects_non_digit_prefixes(prefix):
    with pytest.raises(ValidationError):
        validate_outbound_prefix(prefix)


def test_it_finds_prefixes_that_are_prefixes_of_others():
    assert overlapping_prefix("11", ["111", "22"]) == "111"
    assert overlapping_prefix("1112", ["111"]) == "111"
    assert overlapping_prefix("112", ["111", "22"]) is None


@pytest.mark.parametrize(
    ("pattern", "tokens"),
    [
        ("_89.", ["8", "9", "."]),
        ("_XZN!", ["X", "Z", "N", "!"]),
        ("_x[1-5][135]", ["X", "[1-5]", "[135]"]),
        ("74951234567", list("74951234567")),
        ("_+7XXX.", ["+", "7", "X", "X", "X", "."]),
    ],
)
def test_it_parses_asterisk_patterns(pattern, tokens):
    assert parse_pattern(pattern) == tokens


@pytest.mark.parametrize(
    "pattern",
    [
        "",
        "_",
        "_.",
        "_8.9",
        "_8!9",
        "_[1-5",
        "_[]",
        "_[a-c]",
        "_[5-1]",
        "_8?",
        "_8 9",
        "89X",
        "abc",
    ],
)
def test_it_refuses_malformed_patterns(pattern):
    with pytest.raises(ValidationError):
        parse_pattern(pattern)


def test_it_parses_the_safe_number_expression_subset():
    assert parse_number_expression("${EXTEN}") == [ExpressionPart(None)]
    assert parse_number_expression("${EXTEN:1}") == [ExpressionPart(None, 1)]
    assert parse_number_expression("7${EXTEN:1:10}") == [
        ExpressionPart("7"),
        ExpressionPart(None, 1, 10),
    ]
    assert parse_number_expression("100") == [ExpressionPart("100")]
    assert parse_number_expression("+7${EXTEN:-10}") == [
        ExpressionPart("+7"),
        ExpressionPart(None, -10),
    ]


@pytest.mark.parametrize(
    "expression",
    [
        "",
        "${CALLERID(num)}",
        "${EXTEN:a}",
        "${EXTEN",
        "$[1+1]",
        "${SHELL(rm -rf /)}",
        "1 2",
        "${EXTEN}+",
        "S{EXTEN}",
        "${exten}",
    ],
)
def test_it_refuses_expressions_outside_the_safe_subset(expression):
    with pytest.raises(ValidationError):
        parse_number_expression(expression)


@pytest.mark.parametrize("name", ["sales", "from-sipnet", "Queue_1"])
def test_it_accepts_latin_names(name):
    validate_latin_name(name)


@pytest.mark.parametrize("name", ["продажи", "1sales", "sales team", "", "a.b"])
def test_it_refuses_non_latin_names(name):
    with pytest.raises(ValidationError):
        validate_latin_name(name)


@pytest.mark.parametrize("host", ["sipnet.ru", "10.0.0.1", "gw-1.example.com", "localhost"])
def test_it_accepts_hosts(host):
    validate_host(host)


@pytest.mark.parametrize("host", ["", "300.1.1.1", "1.2.3", "exa mple.com", "-bad.com", "a..b"])
def test_it_refuses_bad_hosts(host):
    with pytest.raises(ValidationError):
        validate_host(host)


def test_it_checks_caller_ids():
    validate_caller_id("+74951234567")
    validate_caller_id("")
    with pytest.raises(ValidationError):
        validate_caller_id("74-95")
