import json
from pathlib import Path

from appliance.contracts import work_codes

SCHEMA = Path(__file__).resolve().parents[2] / "agency" / "acp" / "schema.json"


def test_a_code_is_a_lower_case_word_of_at_most_32_characters():
    assert work_codes.is_code("lunch") and work_codes.is_code("tech-break_2")
    assert not work_codes.is_code("Lunch")
    assert not work_codes.is_code("a" * 33)
    assert not work_codes.is_code("lunch\n")
    assert not work_codes.is_code("")


def test_the_code_pattern_is_acp_s_pause_reason_pattern():
    defs = json.loads(SCHEMA.read_text(encoding="utf-8"))["$defs"]
    reason = defs["action.set_state"]["properties"]["data"]["properties"]["reason"]
    assert reason["pattern"] == work_codes.CODE_PATTERN
