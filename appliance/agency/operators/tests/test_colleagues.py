"""The ``colleagues`` action: the phone book of the terminal's dial window."""

from appliance.agency.acp.messages import Action
from appliance.agency.acp.outgoing import result
from appliance.agency.acp.tests.schema_check import assert_valid
from appliance.agency.operators.tests.fakes import MAC, PASSWORD, make_client


def login(agent: str, mac: str) -> Action:
    return Action("login", {"agent": agent, "password": PASSWORD, "workplace": mac}, 1)


async def test_colleagues_lists_the_other_logged_in_operators_with_workplace_and_state(
    world,
) -> None:
    service, *_ = world
    ivan, olga = make_client(), make_client()
    await service.login(ivan, login("101", MAC))
    action = Action("colleagues", {}, 2)
    assert await service.handle(ivan, action) == {"colleagues": []}

    await service.login(olga, login("102", "a0b1c2d3e4f5"))
    await service.handle(olga, Action("set_state", {"state": "pause", "reason": "lunch"}, 3))
    answer = await service.handle(ivan, action)
    assert answer == {
        "colleagues": [
            {
                "agent": "102",
                "name": "Olga",
                "workplace": "202",
                "mode": "inbound",
                "state": "pause",
                "reason": "lunch",
            },
        ]
    }
    assert_valid(result(action, answer).encode("en"))
    seen_by_olga = await service.handle(olga, action)
    assert [(c["agent"], c["workplace"], c["state"]) for c in seen_by_olga["colleagues"]] == [
        ("101", "201", "ready")
    ]


async def test_a_colleague_who_logged_out_is_gone_from_the_list(world) -> None:
    service, *_ = world
    ivan, olga = make_client(), make_client()
    await service.login(ivan, login("101", MAC))
    await service.login(olga, login("102", "a0b1c2d3e4f5"))
    await service.handle(olga, Action("logout", {}, 2))
    assert await service.handle(ivan, Action("colleagues", {}, 3)) == {"colleagues": []}
