# Loopgo: `make run` serves the ready app on :3000 (SQLite under data/); `make test` runs every test.
GO ?= go
export CGO_ENABLED = 1

.PHONY: run build test vet fuzz bench bench-http clean

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
	$(GO) test -race -count=1 -timeout 15m ./...

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

clean:
	rm -rf bin data
