# The targets the README and .ci/run call. Everything installs into .venv; nothing global.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ARGS ?=

.PHONY: install demo test test-unit lint typecheck evals bench kafka-start kafka-stop clean

$(BIN)/travel-agent: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/travel-agent

## The main job on embedded defaults: `make demo` (Ctrl-C stops), `make demo ARGS="--duration 60"`.
demo: install
	$(BIN)/travel-agent demo $(ARGS)

## The whole suite, with the real services it needs (Kafka is started by the test fixtures).
test: install lint
	$(BIN)/pytest $(ARGS)

test-unit: install
	$(BIN)/pytest tests/unit $(ARGS)

lint: $(BIN)/travel-agent
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

typecheck: install
	$(BIN)/mypy

## The scripted scenarios, rules and the local policy-following model; reports in data/evals/.
evals: install
	$(BIN)/travel-agent eval evals/scenarios --reasoner rules --min-pass 1 \
		--json data/evals/rules.json --report data/evals/rules.html
	$(BIN)/travel-agent eval evals/scenarios --reasoner llm --local-model --min-pass 1 \
		--json data/evals/llm.json --report data/evals/llm.html

## Benchmarks print figures (ratios against a baseline measured in the same run); not tests.
bench: install
	$(BIN)/python scripts/bench_search.py
	$(BIN)/python scripts/bench_cases.py
	$(BIN)/python scripts/bench_memory.py
	$(BIN)/python scripts/bench_preferences.py
	scripts/kafka-local start
	$(BIN)/python scripts/bench_stream.py

kafka-start:
	scripts/kafka-local start

kafka-stop:
	scripts/kafka-local stop

clean:
	rm -rf $(VENV) .cache data .pytest_cache .ruff_cache .mypy_cache
