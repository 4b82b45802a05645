"""The interactive docs page in a real headless Chromium (Debian's, never a download):
the operations render from local assets, and a logged-in trainer can try a call."""

from __future__ import annotations

import shutil

import pytest

from .factories import PASSWORD
from .live import live_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
pytestmark = pytest.mark.slow


def test_docs_page_renders_and_tries_a_call(db_url, tmp_path, trainer):
    from playwright.sync_api import sync_playwright

    assert shutil.which("chromium"), "Debian's chromium is required: `make test` installs it"
    with live_server(db_url, tmp_path / "instance", workers=1, threads=4) as server, sync_playwright() as pw:
        base = server.base
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        outside: list[str] = []
        page.on("request", lambda req: None if req.url.startswith(base) else outside.append(req.url))
        page.goto(base + "/api/docs")
        page.wait_for_selector(".opblock", timeout=20_000)
        summaries = page.locator(".opblock-summary-path").all_inner_texts()
        for path in ("/api/v1/sessions", "/api/v1/sessions/{session_id}", "/api/v1/sessions/stats",
                     "/api/v1/sessions/availability", "/api/v1/clients", "/api/v1/auth/login"):
            assert any(text.replace("\u200b", "") == path for text in summaries), path

        # Log in the way a browser would (same origin, JSON), then try GET /auth/me.
        status = page.evaluate(
            """async ([u, p]) => (await fetch('/api/v1/auth/login', {method: 'POST',
                 headers: {'Content-Type': 'application/json'}, body: JSON.stringify({username: u, password: p})})).status""",
            [trainer.username, PASSWORD],
        )
        assert status == 200
        block = page.locator("#operations-auth-auth_get_me")
        block.locator(".opblock-summary").click()
        block.get_by_role("button", name="Try it out").click()
        block.get_by_role("button", name="Execute").click()
        live_status = block.locator(".live-responses-table tbody .response-col_status").first
        live_status.wait_for(timeout=20_000)
        assert live_status.inner_text().strip() == "200"
        assert trainer.username in block.locator(".live-responses-table").inner_text()
        page.screenshot(path=str(tmp_path / "docs.png"), full_page=False)
        browser.close()
    assert outside == [], f"the page reached outside the service: {outside}"
