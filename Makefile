# Balcão — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test faults lint messages bench cluster clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

HOST ?= 127.0.0.1
PORT ?= 8000

run: $(STAMP)
	$(BIN)/balcao run --host $(HOST) --port $(PORT)

# The browser tests drive Debian's Chromium: say so plainly when it is missing (unless skipped).
CHROMIUM_CHECK = command -v chromium >/dev/null || { echo "The browser tests need Chromium:" \
	"sudo apt-get install chromium  (or skip them: make test PYTEST_ARGS='-m \"not e2e\"')"; exit 1; }
test: $(STAMP)
	@$(if $(findstring not e2e,$(PYTEST_ARGS)),true,$(CHROMIUM_CHECK))
	$(BIN)/pytest $(PYTEST_ARGS)

# The fault suite alone, its lost/doubled figures printed (outages need DATABASE_URL=postgres).
faults: $(STAMP)
	LOG_LEVEL=WARNING $(BIN)/pytest tests/faults -s -rs $(PYTEST_ARGS)

# The production topology on loopback (2 web, 2 workers, HAProxy, PostgreSQL, Redis) in the
# foreground; prove it from another terminal with `.venv/bin/python bench/cluster.py`. See deploy/.
cluster: $(STAMP)
	BALCAO=$(BIN)/balcao deploy/cluster.sh

# Style, the import direction (import-linter contracts) and types (mypy + django-stubs); all
# configured in pyproject.toml. CI runs it before the tests.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# Translators: refresh the catalogues and compile them (needs GNU gettext); .mo files are committed.
# Apps with their own locale/ keep their catalogue; the rest share balcao/locale. core/locale is
# kept by hand (Portuguese month names in lower case, overriding Django's): never extracted into.
APP_CATALOGUES := portal console sla kb meetings reports connectors/email connectors/webchat connectors/whatsapp
messages: $(STAMP)
	cd balcao && DJANGO_SETTINGS_MODULE=balcao.settings $(CURDIR)/$(BIN)/django-admin makemessages \
		-l pt_BR -l en --no-obsolete --ignore core/locale $(foreach app,$(APP_CATALOGUES),--ignore '$(app)/*')
	for app in $(APP_CATALOGUES); do (cd balcao/$$app && DJANGO_SETTINGS_MODULE=balcao.settings \
		$(CURDIR)/$(BIN)/django-admin makemessages -l pt_BR -l en --no-obsolete); done
	cd balcao && DJANGO_SETTINGS_MODULE=balcao.settings $(CURDIR)/$(BIN)/django-admin compilemessages

clean:
	rm -rf $(VENV) var/*.sqlite3* .pytest_cache .mypy_cache .import_linter_cache .grimp_cache
