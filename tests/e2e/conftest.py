"""Browser tests: Playwright drives Debian's Chromium against the app served by `live_server`.

No browser is downloaded: Playwright launches /usr/bin/chromium. On failure the page's
screenshot and HTML are kept under test-results/ (CI output).
"""

from __future__ import annotations

import os
import re
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from units.models import User

# Playwright's sync API runs an event loop in the test's thread; the ORM calls the tests make
# around it are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

RESULTS = Path(__file__).resolve().parents[2] / "test-results"
PASSWORD = "pw-for-tests"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    from tests.conftest import CHROMIUM

    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, Any]:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(autouse=True)
def keep_evidence_on_failure(request: pytest.FixtureRequest, page: Page) -> Iterator[None]:
    yield
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        RESULTS.mkdir(exist_ok=True)
        stem = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-120:]
        page.screenshot(path=str(RESULTS / f"{stem}.png"), full_page=True)
        (RESULTS / f"{stem}.html").write_text(page.content(), encoding="utf-8")


def log_in(page: Page, base_url: str, user: User, landing: str = "/") -> None:
    page.goto(f"{base_url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base_url}{landing}")


AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"


def check_accessibility(page: Page) -> None:
    """axe-core's WCAG 2 A/AA rules on the page as it stands: no serious or critical finding."""
    # Evaluated through the DevTools protocol: the page's CSP (no inline script) stays in force.
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
    result = page.evaluate(
        """async () => {
            const options = {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}};
            const r = await axe.run(document, options);
            const where = v => v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ');
            return r.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => `${v.id}: ${v.help} (${where(v)})`);
        }"""
    )
    assert result == [], f"{page.url}: " + "; ".join(result)
