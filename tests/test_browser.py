"""The course as a student sees it: JupyterLab in a real browser (Debian's chromium).

For every notebook of notebooks/unsolved/ (what `make lab` opens: every exercise unsolved):
open it, clear its stored outputs, Run All, wait for the kernel to go idle and every code cell
to have run, and assert that only the exercises' own cells show an error (each unsolved check
fails; no other cell does), and that no widget failed to display. The complete notebooks are
nbval's. For every explorer: move each of its sliders with the keyboard and
assert that the numbers or the picture change. The notebooks share one JupyterLab page
while they pass. Screenshots land in test-artifacts/browser/. Skipped, with the reason, where chromium or Playwright is
missing (a student's laptop); CI installs both.

``CNN_COURSE_BROWSER_EDITION=zh`` (``make test-zh``, CI) runs the same on the Chinese edition,
notebooks/zh/unsolved/, and also asserts that no explorer shows an English word.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from browser_lab import (
    CHROMIUM,
    CHROMIUM_ARGS,
    POLL_MS,
    ROOT,
    VIEWPORT,
    Lab,
    explorer_state,
    run_all,
    show_notebook,
    wait_idle,
)
from english_words import course_identifiers, english_words, visible_text

EDITION = os.environ.get("CNN_COURSE_BROWSER_EDITION", "en")
COMPLETE = ROOT / "notebooks" / ("zh" if EDITION == "zh" else "")
ARTIFACTS = ROOT / "test-artifacts" / ("browser-zh" if EDITION == "zh" else "browser")
UNSOLVED = COMPLETE / "unsolved"
NOTEBOOKS = sorted(p.name for p in UNSOLVED.glob("*.ipynb"))
# The cells of the open notebook whose outputs hold an error, and those that wrote to stderr, by cell id
# (Lab exposes window.jupyterapp). The page renders both alike, so the notebook model tells them apart.
OUTPUT_KINDS_JS = """() => {
    const model = window.jupyterapp.shell.currentWidget.content.model;
    const failed = [], stderr = [];
    for (let i = 0; i < model.cells.length; i++) {
        const cell = model.cells.get(i);
        if (cell.type !== 'code') continue;
        for (let k = 0; k < cell.outputs.length; k++) {
            const output = cell.outputs.get(k);
            if (output.type === 'error') failed.push(cell.id);
            if (output.type === 'stream' && output.toJSON().name === 'stderr') stderr.push(cell.id);
        }
    }
    return {failed, stderr};
}"""


# Every picture in the outputs: how many there are, and those with a see-through pixel (alpha < 255) in a
# corner or the centre, where a figure's background would let a dark theme show through.
SEE_THROUGH_JS = """async () => {
    const pictures = [...document.querySelectorAll('.jp-OutputArea-output img')];
    const seeThrough = [];
    for (const img of pictures) {
        await img.decode().catch(() => null);
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
        if (!canvas.width || !canvas.height) continue;
        const context = canvas.getContext('2d');
        context.drawImage(img, 0, 0);
        const w = canvas.width - 1, h = canvas.height - 1;
        const points = [[0, 0], [w, 0], [0, h], [w, h], [w >> 1, h >> 1]];
        const clear = points.some(([x, y]) => context.getImageData(x, y, 1, 1).data[3] < 255);
        if (clear) seeThrough.push(img.alt || img.src.slice(0, 60));
    }
    return {count: pictures.length, seeThrough};
}"""


def exercise_cells(name: str) -> dict[str, str]:
    """Cell id -> "answer" or "check" for the exercises of the complete notebook ``name``."""
    roles = {}
    for cell in nbformat.read(COMPLETE / name, as_version=4).cells:
        grading = cell.metadata.get("nbgrader", {})
        if grading.get("solution") or grading.get("grade"):
            roles[cell.id] = "answer" if grading.get("solution") else "check"
    return roles

pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists():
    pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)",
                allow_module_level=True)
playwright_sync = pytest.importorskip(
    "playwright.sync_api", reason="browser tests need Playwright (pip install playwright)"
)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    server = Lab(tmp_path_factory.mktemp("lab"), notebooks=UNSOLVED)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    with playwright_sync.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def passed_page():
    """The page of the last notebook that passed, for the next one: JupyterLab then loads once, not per notebook."""
    kept = {}
    yield kept
    if "page" in kept:
        kept["page"].close()


def shot(target, name: str) -> None:
    """Save a screenshot of ``target``: a page (what is on screen) or one element, e.g. an explorer."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target.screenshot(path=str(ARTIFACTS / f"{name}.png"))


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_in_the_browser_and_its_explorers_answer_the_keyboard(lab, browser, passed_page, name):
    page = passed_page.pop("page", None) or browser.new_page(viewport=VIEWPORT)
    passed = False
    try:
        show_notebook(lab, page, name)
        run_all(page)
        shot(page, f"{Path(name).stem}-after-run-all")
        kinds = page.evaluate(OUTPUT_KINDS_JS)
        assert kinds["stderr"] == [], f"{name}: cells wrote to stderr (a warning?): {kinds['stderr']}"
        roles = exercise_cells(name)
        failed = set(kinds["failed"])
        assert not failed - set(roles), f"{name}: cells outside the exercises failed: {sorted(failed - set(roles))}"
        checks = {cell_id for cell_id, role in roles.items() if role == "check"}
        assert checks <= failed, f"{name}: checks that pass without an answer: {sorted(checks - failed)}"
        assert page.get_by_text("Error displaying widget").count() == 0, f"{name}: a widget failed to display"
        assert page.locator(".jp-OutputArea-output .jp-RenderedText").count() + page.locator("img").count() > 0

        # JupyterLab's dark theme: every figure keeps an opaque background (issue 15).
        page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})")
        page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'", polling=POLL_MS, timeout=10_000)
        pictures = page.evaluate(SEE_THROUGH_JS)
        if pictures["count"]:
            page.locator(".jp-OutputArea-output img").first.scroll_into_view_if_needed()
        shot(page, f"{Path(name).stem}-dark-theme")
        page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Light'})")
        page.wait_for_function("() => document.body.dataset.jpThemeLight === 'true'", polling=POLL_MS, timeout=10_000)
        assert pictures["count"] > 0 and pictures["seeThrough"] == [], f"{name}: see-through pictures: {pictures}"

        explorers = page.locator(".cnn-explorer")
        for index in range(explorers.count()):
            explorer = explorers.nth(index)
            explorer.scroll_into_view_if_needed()
            move_every_slider(page, explorer, f"{Path(name).stem}-explorer{index}")
            if EDITION == "zh":
                shown = visible_text(explorer.inner_html()) + " ".join(
                    explorer.locator("img").evaluate_all("i => i.map(x => x.alt)"))
                english = english_words(shown, course_identifiers())
                assert english == [], f"{name}: explorer {index} shows English: {english}"
        passed = True
    finally:
        if passed:
            passed_page["page"] = page
        else:  # a failed notebook may leave a dialog or a busy kernel behind: the next one starts afresh
            page.close()


