"""JupyterLab on loopback and Debian's chromium through Playwright: shared by the browser
tests (tests/test_browser.py) and the benchmark (tools/bench.py).

The server serves a temporary copy of notebooks/, so nothing the browser does (autosave
included) touches the committed notebooks.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
RUN_ALL_TIMEOUT_S = 240

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A JupyterLab server on loopback serving a copy of notebooks/ (students' files stay untouched)."""

    def __init__(self, tmp: Path, notebooks: Path = ROOT / "notebooks"):
        self.token = secrets.token_hex(16)
        self.port = _free_port()
        self.root = tmp / "lab-root"
        shutil.copytree(notebooks, self.root)
        settings = tmp / "settings"
        (settings / "overrides").mkdir(parents=True)
        # No news and no update checks: the machine has no network and the tests want quiet.
        overrides = {"@jupyterlab/apputils-extension:notification": {"checkForUpdates": False, "fetchNews": "false"}}
        (settings / "overrides.json").write_text(json.dumps(overrides))
        env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(settings), JUPYTERLAB_WORKSPACES_DIR=str(tmp / "ws"),
                   JUPYTER_RUNTIME_DIR=str(tmp / "runtime"))
        jupyter = Path(sys.executable).with_name("jupyter")
        self.log = open(tmp / "lab.log", "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [str(jupyter), "lab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
             f"--ServerApp.port={self.port}", f"--IdentityProvider.token={self.token}",
             f"--ServerApp.root_dir={self.root}", f"--LabApp.app_settings_dir={settings}",
             "--ServerApp.open_browser=False", "--LabApp.expose_app_in_browser=True"],  # window.jupyterapp
            stdout=self.log, stderr=subprocess.STDOUT, env=env,
        )
        self._wait_ready()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _api(self, path: str, method: str = "GET"):
        request = urllib.request.Request(self.url(path), method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=5) as response:
            body = response.read()
        return json.loads(body) if body else None

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.process.returncode}; see {self.log.name}")
            try:
                self._api("/api/status")
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"JupyterLab did not answer within {timeout} s; see {self.log.name}")

    def delete_sessions(self) -> None:
        for session in self._api("/api/sessions"):
            self._api(f"/api/sessions/{session['id']}", method="DELETE")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


VIEWPORT = {"width": 1400, "height": 1000}
# Waits check their condition every POLL_MS. Playwright's default polls on every animation
# frame, which keeps chromium drawing 60 frames a second for the whole of a Run All.
POLL_MS = 100


def open_notebook(lab: Lab, browser, name: str):
    """Open a notebook in a fresh page with a fresh kernel; return the page once the kernel is idle."""
    return show_notebook(lab, browser.new_page(viewport=VIEWPORT), name)


def show_notebook(lab: Lab, page, name: str):
    """Show notebook ``name`` alone in ``page``, with a fresh kernel; return the page once the kernel is idle.

    A blank page loads JupyterLab on the notebook. A page already showing JupyterLab opens it
    with Lab's own commands instead, which spares loading the application again (about 3 s):
    the notebooks shown before are closed unsaved (the server's copy stays as it was) and
    their kernels shut down.
    """
    if page.evaluate("() => !!window.jupyterapp"):
        page.evaluate(
            """() => {
                for (const widget of [...window.jupyterapp.shell.widgets('main')]) {
                    if (widget.context) widget.context.model.dirty = false;  // closes without a save dialog
                    widget.close();
                }
            }"""
        )
        page.wait_for_function("() => !document.querySelector('.jp-Notebook')", polling=POLL_MS, timeout=10_000)
        lab.delete_sessions()
        # Not awaited: the command's promise settles seconds after the notebook shows and its kernel is idle.
        page.evaluate("path => { window.jupyterapp.commands.execute('docmanager:open', {path, factory: 'Notebook'}); }",
                      name)
    else:
        lab.delete_sessions()
        page.goto(lab.url(f"/lab/tree/{name}?reset&token={lab.token}"))
    page.wait_for_function(  # the file loaded into the notebook, and its kernel connected
        """path => {
            const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
            return !!(widget && widget.context && widget.context.path === path && widget.context.isReady
                      && widget.sessionContext && widget.sessionContext.isReady);
        }""",
        arg=name, polling=POLL_MS, timeout=60_000,
    )
    wait_idle(page, timeout_s=60)
    return page


def wait_idle(page, timeout_s: float) -> None:
    page.wait_for_function(
        """() => {
            const status = [...document.querySelectorAll('.jp-StatusBar-TextItem, .jp-Toolbar-kernelStatus')]
                .map(e => e.textContent + ' ' + (e.getAttribute('title') || '')).join(' ');
            const busy = [...document.querySelectorAll('.jp-InputPrompt')].some(e => e.textContent.includes('*'));
            return /Idle/.test(status) && !busy;
        }""",
        polling=POLL_MS, timeout=timeout_s * 1000,
    )


UNRUN_CODE_CELLS = """() => [...window.jupyterapp.shell.currentWidget.content.model.cells]
    .filter(cell => cell.type === 'code' && !cell.executionCount).length"""


def run_all(page) -> None:
    """Run → Run All Cells, then wait until every code cell has an execution count and the kernel is idle.

    The stored outputs and execution counts are cleared first, so a count afterwards proves
    that Run All ran the cell (the stored ones are the same numbers).
    """
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    assert page.evaluate(UNRUN_CODE_CELLS) > 0, "clearing the outputs left the execution counts"
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    page.wait_for_function(
        """() => [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
                .every(e => /\\[\\d+\\]/.test(e.textContent))""",
        polling=POLL_MS, timeout=RUN_ALL_TIMEOUT_S * 1000,
    )
    wait_idle(page, timeout_s=60)
    unrun = page.evaluate(UNRUN_CODE_CELLS)  # the notebook's cells themselves, drawn on screen or not
    assert unrun == 0, f"Run All left {unrun} code cells without an execution count"


def explorer_state(explorer) -> dict:
    return explorer.evaluate(
        """e => ({
            image: [...e.querySelectorAll('img')].map(i => i.src).join('|'),
            numbers: [...e.querySelectorAll('.widget-html-content')].map(h => h.innerHTML).join('|'),
        })"""
    )
