"""The Russian GUI shows no English: every page and note, with a terminal in each mode and
state, contains none of the English texts of the agency's catalog."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from appliance.agency import i18n
from appliance.agency.gui.i18n import MODES, STATES
from appliance.agency.gui.tests.test_views import TOKEN, csrf_of
from appliance.agency.gui.views import GUI
from appliance.agency.running import Agency
from appliance.agency.tests.idle_agency import idle_agency
from licensing.tests.po import read_po

PO_FILE = Path(i18n.__file__).parent / "locale" / "ru" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
RUSSIAN = {"Accept-Language": "ru"}
SAME_IN_RUSSIAN = {"API", "ACP", "AMI", "SIP"}
# English words of the page itself when a text is not translated
FOREIGN = ["Client", "Operator", "Address", "Mode", "State", "Send", "Log in", "Log out"]


def english_texts() -> set[str]:
    texts = set()
    for msgid in read_po(PO_FILE):
        if "{" in msgid or msgid in SAME_IN_RUSSIAN:
            continue
        if len(msgid.split()) >= 2 or (msgid[:1].isupper() and len(msgid) > 3):
            texts.add(msgid)
    return texts


def visible(page: str) -> str:
    page = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", page)
    return " ".join(html.unescape(re.sub(r"(?s)<[^>]+>", " ", page)).split())


def untranslated(text: str) -> list[str]:
    found = {t for t in english_texts() if t in text}
    found |= {w for w in FOREIGN if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)}
    return sorted(found)


def terminal(number: int, mode: str, state: str) -> dict[str, Any]:
    session = {"mode": mode, "state": state, "state_seconds": 61}
    return {"id": f"c{number}", "agent": f"10{number}", "remote": "192.0.2.7", "session": session}


@pytest.fixture
async def world() -> AsyncIterator[tuple[TestClient, Agency]]:  # type: ignore[type-arg]
    agency = idle_agency(TOKEN)
    app = web.Application()
    app.router.add_routes(GUI(agency).routes())
    async with TestClient(TestServer(app), headers=RUSSIAN) as client:
        yield client, agency


async def test_every_gui_page_and_note_is_russian(world, monkeypatch) -> None:
    gui, agency = world
    pages = {"login": await (await gui.get("/gui/login")).text()}
    pages["wrong token"] = await (await gui.post("/gui/login", data={"token": "x" * 24})).text()
    pages["no session"] = await (await gui.post("/gui/clients/c1/end")).text()
    await gui.post("/gui/login", data={"token": TOKEN})
    pages["no terminals"] = await (await gui.get("/gui/")).text()
    pairs = zip(list(MODES) * 3, STATES, strict=False)  # every mode and every state
    rows = [terminal(n, mode, state) for n, (mode, state) in enumerate(pairs)]
    monkeypatch.setattr(agency, "clients", lambda: rows)
    agency.acp.maintenance = True
    pages["terminals"] = await (await gui.get("/gui/")).text()
    csrf = await csrf_of(gui)
    for verb in ("message", "end"):
        response = await gui.post(f"/gui/clients/nobody/{verb}", data={"csrf": csrf, "text": "x"})
        pages[f"{verb}: no such client"] = await response.text()
    pages["expired form"] = await (await gui.post("/gui/logout", data={"csrf": "old"})).text()
    for note in ("Sent.", "Session ended."):
        pages[note] = await (await gui.get("/gui/", params={"note": note})).text()

    shown = {name: visible(page) for name, page in pages.items()}
    assert "Ожидание" in shown["terminals"] and "Подключённые терминалы" in shown["terminals"]
    found = {name: untranslated(text) for name, text in shown.items()}
    assert {name: words for name, words in found.items() if words} == {}, shown
