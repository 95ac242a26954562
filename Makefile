# Loopgo: `make run` serves the ready app on :3000 (SQLite under data/; `go run . --help` lists its
# other commands); `make test` runs every test, the generator's too (framework/scaffold writes a
# project with `loopgo new`, then builds, tests and serves it offline).
GO ?= go
export CGO_ENABLED = 1

.PHONY: run build test vet fuzz bench clean

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

clean:
	rm -rf bin data
