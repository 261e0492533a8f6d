"""The course website (make site) in headless chromium: every page, every explorer picture, every link, axe-core.

Runs under ``make test-site`` (CNN_COURSE_TEST_SITE=1; .ci/run calls it after make test), which
installs Jupyter Book into .venv-site and MathJax and axe-core from npm (site/package-lock.json).
The site is built afresh from the notebooks' stored outputs (CNN_SITE_NOTEBOOKS: another folder
of executed notebooks, e.g. copies executed in /tmp) into a temporary folder, served on loopback;
chromium is allowed no request outside it, so a page that would load a CDN fails here.
Screenshots land in test-artifacts/site/.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE_PYTHON = ROOT / ".venv-site" / "bin" / "python"
AXE = ROOT / "site" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "site"
NOTEBOOKS = Path(os.environ.get("CNN_SITE_NOTEBOOKS", ROOT / "notebooks"))
UNFINISHED_BAR = re.compile(r"(?<![0-9])0%\|")  # tqdm's first state; "100%|" is the finished bar
# axe-core rules whose serious findings are accepted, each justified in README.md (Accessibility).
ACCEPTED_AXE = {
    # pydata-sphinx-theme 0.17's search and theme-switch buttons: their aria-label ("Search") does not
    # contain their visible text ("Search… Ctrl+K"); both are named and keyboard-reachable (README.md).
    "label-content-name-mismatch",
}

if not os.environ.get("CNN_COURSE_TEST_SITE"):
    pytest.skip("the site is built and checked by `make test-site` (CNN_COURSE_TEST_SITE=1), which CI runs",
                allow_module_level=True)

from browser_lab import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

playwright_sync = pytest.importorskip("playwright.sync_api", reason="the site check needs Playwright")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    start = time.perf_counter()
    subprocess.run([str(SITE_PYTHON), str(ROOT / "tools" / "build_site.py"), "--notebooks", str(NOTEBOOKS),
                    "--out", str(out)], check=True, cwd=ROOT)
    print(f"site built in {time.perf_counter() - start:.1f} s")
    return out / "html"


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    with playwright_sync.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def _pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html") if "_static" not in p.parts)


def _notebook_pages() -> list[str]:
    """The page of every notebook, English then Chinese: notebooks/NN_name, notebooks/zh/NN_name."""
    return ([f"notebooks/{p.stem}" for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))]
            + [f"notebooks/zh/{p.stem}" for p in sorted(NOTEBOOKS.glob("zh/[0-9][0-9]_*.ipynb"))])


def _saved_explorers() -> dict[str, int]:
    """Notebook page (notebooks/NN_name or notebooks/zh/NN_name) -> how many explorer outputs it stores."""
    counts = {}
    for page in _notebook_pages():
        nb = nbformat.read(NOTEBOOKS / f"{page.removeprefix('notebooks/')}.ipynb", as_version=4)
        counts[page] = sum("cnn-explorer-static" in str(o.get("data", {}).get("text/html", ""))
                                for cell in nb.cells for o in cell.get("outputs", []))
    return counts


def _open(browser, url: str):
    """A page that may load nothing but the site; returns (page, script errors, requests refused)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors, refused = [], []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    def route(r):
        if urlparse(r.request.url).hostname == "127.0.0.1" or r.request.url.startswith("data:"):
            r.continue_()
        else:
            refused.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(url, wait_until="load")
    return page, errors, refused


def test_the_site_has_every_part_of_the_course(site):
    pages = _pages(site)
    for name in ["index.html", "GLOSSARY.html", "INSTRUCTORS.html", "search.html", "searchindex.js"]:
        assert (site / name).exists(), f"{name} is missing from the site"
    notebooks = sorted(p for p in pages if p.startswith("notebooks/"))
    assert notebooks == sorted(f"{page}.html" for page in _notebook_pages())
    assert len(notebooks) == 14, "seven notebooks in each language"
    index = (site / "index.html").read_text()
    positions = [index.find(f'href="{page}.html"') for page in _notebook_pages()]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), "the navigation lists them in order"
    # each notebook's Previous link goes to the one before it, within its language
    for edition in ("notebooks/", "notebooks/zh/"):
        ordered = [f"{p}.html" for p in _notebook_pages() if p.rsplit("/", 1)[0] + "/" == edition]
        for before, page in zip(ordered[:-1], ordered[1:], strict=True):
            assert re.search(rf'<a class="left-prev"\s+href="{Path(before).name}"', (site / page).read_text()), page
    # the Chinese pages say they are Chinese (screen readers), the English ones that they are English
    assert '<html lang="zh-CN"' in (site / "notebooks" / "zh" / "02_convolution.html").read_text()
    assert '<html lang="zh-CN"' in (site / "README.zh.html").read_text()
    assert '<html lang="en"' in (site / "notebooks" / "02_convolution.html").read_text()


