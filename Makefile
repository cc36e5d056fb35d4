# Two commands do all set-up on a fresh machine:
#   make run    create .venv, install pinned requirements, start the dashboard
#   make test   install what the tests need (incl. Debian's chromium), run them all
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501
export NUMBA_CACHE_DIR ?= $(CURDIR)/.cache/numba

.PHONY: run test test-fast bench lint load clean warmup

# numba kernels compile once per machine (about a minute cold) into .cache/numba;
# doing it at install time keeps the first Start click and the tests fast.
KERNEL_SOURCES := $(wildcard simulate/*.py) landscape/presets.py
.cache/numba/.warm: $(VENV)/.installed $(KERNEL_SOURCES)
	mkdir -p .cache/numba
	$(PY) -m simulate warmup
	touch $@

warmup: .cache/numba/.warm

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

# Debian's chromium drives the browser tests (Playwright's own browser download fails here).
/usr/bin/chromium:
	(command -v apt-get >/dev/null && (apt-get update -qq || true) && \
	 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) || \
	 (echo "chromium missing and apt-get unavailable" >&2; exit 1)

run: $(VENV)/.installed .cache/numba/.warm
	$(PY) app.py --server.port $(PORT) --server.headless true \
	    --browser.gatherUsageStats false

test: $(VENV)/.dev-installed /usr/bin/chromium .cache/numba/.warm
	$(PY) -m pytest -q

test-fast: $(VENV)/.dev-installed .cache/numba/.warm
	$(PY) -m pytest -q -m "not browser and not slow"

bench: $(VENV)/.installed
	$(PY) bench/bench_simulate.py
	$(PY) bench/bench_plane.py

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) .cache .pytest_cache .hypothesis test-artifacts
