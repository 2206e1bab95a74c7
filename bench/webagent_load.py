"""Webagent first load: the bytes the login page loads (gzipped, as nginx serves them) and the
time from navigation to the login form in Debian's Chromium, cold cache, over local HTTP.

Run from the checkout: ``.venv/bin/python bench/webagent_load.py [rounds]`` (``make
bench-webagent``). Target (issue 10): <= 150 KB gzipped.
"""

from __future__ import annotations

import gzip
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "appliance" / "webagent"


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def build(out: Path) -> None:
    if not (APP / "node_modules" / ".package-lock.json").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=APP, check=True)
    subprocess.run(["node", "build.mjs", "--outdir", str(out)], cwd=APP, check=True)


def first_load_files(out: Path) -> list[Path]:
    """index.html and what it references (the source maps load only with devtools open)."""
    html = (out / "index.html").read_text()
    files = [out / "index.html", out / "favicon.svg"]
    files += [
        p for p in (out / "assets").iterdir() if p.suffix in (".js", ".css") and p.name in html
    ]
    return files


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    out = Path(tempfile.mkdtemp(prefix="uzor-webagent-bench-"))
    try:
        build(out)
        files = first_load_files(out)
        raw = sum(p.stat().st_size for p in files)
        gz = sum(len(gzip.compress(p.read_bytes(), 6)) for p in files)
        for p in files:
            packed = len(gzip.compress(p.read_bytes(), 6))
            print(f"  {p.relative_to(out)}: {p.stat().st_size} B, gzip {packed} B")
        print(
            f"first load: {len(files)} files, {raw / 1024:.1f} KB raw, {gz / 1024:.1f} KB gzipped"
        )

        server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(out)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/?host=52:54:00:12:34:56"
        from playwright.sync_api import sync_playwright

        times: list[float] = []
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"]
            )
            for _ in range(rounds):
                context = browser.new_context()  # cold cache each round
                page = context.new_page()
                page.goto(url)
                page.wait_for_selector("input[name=agent]")
                times.append(page.evaluate("performance.now()"))
                context.close()
            browser.close()
        server.shutdown()
        p50, p95 = statistics.median(times), percentile(times, 0.95)
        print(f"navigation -> login form, {rounds} cold loads: p50 {p50:.0f} ms, p95 {p95:.0f} ms")
    finally:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
