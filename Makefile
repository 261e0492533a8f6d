# The course's commands. `make help` lists them; README.md explains each.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
ZH_NOTEBOOKS := $(sort $(wildcard notebooks/zh/*.ipynb))  # the Chinese edition (make translations)

.PHONY: help setup lab lab-zh test test-zh test-cpu-paths test-elsewhere lint execute bench translations font

help:  ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

# The venv is (re)installed only when pyproject.toml or constraints.txt changed since the last
# install. constraints.txt holds the exact versions that wrote the stored outputs (make lock).
# --no-compile: byte-compiling all of torch at install took 40 of 80 s; Python compiles what is imported.
$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --no-compile -c constraints.txt -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)  ## create .venv and install the package with its test tools

lab: $(STAMP)  ## open JupyterLab on notebooks/unsolved/: every exercise unsolved, its solution one click away
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=notebooks/unsolved

lab-zh: $(STAMP)  ## 中文版: open JupyterLab on notebooks/zh/unsolved/
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=notebooks/zh/unsolved

test: $(STAMP)  ## lint, unit tests, doctests and nbval (strict) over every notebook
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -n 2 --dist loadscope --no-loadscope-reorder

test-cpu-paths: $(STAMP)  ## nbval, strict, over every notebook under ATEN_CPU_CAPABILITY=default and =avx2 (CI)
	CNN_COURSE_TEST_CPU_PATHS=1 $(PY) -m pytest -p no:cacheprovider tests/test_cpu_paths.py

test-elsewhere: $(STAMP)  ## install the course beside other numpy/matplotlib in a new venv and run every notebook there
	CNN_COURSE_TEST_ELSEWHERE=1 $(PY) -m pytest -p no:cacheprovider tests/test_install_elsewhere.py

test-zh: $(STAMP) $(ISTAMP)  ## the Chinese edition in the browser (explorers in Chinese) and nbgrader validate of its exercises (CI)
	CNN_COURSE_BROWSER_EDITION=zh CNN_COURSE_TEST_ZH=1 $(PY) -m pytest -p no:cacheprovider tests/test_browser.py \
		tests/test_nbgrader.py::TestChineseStudentVersions

lint: $(STAMP)  ## ruff over the package, tests and notebooks
	$(VENV)/bin/ruff check .

execute: $(STAMP)  ## re-execute every notebook (both languages) in place, deterministically; regenerate the unsolved ones
	$(PY) tools/translate_notebooks.py build
	$(PY) tools/execute_notebooks.py $(NOTEBOOKS) $(ZH_NOTEBOOKS)
	$(PY) tools/unsolved_notebooks.py $(NOTEBOOKS) $(ZH_NOTEBOOKS)

translations: $(STAMP)  ## rebuild notebooks/zh/ from notebooks/ and notebooks/zh/translations/ (stops on stale translations; docs/translating.md)
	$(PY) tools/translate_notebooks.py build

font: $(STAMP)  ## rebuild the CJK font subset cnn_helpers/fonts/ (needs Debian's fonts-noto-cjk; docs/translating.md)
	$(PY) tools/subset_font.py $(FONT_SOURCE)

bench: $(STAMP) $(ISTAMP) $(SSTAMP) $(SITE_NPM)  ## one table of medians and ratios (notebooks, explorers, fit, conv, import); updates README; then 30 simulated students graded
	$(PY) tools/bench.py --update-readme
	$(PY) deploy/load_bench.py --students 30

# --- instructors: nbgrader (INSTRUCTORS.md) ---
# nbgrader gets its own venv: installed in .venv it would add grading panels to the students' JupyterLab.
IVENV  := .venv-instructor
IPY    := $(IVENV)/bin/python
ISTAMP := $(IVENV)/.installed
COURSE ?= build/course

.PHONY: instructor-setup student instructor-test lock

lock: $(STAMP) $(ISTAMP) $(SSTAMP)  ## rewrite constraints.txt from the versions installed in .venv, .venv-instructor and .venv-site
	$(PY) tools/write_lock.py $(VENV) $(IVENV) $(SVENV)

$(ISTAMP): pyproject.toml constraints.txt
	test -x $(IPY) || $(PYTHON) -m venv $(IVENV)
	$(IPY) -m pip install --quiet --no-compile -c constraints.txt -e '.[instructor,hub]'
	touch $(ISTAMP)

instructor-setup: $(ISTAMP)  ## create .venv-instructor: the package with nbgrader, kept out of .venv

student: $(ISTAMP)  ## student versions of every notebook, both languages (NN_name_zh), into student/ with nbgrader (course folder COURSE=build/course)
	$(IPY) tools/student_versions.py --course $(COURSE) --out student $(NOTEBOOKS) $(ZH_NOTEBOOKS)

instructor-test: $(STAMP) $(ISTAMP)  ## the nbgrader cycle on every notebook (tests/test_nbgrader.py)
	$(PY) -m pytest -n 2 --dist loadscope --no-loadscope-reorder tests/test_nbgrader.py

# --- a whole class on JupyterHub (deploy/, INSTRUCTORS.md) ---
# The hub and every user's server run from .venv-instructor (make instructor-setup installs JupyterHub
# there); the proxy comes from npm, pinned by deploy/package-lock.json.
PROXY := deploy/node_modules/.bin/configurable-http-proxy

.PHONY: hub-setup hub test-hub

$(PROXY): deploy/package.json deploy/package-lock.json
	npm ci --prefix deploy --no-audit --no-fund
	touch $(PROXY)

hub-setup: $(ISTAMP) $(PROXY)  ## .venv-instructor with JupyterHub, and the proxy from npm (deploy/)

hub: $(ISTAMP) $(PROXY)  ## start JupyterHub for a class on this server (as root; deploy/jupyterhub_config.py)
	$(IVENV)/bin/jupyterhub -f deploy/jupyterhub_config.py

test-hub: $(STAMP) $(ISTAMP) $(PROXY)  ## a whole class on a real JupyterHub on loopback, and hostile submissions (root)
	CNN_COURSE_TEST_HUB=1 $(PY) -m pytest -p no:cacheprovider tests/test_hub.py

# --- the course website (site/, tools/build_site.py) ---
# Jupyter Book 1 gets its own venv (pyproject's site extra, through the lock), so it cannot change
# the students' environment; MathJax and axe-core come from npm, pinned by site/package-lock.json.
SVENV  := .venv-site
SPY    := $(SVENV)/bin/python
SSTAMP := $(SVENV)/.installed
SITE_NPM := site/node_modules/.installed

.PHONY: site test-site

$(SSTAMP): pyproject.toml constraints.txt
	test -x $(SPY) || $(PYTHON) -m venv $(SVENV)
	$(SPY) -m pip install --quiet --no-compile -c constraints.txt jupyter-book
	touch $(SSTAMP)

$(SITE_NPM): site/package.json site/package-lock.json
	npm ci --prefix site --no-audit --no-fund
	touch $(SITE_NPM)

site: $(SSTAMP) $(SITE_NPM)  ## the course website from the notebooks' stored outputs (no execution, no network) into build/site/html
	$(SPY) tools/build_site.py --out build/site

test-site: $(STAMP) $(SSTAMP) $(SITE_NPM)  ## build the site and check every page in chromium: no script errors, pictures, links, axe-core
	CNN_COURSE_TEST_SITE=1 $(PY) -m pytest -p no:cacheprovider tests/test_site.py
