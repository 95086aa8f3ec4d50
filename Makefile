# tisheng: two commands on a fresh machine — `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
VENDOR := src/tisheng/static/vendor
FONTS  := src/tisheng/people/fonts
HOST   ?= 127.0.0.1
PORT   ?= 8000
TEACHERS ?= 3000
export TISHENG_VAR_DIR ?= $(CURDIR)/var

.PHONY: setup demo serve test test-pg bench bench-pg lint format messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR)/.installed: node_modules/.installed
	mkdir -p $(VENDOR) $(FONTS)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts.min.js
	# The CJK font embedded (subsetted) in the printed sign-in slips; not a static file.
	cp node_modules/@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf $(FONTS)/NotoSansSC-Regular.ttf
	touch $@

setup: $(STAMP) $(VENDOR)/.installed
	mkdir -p var

# Migrate, load the demo city once, collect static files, start the task worker and serve with gunicorn.
demo: setup
	$(BIN)/tisheng migrate --no-input -v 0
	$(BIN)/tisheng demo-data --teachers $(TEACHERS) --if-empty
	$(BIN)/tisheng collectstatic --no-input -v 0
	@# No worker runs yet: imports a previous worker left half-done are marked failed, with a retry.
	$(BIN)/tisheng import-recover
	@echo "Serving tisheng at http://$(HOST):$(PORT)/  (Ctrl-C stops the server and the task worker)"
	@trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/tisheng db_worker --interval 1 >var/worker.log 2>&1 & worker=$$!; \
	  $(BIN)/gunicorn tisheng.config.wsgi --bind $(HOST):$(PORT) --workers 3 --limit-request-line 8190 --access-logfile - --forwarded-allow-ips 127.0.0.1

test: setup
	$(BIN)/ruff check .
	$(BIN)/pytest -p no:cacheprovider

# The same suite on PostgreSQL (CI provides 127.0.0.1:5432 with trust auth and a database `test`).
test-pg: setup
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/pytest -p no:cacheprovider

bench: setup
	$(BIN)/python bench/run.py
	$(BIN)/python bench/allocation.py
	$(BIN)/python bench/city.py --teachers 50000

# The same on PostgreSQL: drops and recreates the database tisheng_bench on 127.0.0.1:5432 (or on DATABASE_URL's server).
bench-pg: setup
	$(BIN)/python bench/run.py --pg
	$(BIN)/python bench/city.py --pg  # the city's pages at 400,000 teachers (takes several minutes)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Regenerate the English catalog from the code, then compile it and the zh_Hans overrides of
# Django's own messages (hand-written: never run makemessages for zh_Hans).
messages: setup
	cd src/tisheng && ../../$(BIN)/tisheng makemessages -l en --no-obsolete && ../../$(BIN)/tisheng compilemessages -l en -l zh_Hans

clean:
	rm -rf $(VENV) node_modules $(VENDOR) $(FONTS) var
