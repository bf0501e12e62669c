# Balcão — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test faults lint messages bench clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/balcao run

test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

# The fault suite alone, its lost/doubled figures printed (outages need DATABASE_URL=postgres).
faults: $(STAMP)
	LOG_LEVEL=WARNING $(BIN)/pytest tests/faults -s -rs $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Translators: refresh the catalogues and compile them (needs GNU gettext); .mo files are committed.
# Apps with their own locale/ keep their catalogue; the rest share balcao/locale.
APP_CATALOGUES := portal console sla kb connectors/email connectors/webchat connectors/whatsapp
messages: $(STAMP)
	cd balcao && DJANGO_SETTINGS_MODULE=balcao.settings $(CURDIR)/$(BIN)/django-admin makemessages \
		-l pt_BR -l en --no-obsolete $(foreach app,$(APP_CATALOGUES),--ignore '$(app)/*')
	for app in $(APP_CATALOGUES); do (cd balcao/$$app && DJANGO_SETTINGS_MODULE=balcao.settings \
		$(CURDIR)/$(BIN)/django-admin makemessages -l pt_BR -l en --no-obsolete); done
	cd balcao && DJANGO_SETTINGS_MODULE=balcao.settings $(CURDIR)/$(BIN)/django-admin compilemessages

clean:
	rm -rf $(VENV) var/*.sqlite3* .pytest_cache