def test_every_page_loads_without_errors_shows_its_pictures_and_links_nowhere_broken(site, server, browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    explorers = _saved_explorers()
    assert sum(explorers.values()) >= 6, f"the stored notebooks hold too few explorer outputs: {explorers}"
    problems = []
    for name in _pages(site):
        page, errors, refused = _open(browser, f"{server}/{name}")
        try:
            page.wait_for_load_state("networkidle")
            text = page.inner_text("body")
            html = page.content()
            if errors:
                problems.append(f"{name}: script errors {errors}")
            if refused:
                problems.append(f"{name}: loads from outside the site {refused}")
            if "Explorer(children" in html:
                problems.append(f"{name}: a widget's repr instead of its picture")
            if UNFINISHED_BAR.search(text):
                problems.append(f"{name}: an unfinished progress bar")
            images = page.evaluate("""() => [...document.querySelectorAll('article img, main img')].map(i => ({
                src: i.getAttribute('src').slice(0, 60), loaded: i.complete && i.naturalWidth > 0,
                alt: i.getAttribute('alt') || ''}))""")
            problems += [f"{name}: image {i['src']} not loaded" for i in images if not i["loaded"]]
            problems += [f"{name}: image {i['src']} without alt text" for i in images if len(i["alt"]) < 10]
            stem = name.removesuffix(".html")
            if name.startswith("notebooks/"):
                shown = page.locator(".cnn-explorer-static img").count()
                if shown != explorers.get(stem, 0):
                    problems.append(f"{name}: {shown} explorer pictures shown, {explorers.get(stem)} stored")
                page.screenshot(path=str(ARTIFACTS / f"{stem.replace('/', '-')}.png"), full_page=False)
            hrefs = page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))")
            for href in hrefs:
                problems += _broken(site, name, href)
        finally:
            page.close()
    assert not problems, "\n".join(problems)


def _broken(site: Path, page: str, href: str) -> list[str]:
    parsed = urlparse(href)
    if parsed.scheme in ("http", "https", "mailto") or href.startswith("javascript:"):
        return []
    target = (site / page).parent / unquote(parsed.path) if parsed.path else site / page
    target = target.resolve()
    if target.is_dir():
        target = target / "index.html"
    if not target.exists():
        return [f"{page}: broken link {href}"]
    if parsed.fragment and target.suffix == ".html":
        if f'id="{parsed.fragment}"' not in target.read_text(encoding="utf-8"):
            return [f"{page}: link {href} to a missing anchor"]
    return []


def test_every_explorer_picture_and_the_finished_training_are_on_the_pages(site):
    for stem, count in _saved_explorers().items():
        html = (site / f"{stem}.html").read_text()
        assert html.count('class="cnn-explorer-static') == count
        assert html.count('<img src="data:image/png;base64,') >= count
    for page in ("notebooks/06_full_implementation.html", "notebooks/zh/06_full_implementation.html"):
        training = (site / page).read_text()
        assert re.search(r'<progress value="(\d+)" max="\1"', training), f"{page}: the training bar is unfinished"


def test_search_finds_the_course(server, browser):
    page, errors, refused = _open(browser, f"{server}/search.html?q=receptive")
    try:
        page.wait_for_selector("#search-results li", timeout=20_000)
        assert page.locator("#search-results li").count() >= 2
        assert not errors and not refused
    finally:
        page.close()


def test_axe_finds_no_serious_or_critical_violations(site, server, browser):
    found = {}
    for name in _pages(site):
        page, _, _ = _open(browser, f"{server}/{name}")
        try:
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        finally:
            page.close()
        for violation in result["violations"]:
            if violation["impact"] in ("serious", "critical") and violation["id"] not in ACCEPTED_AXE:
                targets = [n["target"] for n in violation["nodes"][:3]]
                found.setdefault(violation["id"], []).append(f"{name} {targets}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "axe.json").write_text(json.dumps(found, indent=1))
    assert not found, json.dumps(found, indent=1)
