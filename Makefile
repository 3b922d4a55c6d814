# Sala: the index of everything you run. `make help` lists the targets.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

BIN         := bin/sala
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
NPM_CI      := npm ci --no-audit --no-fund --loglevel=error
NODE_DIRS   := sdk frontend mobile
FUZZTIME    ?= 60s
# Expo and friends must not wait on a network that isn't there.
export EXPO_OFFLINE=1 EXPO_NO_TELEMETRY=1 NEXT_TELEMETRY_DISABLED=1

.PHONY: help run build web test test-go test-sdk test-web test-mobile lint gen screenshots fuzz soak bench bench-cluster bench-search clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

run: build ## serve the chat at http://localhost:8080 (SQLite in ./data)
	./$(BIN) serve

build: web ## build bin/sala with the web app embedded
	rm -rf backend/internal/web/dist/*
	cp -r frontend/dist/. backend/internal/web/dist/
	cd backend && go build -trimpath -o ../$(BIN) ./cmd/sala
	@echo "built $(BIN)"

web: frontend/node_modules ## build the web app into frontend/dist
	cd frontend && npm run build

# Each TypeScript folder's packages, installed with npm ci when missing or
# older than the lock file: every target that runs npm scripts depends on them.
$(addsuffix /node_modules,$(NODE_DIRS)): %/node_modules: %/package-lock.json
	cd $* && $(NPM_CI)
	@touch $@

# Tests write to scratch folders, never into the checkout: what git sees is
# taken before any recipe runs, and `make test` fails if it changed. (Root,
# as .ci/run runs on GitHub, must be let into a checkout it doesn't own.)
GIT        := git -c safe.directory='$(CURDIR)'
TREE_STATE = { $(GIT) status --porcelain --untracked-files=all && $(GIT) diff HEAD --binary; } 2>/dev/null | cksum
ifneq ($(filter test,$(MAKECMDGOALS)),)
TREE_BEFORE := $(shell $(TREE_STATE))
endif

test: test-go test-sdk test-web test-mobile ## run every test (PostgreSQL ones need SALA_TEST_DATABASE_URL); fails if they changed the checkout
	@if [ "$$($(TREE_STATE))" != "$(TREE_BEFORE)" ]; then \
		echo "make test changed the checkout (tests must write to scratch folders):"; $(GIT) status --short; exit 1; \
	fi

test-go: ## backend: format, vet, staticcheck, tidy check, tests with -race on SQLite and PostgreSQL
	@if [ -z "$${SALA_TEST_DATABASE_URL:-}" ]; then echo "note: SALA_TEST_DATABASE_URL is unset: PostgreSQL tests will be skipped (CI=true makes them fail)"; fi
	cd backend && unformatted=$$(gofmt -l .) && if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	cd backend && go vet ./...
	cd backend && go run $(STATICCHECK) ./...
	cd backend && go mod tidy -e -diff
	cd backend && go test -race -count=1 -timeout 10m ./...

test-sdk: sdk/node_modules ## the shared TypeScript protocol client: generated types current, lint, types, unit tests
	cd sdk && npm run ci

test-web: frontend/node_modules ## the Vue app: lint, types, unit tests, build, end-to-end in Chromium against the real server
	cd frontend && npm run ci

test-mobile: mobile/node_modules ## the Expo app: lint, types, jest, web export, end-to-end in Chromium
	cd mobile && CI=1 npm run ci

lint: $(addsuffix /node_modules,$(NODE_DIRS)) ## Go and TypeScript linters only
	cd backend && go vet ./... && go run $(STATICCHECK) ./...
	cd sdk && npm run lint
	cd frontend && npm run lint
	cd mobile && npm run lint

gen: sdk/node_modules ## regenerate the TypeScript types from openapi.yaml
	cd sdk && npm run gen

screenshots: frontend/node_modules mobile/node_modules ## run both apps' browser tests and copy their screenshots into docs/screenshots
	shots=$$(mktemp -d) && trap 'rm -rf "$$shots"' EXIT && \
		(cd frontend && SALA_SCREENSHOT_DIR="$$shots" npm run e2e) && \
		(cd mobile && npm run export:web && SALA_SCREENSHOT_DIR="$$shots" CI=1 npm run e2e) && \
		cp "$$shots"/*.png docs/screenshots/ && echo "copied $$(ls "$$shots" | wc -l) screenshots into docs/screenshots"

fuzz: ## run every Go fuzz target for FUZZTIME (60s) each
	cd backend && go test -run '^$$' -fuzz '^FuzzParseCommand$$' -fuzztime $(FUZZTIME) ./internal/chat
	cd backend && go test -run '^$$' -fuzz '^FuzzDecodeInbound$$' -fuzztime $(FUZZTIME) ./internal/hub
	cd backend && go test -run '^$$' -fuzz '^FuzzSignupBody$$' -fuzztime $(FUZZTIME) ./internal/httpapi

soak: ## 5 minutes of 2000 connections chatting, dropping and churning rooms; fails on loss, duplicates or leaks
	cd backend && SALA_SOAK=$${SALA_SOAK:-5m} SALA_SOAK_CONNS=$${SALA_SOAK_CONNS:-2000} \
		go test -count=1 -run '^TestSoak$$' -timeout 30m -v ./cmd/sala

bench: ## load scenarios S1–S5 on fresh servers, Go micro-benchmarks, fan-out on 1-3 nodes; prints every target, updates docs/performance.md (~15 min)
	bash bench/run.sh

bench-cluster: ## fan-out throughput and latency on 1 node without NATS and on clusters of 1, 2, 3 nodes (needs SALA_TEST_DATABASE_URL, nats-server; ~1 min)
	cd backend && SALA_BENCH_CLUSTER=1 go test -count=1 -run '^TestClusterFanoutBench$$' -timeout 15m -v ./cmd/sala
	cd backend && go test -count=1 -run '^$$' -bench '^BenchmarkSequencerTurn$$' -benchtime 2s ./internal/store

bench-search: ## search latency (p50/p99) over 1,000,000 messages on SQLite and PostgreSQL (needs SALA_TEST_DATABASE_URL; ~10 min)
	cd backend && SALA_BENCH_SEARCH=1 go test -count=1 -run '^TestSearchLatencyBench$$' -timeout 60m -v ./internal/store

clean: ## remove build output (not ./data)
	rm -rf bin frontend/dist mobile/dist backend/internal/web/dist/*
