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

# Debian packages the suite drives as real parts: LibreOffice (Calc and Writer) with a CJK font, poppler
# for pdftotext/pdftoppm/pdfinfo, Chromium for the HTML page and the desk's browser tests, desktop-file-utils
# for the launcher, PostgreSQL for the desk's tests on a real server.
SYSTEM_TOOLS := soffice:libreoffice-calc-nogui soffice:libreoffice-writer-nogui fc-list:fonts-noto-cjk \
  pdftotext:poppler-utils chromium:chromium desktop-file-validate:desktop-file-utils \
  /usr/lib/postgresql/15/bin/initdb:postgresql
libreoffice:
	@missing=""; for pair in $(SYSTEM_TOOLS); do pkg=$${pair#*:}; \
	  dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then echo "Installing$$missing ..."; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; fi

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
	$(PY) bench/button.py
	$(PY) bench/serve.py

template: setup
	$(PY) -m workbook_templates

clean:
	rm -rf $(VENV) build *.egg-info demo-output
