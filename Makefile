# Every target builds .venv first, so a fresh clone needs nothing but `make run` / `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench lint fuzz clean assets train

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip >/dev/null
	$(BIN)/pip install -e '.[dev]'
	touch $(STAMP)

# The web page's browser assets come from the npm registry at build time, never from a CDN at run time.
VENDOR := src/eventfuse/web/static/vendor
ASSETS_STAMP := $(VENDOR)/.built
NPM_PKGS := web/node_modules

assets: $(ASSETS_STAMP)

$(ASSETS_STAMP): web/package.json web/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "error: npm not found; it is needed to build the web page's assets (Debian: apt-get install npm)" >&2; exit 1; }
	npm ci --prefix web --no-audit --no-fund
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)/leaflet $(VENDOR)/markercluster $(VENDOR)/topojson $(VENDOR)/world-atlas $(VENDOR)/swagger-ui
	cp $(NPM_PKGS)/leaflet/dist/leaflet.js $(NPM_PKGS)/leaflet/dist/leaflet.css $(NPM_PKGS)/leaflet/LICENSE $(VENDOR)/leaflet/
	cp $(NPM_PKGS)/leaflet.markercluster/dist/leaflet.markercluster.js $(NPM_PKGS)/leaflet.markercluster/dist/MarkerCluster.css $(NPM_PKGS)/leaflet.markercluster/dist/MarkerCluster.Default.css $(NPM_PKGS)/leaflet.markercluster/package.json $(VENDOR)/markercluster/
	cp $(NPM_PKGS)/topojson-client/dist/topojson-client.min.js $(NPM_PKGS)/topojson-client/LICENSE $(VENDOR)/topojson/
	cp $(NPM_PKGS)/world-atlas/countries-110m.json $(NPM_PKGS)/world-atlas/LICENSE $(VENDOR)/world-atlas/
	cp $(NPM_PKGS)/swagger-ui-dist/swagger-ui-bundle.js $(NPM_PKGS)/swagger-ui-dist/swagger-ui.css $(NPM_PKGS)/swagger-ui-dist/LICENSE $(VENDOR)/swagger-ui/
	touch $@

run: $(STAMP) $(ASSETS_STAMP)
	$(BIN)/eventfuse --db demo.db run examples/demo

test: $(STAMP) $(ASSETS_STAMP)
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python bench/run.py

# Trained models ship as data files in src/eventfuse/data; each is rebuilt by its own script
# from the development data beside the checkout (offline, minutes on 2 cores).
SHARED_DATA ?= ../shared/data
train: $(STAMP)
	$(BIN)/python scripts/train_fusion.py $(SHARED_DATA)/ecbplus

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

fuzz: $(STAMP)
	EVENTFUSE_FUZZ_REPORT=$${EVENTFUSE_FUZZ_REPORT:-$(VENV)/fuzz-report.json} $(BIN)/pytest -q tests -m fuzz --hypothesis-profile=long --timeout=7200

clean:
	rm -rf $(VENV) $(VENDOR) $(NPM_PKGS) demo.db demo.db-wal demo.db-shm
