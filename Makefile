# Quick start: `make run` starts the app, `make test` runs the tests.
# Both create .venv/ and install the pinned dependencies (constraints.txt) on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DIST_STAMP := $(VENV)/.installed-dist
MUTATE_STAMP := $(VENV)/.installed-mutate

.PHONY: run test lint bench screenshots clean dist smoke-dist mutate

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	@touch $(STAMP)

# The [dist] extra (PyInstaller, pinned in constraints.txt) on top of the test environment.
$(DIST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,dist]'
	@touch $(DIST_STAMP)

# The [mutate] extra (mutmut, pinned in constraints.txt) on top of the test environment.
$(MUTATE_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,mutate]'
	@touch $(MUTATE_STAMP)

run: $(STAMP)
	$(BIN)/inspector-app --sample-data

test: lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -n auto

# ruff, the layer contracts (import-linter, pyproject.toml) and the type check (mypy)
lint: $(STAMP)
	$(BIN)/ruff check inspector_app tests bench tools
	$(BIN)/ruff format --check inspector_app tests bench tools
	$(BIN)/lint-imports
	$(BIN)/mypy

# Mutation testing of scoring, the template rules and the merge decision (tools/mutate.py):
# the share of changes to that code the tests notice, and each one they miss. Not in make test.
mutate: $(MUTATE_STAMP)
	$(BIN)/python tools/mutate.py

bench: $(STAMP)
	$(BIN)/python bench/run.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/gui.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/photos.py
	$(BIN)/python bench/report.py

# The one-folder build for machines without Python: dist/Inspector/ holds Inspector (the
# desktop) and inspector-app (the command line); see docs/build.md.
dist: $(DIST_STAMP)
	$(BIN)/pyinstaller --noconfirm --clean build.spec
	@du -sm dist/Inspector

# Runs the built folder as a user would: doctor, demo, a signed report, verify, export,
# import and the window offscreen, in fresh data folders; checks size and contents.
smoke-dist:
	$(PYTHON) tools/smoke_dist.py dist/Inspector

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .hypothesis

screenshots: $(STAMP)
	xvfb-run -a -s "-screen 0 1600x1000x24" $(BIN)/python tools/screenshots.py
