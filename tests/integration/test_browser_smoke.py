import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from testkit.browser import ARTIFACTS

pytestmark = pytest.mark.integration

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Uzor smoke</title></head>
<body><h1 id="hello">Привет, Uzor</h1></body></html>"""


@pytest.fixture
def local_site(tmp_path):
    (tmp_path / "index.html").write_text(PAGE, encoding="utf-8")
    handler = partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_chromium_loads_a_local_page_and_saves_a_screenshot(browser, local_site):
    page = browser.new_page()
    page.goto(local_site)
    assert page.title() == "Uzor smoke"
    assert page.inner_text("#hello") == "Привет, Uzor"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "browser-smoke.png"
    page.screenshot(path=str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_fake_media_devices_give_a_microphone(browser, local_site):
    page = browser.new_page()
    page.goto(local_site)
    tracks = page.evaluate(
        "navigator.mediaDevices.getUserMedia({audio: true})"
        ".then(s => s.getAudioTracks().map(t => t.readyState))"
    )
    assert tracks == ["live"]
