import json

import pytest
from jsonschema import Draft202012Validator

from appliance.agency.acp import docgen
from appliance.agency.acp.messages import (
    ACPError,
    Action,
    action_names,
    decode_action,
    encode,
    load_schema,
)
from appliance.agency.acp.outgoing import result
from appliance.agency.acp.tests.schema_check import assert_valid
from appliance.agency.i18n import _

LOGIN = {"agent": "101", "password": "pw", "workplace": "E8-03-9A-B5-E0-C9"}


def decode(value: object, limit: int = 4096) -> Action:
    return decode_action(value if isinstance(value, str) else json.dumps(value), limit)


def code_of(value: object, limit: int = 4096) -> tuple[str, object]:
    with pytest.raises(ACPError) as err:
        decode(value, limit)
    return err.value.code, err.value.id


def test_the_schema_is_valid_json_schema() -> None:
    Draft202012Validator.check_schema(load_schema())


def test_it_decodes_a_valid_action() -> None:
    action = decode({"type": "action", "name": "login", "id": 1, "data": LOGIN})
    assert action == Action("login", LOGIN, 1)


def test_data_may_be_omitted_for_actions_without_fields() -> None:
    assert decode({"type": "action", "name": "logout"}).data == {}


def test_it_names_each_problem() -> None:
    assert code_of("{not json") == ("malformed", None)
    assert code_of("[1, 2]") == ("malformed", None)
    assert code_of({"type": "event", "name": "login", "id": "a"}) == ("malformed", "a")
    assert code_of({"type": "action", "name": 5}) == ("malformed", None)
    assert code_of({"type": "action", "name": "x", "data": [], "id": 3}) == ("malformed", 3)
    assert code_of({"type": "action", "name": "login", "extra": 1}) == ("malformed", None)
    assert code_of({"type": "action", "name": "login", "id": {"x": 1}})[0] == "malformed"
    assert code_of({"type": "action", "name": "fly", "id": 9}) == ("unknown_action", 9)
    assert code_of({"type": "action", "name": "x" * 10}, limit=20) == ("oversized", None)


def test_a_login_gives_either_the_password_or_the_resume_token() -> None:
    token = "Zm9vYmFyYmF6cXV4cXV1eA-_" * 2
    resumed = {"agent": "101", "resume": token, "workplace": "E8-03-9A-B5-E0-C9"}
    assert decode({"type": "action", "name": "login", "data": resumed}).data == resumed
    for data in ({**LOGIN, "resume": token}, {k: v for k, v in LOGIN.items() if k != "password"}):
        with pytest.raises(ACPError) as err:
            decode({"type": "action", "name": "login", "id": 5, "data": data})
        assert err.value.code == "invalid_data"
        assert err.value.message.render("en") == (
            "login: give exactly one of the fields: password, resume"
        )
        assert "ровно одно из полей" in err.value.message.render("ru")
    with pytest.raises(ACPError) as err:
        decode({"type": "action", "name": "login", "data": {**resumed, "resume": "short"}})
    assert err.value.code == "invalid_data"


def test_invalid_data_points_at_the_field() -> None:
    bad = {**LOGIN, "agent": "12"}
    with pytest.raises(ACPError) as err:
        decode({"type": "action", "name": "login", "id": "q", "data": bad})
    assert err.value.code == "invalid_data" and err.value.id == "q"
    assert str(err.value.message) == "login: 'agent' has a value that is not allowed (pattern)"
    assert err.value.message.render("ru") == ("login: недопустимое значение поля «agent» (pattern)")
    assert_valid(err.value.to_message())
    assert_valid(err.value.to_message("ru"))


def test_unknown_data_fields_are_refused() -> None:
    assert code_of({"type": "action", "name": "logout", "data": {"x": 1}})[0] == "invalid_data"


def test_deep_nesting_is_malformed_not_a_crash() -> None:
    assert code_of("[" * 100000 + "]" * 100000, limit=10**6)[0] == "malformed"


