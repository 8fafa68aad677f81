# CoopAtlas: `make demo` serves the platform with real reference and demo data; `make test` runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := coopatlas.settings

.PHONY: install demo serve data test test-postgres test-browser lint messages clean

$(BIN)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

install: $(BIN)/.installed

data: install
	$(BIN)/coopatlas migrate --noinput
	$(BIN)/coopatlas load_reference
	$(BIN)/coopatlas load_indicator_demo
	$(BIN)/coopatlas load_demo
	$(BIN)/coopatlas import_iati --allow-rejections src/coopatlas/iati/data/activities
	$(BIN)/coopatlas reindex
	$(BIN)/coopatlas refresh_dashboard_facts
	$(BIN)/coopatlas reindex_vectors

demo: data
	@echo "CoopAtlas on http://127.0.0.1:$(PORT)/ (background worker: coopatlas db_worker)"
	@$(BIN)/coopatlas db_worker & WORKER=$$!; trap 'kill $$WORKER 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/coopatlas runserver --noreload 127.0.0.1:$(PORT)

test: install
	$(BIN)/coopatlas makemigrations --check --dry-run
	$(BIN)/pytest -q

test-postgres: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/pytest -q

test-browser: install
	mkdir -p var && rm -f var/test-browser.sqlite3*
	COOPATLAS_TEST_SQLITE_FILE=$(CURDIR)/var/test-browser.sqlite3 $(BIN)/pytest -q -m browser

messages: install
	cd src/coopatlas && ../../$(BIN)/coopatlas makemessages -l fr -l es -l ar -l zh_Hans -l ru --no-obsolete --ignore 'tests/*' --ignore 'tests_browser/*' && ../../$(BIN)/coopatlas compilemessages

clean:
	rm -rf $(VENV) var
