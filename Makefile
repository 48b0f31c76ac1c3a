# Every target builds .venv first, so a fresh clone needs nothing but `make run` / `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check quality bench bench-incremental lint fuzz clean assets train train-encoder

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

# The whole suite after lint (ruff + mypy strict): what .ci/run runs. Includes the quality gates
# (tests/test_quality.py: no development-set figure below its floor in quality-baseline.json).
test: lint $(ASSETS_STAMP)
	$(BIN)/pytest -q

# The fast lane for daily work (< 2 min): lint, then every test not marked slow or fuzz, without
# the browser, Spark, benchmark and demo-corpus end-to-end files. CI still runs `make test`.
CHECK_SKIP := web_e2e engine_spark engine_equality bench_corpus bench_smoke demo_corpus \
	demo_fusion fuzz_hostile fuzz_readers
check: lint
	$(BIN)/pytest -q -m "not slow and not fuzz" $(foreach t,$(CHECK_SKIP),--ignore=tests/test_$(t).py)

# Recomputes every gated development-set figure and prints it beside its floor (for docs/quality.md).
quality: $(STAMP)
	$(BIN)/python -m eventfuse.evaluate.quality

# Rebuild the shipped models from openly licensed data in ../shared/data (offline; docs/typing.md).
# One line per training script: add yours to the list.
TRAIN_SCRIPTS := \
	eventfuse.train.typing

# The fusion pair model's trainer reads ECB+ train topics (dev topics never): docs/fusion-quality.md.
SHARED_DATA ?= ../shared/data
train: $(STAMP)
	@set -e; for script in $(TRAIN_SCRIPTS); do echo "== $$script"; $(BIN)/python -m $$script; done
	@echo "== scripts/train_fusion.py"
	$(BIN)/python scripts/train_fusion.py $(SHARED_DATA)/ecbplus

# The event coreference encoder, an experiment (MiniLM fine-tuned on ECB+ train topics; docs/quality.md,
# s12enc): torch and transformers live in a venv of their own (the product never imports them).
# Writes build/coref_encoder.onnx (+ .json) and build/coref_oof.npz; nothing ships them (the pair
# model that weighs the encoder did not cluster better). About 45 minutes on 2 cores.
TRAIN_VENV := .venv-train
TRAIN_STAMP := $(TRAIN_VENV)/.installed
$(TRAIN_STAMP): pyproject.toml
	$(PY) -m venv $(TRAIN_VENV)
	$(TRAIN_VENV)/bin/pip install --upgrade pip >/dev/null
	$(TRAIN_VENV)/bin/pip install -e '.[train-encoder]'
	touch $(TRAIN_STAMP)
train-encoder: $(TRAIN_STAMP)
	$(TRAIN_VENV)/bin/python scripts/ecbplus_mentions.py $(SHARED_DATA)/ecbplus build/ecbplus_train_mentions.jsonl
	$(TRAIN_VENV)/bin/python scripts/train_encoder.py build/ecbplus_train_mentions.jsonl

# REAL_PARSE_CACHE keeps the real news's spaCy parses between runs (fusion on real mentions).
REAL_PARSE_CACHE ?= $(VENV)/real-parse-cache
bench: $(STAMP)
	$(BIN)/python bench/run.py --real $(SHARED_DATA)/gva-dev/articles.jsonl --real-parse-cache $(REAL_PARSE_CACHE)

# Adding 100 real articles to stores of 1k and 8k replicated real articles (issue 19 part 2).
bench-incremental: $(STAMP)
	$(BIN)/python bench/incremental.py --source $(SHARED_DATA)/gva-dev/articles.jsonl --sizes 1000,8000

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

fuzz: $(STAMP)
	EVENTFUSE_FUZZ_REPORT=$${EVENTFUSE_FUZZ_REPORT:-$(VENV)/fuzz-report.json} $(BIN)/pytest -q tests -m fuzz --hypothesis-profile=long --timeout=7200

clean:
	rm -rf $(VENV) $(VENDOR) $(NPM_PKGS) demo.db demo.db-wal demo.db-shm
