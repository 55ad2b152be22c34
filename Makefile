# make test: environment from nothing, LibreOffice when missing, the whole suite.
# make demo: the same set-up, then the district consolidation on the bundled sample data.
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export XLWINGS_LICENSE_KEY := noncommercial

.PHONY: setup libreoffice test demo lint bench template clean

$(VENV)/.installed: setup.cfg pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

setup: $(VENV)/.installed

libreoffice:
	@command -v soffice >/dev/null 2>&1 || { \
	  echo "Installing LibreOffice Calc (headless) ..."; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq libreoffice-calc-nogui >/dev/null; }

test: setup libreoffice
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest

lint: setup
	$(VENV)/bin/ruff check .

demo: setup
	$(PY) -m demo

bench: setup
	$(PY) bench/read.py
	$(PY) bench/validate.py
	$(PY) bench/consolidate.py
	$(PY) bench/import.py

template: setup
	$(PY) -m workbook_templates

clean:
	rm -rf $(VENV) build *.egg-info demo-output