def test_every_action_has_a_reply_definition() -> None:
    defs = load_schema()["$defs"]
    for name in action_names():
        assert f"event.{name}.result" in defs
    refs = {ref["$ref"] for ref in load_schema()["oneOf"]}
    messages = {f"#/$defs/{k}" for k in defs if k != "id"}
    assert refs == messages


def test_encoded_messages_match_the_schema() -> None:
    assert_valid(encode("notification", "message", {"text": "Привет", "from": "supervisor"}))
    assert_valid(result(Action("ping", {}, "p1"), {"time": "2026-01-01T00:00:00Z"}).encode("en"))
    assert_valid(ACPError("not_logged_in", _("log in first"), id=4).to_message())
    with pytest.raises(AssertionError):
        assert_valid(encode("event", "call_incoming", {"number": "1"}))


def test_docs_acp_md_is_up_to_date() -> None:
    expected = docgen.render(load_schema())
    assert docgen.DOC_PATH.read_text(encoding="utf-8") == expected, (
        "docs/acp.md is stale: run `python -m appliance.agency.acp.docgen --write`"
    )


@pytest.mark.parametrize(
    "data",
    [
        {"number": "1234567", "topic": "11189&PJSIP/00442079460000@sipnet&PJSIP/89"},
        {"number": "1234567", "topic": "111\n"},
        {"number": "89001234567\n"},
        {"number": "8900&PJSIP/1@sipnet"},
        {"number": "8900,tT"},
    ],
)
def test_dial_string_syntax_in_a_dial_is_invalid_data(data: dict[str, str]) -> None:
    assert code_of({"type": "action", "name": "dial", "id": 7, "data": data}) == ("invalid_data", 7)


def test_a_trailing_line_break_does_not_satisfy_an_anchored_pattern() -> None:
    login = {**LOGIN, "agent": "101\n"}
    assert code_of({"type": "action", "name": "login", "data": login})[0] == "invalid_data"
    mode = {"mode": "outbound", "topic": "111\n"}
    assert code_of({"type": "action", "name": "set_mode", "data": mode})[0] == "invalid_data"
    assert decode({"type": "action", "name": "set_mode", "data": {**mode, "topic": "111"}})


@pytest.mark.parametrize(
    ("raw", "echoed"),
    [
        ('{"type":"action","name":"\\ud800","id":5,"data":{}}', 5),
        ('{"type":"action","name":"ping","id":"\\udfff","data":{}}', None),
        (
            '{"type":"action","name":"task_start","id":6,"data":{"project":"\\ud83d","activity":"a"}}',
            6,
        ),
        ('{"type":"action","name":"ping","id":"\\udc80x","data":{}}', None),
    ],
)
def test_a_lone_surrogate_is_malformed(raw: str, echoed: object) -> None:
    """A string no UTF-8 text has could be neither stored nor echoed in a reply."""
    assert code_of(raw) == ("malformed", echoed)


def test_a_surrogate_pair_escape_is_text() -> None:
    action = decode(
        '{"type":"action","name":"task_start","data":{"project":"\\ud83d\\ude00","activity":"a"}}'
    )
    assert action.data["project"] == "😀"


def test_data_found_valid_before_is_told_apart_from_data_that_only_compares_equal() -> None:
    enabled = {"type": "action", "name": "auto_answer", "data": {"enabled": True}}
    assert decode(enabled).data == {"enabled": True}
    assert decode(enabled).data == {"enabled": True}  # the second time from the known-valid set
    assert code_of({**enabled, "data": {"enabled": 1}}) == ("invalid_data", None)  # 1 == True
    ready = {"type": "action", "name": "set_state", "data": {"state": "ready"}}
    decode(ready)
    assert code_of({**ready, "data": {"state": "ready", "reason": "x y"}}) == ("invalid_data", None)
    assert code_of({**ready, "name": "dial", "data": {"state": "ready"}}) == ("invalid_data", None)
