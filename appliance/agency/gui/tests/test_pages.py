"""The GUI's templates: every text they translate is in the catalogue, and nothing that comes
from a request reaches the page unescaped."""

import re

from aiohttp.test_utils import TestClient

from appliance.agency.gui.i18n import LABELS
from appliance.agency.gui.pages import TEMPLATES, environment
from appliance.agency.gui.tests.test_views import TOKEN, gui  # noqa: F401 - the fixture
from appliance.agency.i18n import gettext

LITERAL = re.compile(r"""_\(\s*"([^"]+)"\s*\)""")


def template_texts() -> set[str]:
    return {m for path in TEMPLATES.glob("*.html") for m in LITERAL.findall(path.read_text())}


def test_every_text_of_the_templates_is_listed_for_the_catalogue_and_translated() -> None:
    texts = template_texts()
    assert texts, "no _() texts found in the templates"
    assert texts <= set(LABELS)
    assert [t for t in sorted(texts) if gettext("ru", t) == t] == []


def test_the_templates_escape_by_default() -> None:
    page = environment("ru").get_template("login.html").render(refresh=False, error="<b>x</b>")
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "<b>" not in page
    assert "Токен API" in page


async def test_a_note_from_the_query_string_is_shown_escaped(gui: TestClient) -> None:  # type: ignore[type-arg]  # noqa: F811
    await gui.post("/gui/login", data={"token": TOKEN}, allow_redirects=False)
    page = await (await gui.get("/gui/?note=<script>alert(1)</script>")).text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>" not in page
