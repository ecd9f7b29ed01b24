# Tollgate: `make run` starts everything, `make test` runs every test, `make bench` measures.
.PHONY: run build release test bench deps clean-data

deps:
	@.ci/install-deps

build: deps
	swift build

release: deps
	swift build -c release

run: release
	@.ci/launch

test: deps
	@.ci/install-deps --test
	swift build --build-tests
	swift test

bench: deps
	@.ci/install-deps --bench
	swift build -c release
	@.ci/bench

clean-data:
	rm -rf .data
