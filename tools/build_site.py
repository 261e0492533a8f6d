"""Build the course website from the notebooks' STORED outputs: nothing is executed, nothing downloaded.

Usage: .venv-site/bin/python tools/build_site.py [--notebooks notebooks] [--out build/site]   (``make site``)

Jupyter Book 1 (Sphinx + MyST-NB, installed in its own ``.venv-site`` by ``make site``) builds
the pages listed in site/_toc.yml from a staging copy: the README as the landing page, the
seven complete notebooks in order, the Chinese edition (README.zh.md and notebooks/zh/), the
glossary, the instructor guide and docs/. Links from
these pages to repository files that are not pages (a test, the Makefile) become plain code,
so the site has no broken links. The HTML lands in ``OUT/html``; the staging copy in ``OUT/src``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = {"index.md": "README.md", "GLOSSARY.md": "GLOSSARY.md", "INSTRUCTORS.md": "INSTRUCTORS.md",
         "docs/claims.md": "docs/claims.md", "docs/settings_search.md": "docs/settings_search.md",
         "docs/translating.md": "docs/translating.md", "README.zh.md": "README.zh.md"}
MATHJAX = ROOT / "site" / "node_modules" / "mathjax" / "es5"  # npm ci --prefix site (make site)
MATHJAX_PARTS = ("tex-chtml.js", "input", "output", "ui", "a11y")  # what tex-chtml.js loads, no other bundles
LINK = re.compile(r"(?<!!)\[([^\]]+)\]\(([^)\s]+)\)")


def _page_paths(notebooks: list[Path]) -> set[str]:
    return set(PAGES) | {"README.md"} | {_page(p) for p in notebooks}


def _page(notebook: Path) -> str:
    """Where a notebook's page lives: notebooks/NN_name.ipynb, or notebooks/zh/NN_name.ipynb (中文版)."""
    return f"notebooks/zh/{notebook.name}" if notebook.parent.name == "zh" else f"notebooks/{notebook.name}"


def relink(text: str, page: str, pages: set[str]) -> str:
    """Links to repository files that are not pages become ``code``; links to pages and the web stay.

    Example:
        >>> relink("[the lock](constraints.txt) and [glossary](GLOSSARY.md)", "index.md", {"GLOSSARY.md"})
        'the lock (`constraints.txt`) and [glossary](GLOSSARY.md)'
    """
    base = Path(page).parent

    def one(match: re.Match) -> str:
        label, target = match.groups()
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            return match.group(0)
        path = target.split("#")[0]
        resolved = (base / path).as_posix()
        parts = []
        for part in resolved.split("/"):
            if part == "..":
                parts.pop() if parts else None
            elif part not in ("", "."):
                parts.append(part)
        if "/".join(parts) in pages:
            return match.group(0)
        return f"{label} (`{path}`)" if label.strip("`") != path else f"`{path}`"

    return LINK.sub(one, text)


def stage(notebooks_dir: Path, src: Path) -> list[Path]:
    """Copy the site's sources into ``src``; return the notebooks staged."""
    if src.exists():
        shutil.rmtree(src)
    (src / "notebooks").mkdir(parents=True)
    (src / "_extra" / "mathjax").mkdir(parents=True)
    shutil.copytree(ROOT / "site", src, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("node_modules", "package*.json", ".gitignore"))
    if not (MATHJAX / "tex-chtml.js").exists():
        sys.exit(f"MathJax is missing at {MATHJAX}: run npm ci --prefix site (make site does)")
    for part in MATHJAX_PARTS:
        copy = shutil.copytree if (MATHJAX / part).is_dir() else shutil.copy
        copy(MATHJAX / part, src / "_extra" / "mathjax" / part)
    notebooks = sorted(notebooks_dir.glob("[0-9][0-9]_*.ipynb")) + sorted(notebooks_dir.glob("zh/[0-9][0-9]_*.ipynb"))
    (src / "notebooks" / "zh").mkdir()
    pages = _page_paths(notebooks)
    for page, origin in PAGES.items():
        target = src / page
        target.parent.mkdir(parents=True, exist_ok=True)
        text = (ROOT / origin).read_text(encoding="utf-8")
        text = text.replace("](README.md)", "](index.md)").replace("](../../README.md)", "](../../index.md)")
        target.write_text(relink(text, page, pages), encoding="utf-8")
    import nbformat

    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cell.source = relink(cell.source.replace("](../../README.md)", "](../../index.md)"), _page(path), pages)
        nbformat.write(nb, src / _page(path))
    return notebooks


def build(notebooks_dir: Path, out: Path) -> float:
    start = time.perf_counter()
    if out.exists():  # from scratch: no cached doctrees, so the time measured is a whole build
        shutil.rmtree(out)
    src = out / "src"
    stage(notebooks_dir, src)
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    html = out / "html"
    subprocess.run([str(jupyter_book), "build", str(src), "--path-output", str(out / "jb"), "--keep-going", "-q"],
                   check=True)
    shutil.copytree(out / "jb" / "_build" / "html", html)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks", help="folder of the complete notebooks")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "site")
    args = parser.parse_args(argv)
    seconds = build(args.notebooks.resolve(), args.out.resolve())
    print(f"site: {args.out / 'html' / 'index.html'} ({seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