def move_every_slider(page, explorer, label: str) -> None:
    """Press ArrowRight (or ArrowLeft at the top) on each slider; something visible must change.

    Sliders that are disabled (a setting the current stack does not use) or that have a single
    value (a unit slider over a 1 x 1 output) cannot move and are skipped; at least one must move.
    """
    handles = explorer.locator(".noUi-handle")
    assert handles.count() > 0, f"{label}: an explorer without sliders"
    both_changed = False
    moved = 0
    for k in range(handles.count()):
        before = explorer_state(explorer)
        handle = handles.nth(k)
        fixed = handle.evaluate(
            "h => !!h.closest('[disabled]') || h.getAttribute('aria-valuemin') === h.getAttribute('aria-valuemax')"
        )
        if fixed:
            continue
        moved += 1
        handle.focus()
        at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
        page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
        try:
            page.wait_for_function(
                """([e, before]) => {
                    const image = [...e.querySelectorAll('img')].map(i => i.src).join('|');
                    const numbers = [...e.querySelectorAll('.widget-html-content')].map(h => h.innerHTML).join('|');
                    return image !== before.image || numbers !== before.numbers;
                }""",
                arg=[explorer.element_handle(), before],
                polling=POLL_MS, timeout=10_000,
            )
        except playwright_sync.TimeoutError:
            pytest.fail(f"{label}: slider {k} moved but neither the picture nor the numbers changed")
        # The numbers and the picture arrive as separate messages, both before the kernel's idle status.
        wait_idle(page, timeout_s=10)
        page.wait_for_timeout(50)  # the widget manager applies a message asynchronously
        after = explorer_state(explorer)
        assert "Traceback" not in after["numbers"]
        both_changed |= after["image"] != before["image"] and after["numbers"] != before["numbers"]
        shot(explorer, f"{label}-slider{k}")
    assert moved > 0, f"{label}: no slider could be moved"
    assert both_changed, f"{label}: no slider changed both the picture and the numbers"
