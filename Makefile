# Loopgo: `make run` serves the ready app on :3000 (SQLite under data/; `go run . --help` lists its
# other commands); `make test` runs every test, the generator's too (framework/scaffold writes a
# project with `loopgo new`, then builds, tests and serves it offline).
GO ?= go
export CGO_ENABLED = 1

.PHONY: run build test vet fuzz bench bench-http bench-store clean openapi generate

run:
	$(GO) run .

build:
	$(GO) build -o bin/loopgo .

vet:
	$(GO) vet ./...

test: vet
	@if [ -n "$$LOOPGO_TEST_POSTGRES_URL" ]; then echo "dialects: PostgreSQL tests run ($$LOOPGO_TEST_POSTGRES_URL)"; \
	  else echo "dialects: PostgreSQL tests skipped (LOOPGO_TEST_POSTGRES_URL is not set)"; fi
	@if [ -n "$$LOOPGO_TEST_MYSQL_URL" ]; then echo "dialects: MySQL tests run ($$LOOPGO_TEST_MYSQL_URL)"; \
	  else echo "dialects: MySQL tests skipped (LOOPGO_TEST_MYSQL_URL is not set)"; fi
	@if [ -x "$${CHROMIUM:-/usr/bin/chromium}" ]; then echo "browser: the explorer test runs in $${CHROMIUM:-/usr/bin/chromium}"; \
	  else echo "browser: the explorer test (TestExplorerInBrowser) is SKIPPED: no chromium at $${CHROMIUM:-/usr/bin/chromium} (apt-get install chromium)"; fi
	$(GO) test -race -count=1 -timeout 15m ./...

# The ready app's OpenAPI 3.1 document, written to a file (OPENAPI_OUT; .yaml for YAML); the
# running app serves the same at /api/openapi.json and the explorer at /explorer.
OPENAPI_OUT ?= bin/openapi.json
openapi:
	@mkdir -p $(dir $(OPENAPI_OUT))
	$(GO) run . openapi $(OPENAPI_OUT)
	@echo "wrote $(OPENAPI_OUT)"

# Regenerates committed generated code (the OpenAPI client of examples/notesclient).
generate:
	$(GO) generate ./...

# A longer fuzzing run of the filter parser (the seed corpus already runs in `make test`).
FUZZTIME ?= 3m
fuzz:
	$(GO) test ./framework/filter -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME)

# Benchmarks: each generated endpoint beside a hand-written Echo+GORM handler; prints ratios.
bench:
	$(GO) test ./framework -run '^$$' -bench . -benchtime 3s -count 1

# Over real HTTP: the ready app's binary against a careful hand-written Echo+GORM server on one
# seeded SQLite database, interleaved rounds, req/s, p50/p99, CPU per request and the ratios
# (about 2 minutes; not part of `make test`). BENCH_HTTP_FLAGS="-rounds 8 -duration 3s" for more.
bench-http:
	$(GO) run ./bench/http $(BENCH_HTTP_FLAGS)

# The store's read paths in-process (SQLite): ns, bytes and allocations per read; allocations
# are the figure that does not move with the machine's load.
bench-store:
	$(GO) test ./framework/store -run '^$$' -bench Read -benchmem -count 1

clean:
	rm -rf bin data
