"""Browser-test helpers: log in, take screenshots, run axe-core, check the phone layout.

axe-core is injected with ``page.evaluate(source)`` (a DevTools-protocol evaluation), which the
app's CSP (``script-src 'self'``) does not block; ``page.add_script_tag`` would add an inline
<script> that the CSP refuses, and a ``bypass_csp`` context would hide real CSP breakage.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
VIEWPORT = {"width": 390, "height": 844}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
LOGIN_ERROR = "Tên đăng nhập hoặc mật khẩu không đúng."

_axe_source: str | None = None


def login(page: Page, base_url: str, username: str, password: str) -> None:
    """Open /login, fill the form and submit it (the caller checks where it lands)."""
    page.goto(f"{base_url}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    with page.expect_navigation():
        page.locator("main form").get_by_role("button", name="Đăng nhập").click()


def logout(page: Page) -> None:
    """Press the footer's "Đăng xuất" button."""
    with page.expect_navigation():
        page.locator("footer.site").get_by_role("button", name="Đăng xuất").click()


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / (name if name.endswith(".png") else f"{name}.png")
    page.screenshot(path=str(path), full_page=True)
    return path


def path_slug(url: str) -> str:
    """'/admin/users?page=2' -> 'admin-users'; '/' -> 'home'."""
    path = urlsplit(url).path.strip("/")
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"


def _axe() -> str:
    global _axe_source
    if _axe_source is None:
        if not AXE_PATH.is_file():
            raise AssertionError(f"axe-core is missing at {AXE_PATH}: run `make install-test` (npm ci)")
        _axe_source = AXE_PATH.read_text(encoding="utf-8")
    return _axe_source


def run_axe(page: Page) -> list[dict]:
    """All WCAG 2.0/2.1 A and AA violations axe-core finds on the current page."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe())
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary})),
            }));
        }""",
        WCAG_TAGS,
    )


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} [{v['impact']}] {v['help']} ({len(v['nodes'])} node(s))")
        for node in v["nodes"][:3]:
            lines.append(f"    {node['target']}: {node['html'][:160]}")
    return "\n".join(lines)


def axe_problems(page: Page) -> list[str]:
    """The serious and critical WCAG 2.1 AA violations on the page, as readable lines."""
    blocking = [v for v in run_axe(page) if v["impact"] in BLOCKING_IMPACTS]
    return [f"axe-core violations on {page.url}:\n{format_violations(blocking)}"] if blocking else []


def check_axe(page: Page) -> None:
    """Fail on any serious or critical WCAG 2.0/2.1 A/AA violation."""
    problems = axe_problems(page)
    assert not problems, problems[0]


def layout_problems(page: Page) -> list[str]:
    """Body text under 16 px, or sideways scrolling at the 390 px viewport."""
    problems = []
    size = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    if size < 16:
        problems.append(f"body font-size is {size}px on {page.url} (want >= 16px)")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width > VIEWPORT["width"]:
        wide = page.evaluate(
            """(limit) => [...document.querySelectorAll('body *')]
                .filter(el => el.getBoundingClientRect().right > limit + 0.5)
                .slice(0, 5)
                .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))""",
            VIEWPORT["width"],
        )
        problems.append(
            f"page scrolls sideways on {page.url}: scrollWidth {width}px > {VIEWPORT['width']}px; "
            f"too wide: {wide}"
        )
    return problems


def check_phone_layout(page: Page) -> None:
    problems = layout_problems(page)
    assert not problems, "\n".join(problems)


def check_vietnamese(page: Page, heading: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)


def main_nav_links(page: Page) -> list[tuple[str, str]]:
    """(text, href) of every link in the main navigation, in order."""
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    return nav.locator("a").evaluate_all("els => els.map(a => [a.textContent.trim(), a.href])")


def small_touch_targets(page: Page, minimum: int = 44) -> list[str]:
    """Visible links/buttons/inputs smaller than ``minimum`` CSS px in height (for reporting)."""
    return page.evaluate(
        """(min) => [...document.querySelectorAll('a, button, input:not([type=hidden]), select, summary')]
            .filter(el => { const r = el.getBoundingClientRect();
                            return r.width > 0 && r.height > 0 && r.height < min; })
            .map(el => { const r = el.getBoundingClientRect();
                         return `${el.tagName.toLowerCase()} "${(el.textContent || el.name || '').trim()
                           .slice(0, 30)}" ${Math.round(r.width)}x${Math.round(r.height)}`; })""",
        minimum,
    )
