"""The visual call-flow editor in real Chromium against the admin on a real MariaDB: build a
small menu flow by adding nodes and dragging connections, save, reload and see the same graph
(and the same flow in the database); an invalid graph comes back with its problems on the node
(in Russian); a viewer sees the graph read-only."""

from __future__ import annotations

import json

import pytest

from tests.integration.test_admin_in_browser import (
    ROOT_PASSWORD,
    admin_command,
    admin_site,
    admin_site_database,
    log_in,
)

pytestmark = pytest.mark.integration
__all__ = ["admin_site", "admin_site_database"]  # the fixtures, used here

SETUP = """
import pathlib, tempfile
from appliance.admin.callcenter.models import Group, InboundTopic, Sound
from appliance.admin.callcenter.tests.factories import tone_file
Sound(name="menu_prompt", file=tone_file(pathlib.Path(tempfile.mkdtemp()), "p.mp3")).save()
sales = Group(name="sales")
sales.save()
topic = InboundTopic(number="74950000001", name="Sales line", group=sales)
topic.save()
print(topic.pk)
"""
VIEWER = """
from django.contrib.auth.models import Permission, User
viewer = User.objects.create_user("viewer", password="View-pass-2026", is_staff=True)
viewer.user_permissions.add(Permission.objects.get(codename="view_inboundtopic"))
"""
FLOW = """
import json
from appliance.admin.callcenter.models import InboundTopic
print(json.dumps(InboundTopic.objects.get(number="74950000001").flow))
"""


def _connect(page, source: str, output: int, target: str) -> None:
    """Drag from the source node's output to the target node's input, like a user."""
    start = page.locator(f'.drawflow-node[data-node-id="{source}"] .outputs .output_{output}')
    end = page.locator(f'.drawflow-node[data-node-id="{target}"] .inputs .input_1')
    a, b = start.bounding_box(), end.bounding_box()
    page.mouse.move(a["x"] + a["width"] / 2, a["y"] + a["height"] / 2)
    page.mouse.down()
    page.mouse.move(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2, steps=8)
    page.mouse.up()


def _drag_to_canvas(page, kind: str, x: float, y: float) -> None:
    canvas = page.locator(".uzor-flow-canvas").bounding_box()
    page.locator(f'.uzor-flow-palette[data-kind="{kind}"]').drag_to(
        page.locator(".uzor-flow-canvas"), target_position={"x": x, "y": y}
    )
    assert canvas  # the canvas is on the page


def test_build_a_menu_flow_save_reload_and_see_problems_on_nodes(browser, admin_site, tmp_path):
    url, config = admin_site, tmp_path / "admin.yaml"
    topic_id = admin_command(config, "shell", "-c", SETUP).stdout.strip().splitlines()[-1]
    page = browser.new_page()
    page.set_viewport_size({"width": 1900, "height": 1300})
    log_in(page, url, "root", ROOT_PASSWORD)
    change = f"{url}/admin/callcenter/inboundtopic/{topic_id}/change/"
    page.goto(change)
    page.wait_for_selector('.drawflow-node[data-node-id="start"]')
    # the standard flow: start -> queue -> hang up
    assert page.locator(".drawflow-node").count() == 3

    _drag_to_canvas(page, "menu", 330, 260)

    page.click('.drawflow-node[data-node-id="menu"] .uzor-node-kind')
    page.fill("#uzor-flow-digits", "1 2")
    page.press("#uzor-flow-digits", "Tab")  # change: the menu now has 4 outputs
    assert page.locator('.drawflow-node[data-node-id="menu"] .outputs .output').count() == 4

    _connect(page, "start", 1, "menu")  # replaces start -> queue
    _connect(page, "menu", 1, "queue")
    _connect(page, "menu", 2, "hangup")
    _connect(page, "menu", 3, "hangup")
    _connect(page, "menu", 4, "hangup")
    assert page.is_checked('input[name="flow_mode"][value="custom"]')

    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    flow = json.loads(admin_command(config, "shell", "-c", FLOW).stdout.strip().splitlines()[-1])
    nodes = {n["id"]: n for n in flow["nodes"]}
    assert flow["standard"] is False
    assert nodes["start"]["next"] == "menu"
    assert [(c["digit"], c["next"]) for c in nodes["menu"]["choices"]] == [
        ("1", "queue"),
        ("2", "hangup"),
    ]
    assert nodes["menu"]["prompt"] == "menu_prompt"
    assert nodes["menu"]["on_timeout"] == nodes["menu"]["on_invalid"] == "hangup"
    assert nodes["queue"] == {**nodes["queue"], "group": "sales", "next": "hangup"}

    # Reloaded: the same graph is drawn.
    page.goto(change)
    page.wait_for_selector('.drawflow-node[data-node-id="menu"]')
    drawn = page.eval_on_selector_all(".drawflow-node", "els => els.map(e => e.dataset.nodeId)")
    assert sorted(drawn) == ["hangup", "menu", "queue", "start"]
    assert page.locator(".drawflow svg.connection").count() == 6

    # In Russian: an unconnected node comes back with its problems on it.
    browser.set_extra_http_headers({"Accept-Language": "ru-RU,ru;q=0.9"})
    page.goto(change)
    page.wait_for_selector('.drawflow-node[data-node-id="menu"]')
    page.click('.uzor-flow-palette[data-kind="play"]')  # a click adds a node too
    page.click("input[name=_continue]")
    errors = page.locator('.drawflow-node[data-node-id="play"] .uzor-node-errors li')
    errors.first.wait_for()
    texts = errors.all_inner_texts()
    assert "выход next ни с чем не соединён" in texts
    assert "от начала сценария к этому узлу не ведёт ни один путь" in texts
    assert page.locator(".drawflow-node.uzor-node-invalid").count() == 1
    kind = page.locator('.drawflow-node[data-node-id="play"] .uzor-node-kind').inner_text()
    assert kind == "Проиграть звук"
    assert "узел play" in page.locator(".field-flow_text .errorlist").inner_text()
    page.close()

    # A viewer sees the saved graph, read-only: no palette, no text field, disabled inputs.
    admin_command(config, "shell", "-c", VIEWER)
    browser.clear_cookies()
    viewer = browser.new_page()
    log_in(viewer, url, "viewer", "View-pass-2026")
    viewer.goto(change)
    viewer.wait_for_selector('.drawflow-node[data-node-id="menu"]')
    assert viewer.locator(".uzor-flow-palette").count() == 0
    assert viewer.locator("#id_flow_text").count() == 0
    viewer.click('.drawflow-node[data-node-id="menu"] .uzor-node-kind')
    assert viewer.locator("#uzor-flow-digits").is_disabled()
    viewer.close()
