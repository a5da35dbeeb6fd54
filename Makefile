# Zbut: `make demo` runs the product with a demo agency, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_COMPANIES ?= 3000
# Debian packages the browser tests need (installed with apt when missing).
APT_PACKAGES := chromium
CHROMIUM := /usr/bin/chromium

.PHONY: demo test bench lint format venv migrate chromium messages clean

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv

# Bytecode is compiled once here: environments that set PYTHONDONTWRITEBYTECODE would
# otherwise compile Django and every library again at each start (a second of `zbut`'s start).
$(BIN)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	touch $@

venv: $(BIN)/.synced
	@$(BIN)/python -m compileall -q -j 0 zbut bench

migrate: venv
	$(BIN)/zbut migrate --no-input -v 0

demo: migrate
	$(BIN)/zbut demo-data --companies $(DEMO_COMPANIES)
	$(BIN)/zbut run --host $(HOST) --port $(PORT) --demo

chromium:
	@test -x $(CHROMIUM) || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES); }

lint: venv
	$(BIN)/ruff check zbut tests bench
	$(BIN)/ruff format --check zbut tests bench

format: venv
	$(BIN)/ruff format zbut tests bench
	$(BIN)/ruff check --fix zbut tests bench

messages: venv
	cd zbut && ../$(BIN)/zbut makemessages -l uk -l en --no-obsolete && ../$(BIN)/zbut compilemessages

test: venv chromium lint
	$(BIN)/zbut makemigrations --check --dry-run -v 0
	$(BIN)/pytest -n 2 --dist loadgroup

bench: venv
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .tools var/zbut.sqlite3*
