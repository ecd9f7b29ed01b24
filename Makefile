# Tollgate: `make run` starts everything (`make cluster`: on a three-server NATS cluster), `make test` runs every test, `make api-check` tries the
# running system against its own API document, `make bench` measures.
.PHONY: run cluster build release test api-check bench deps clean-data

deps:
	@.ci/install-deps

build: deps
	swift build

release: deps
	swift build -c release

run: release
	@.ci/launch

# Three NATS servers (JetStream R3, routes authenticated), PostgreSQL and two instances of every service.
cluster: release
	@.ci/launch --cluster

test: deps
	@.ci/install-deps --test
	swift build --build-tests
	@# Tests kill their nats-servers at exit; a crashed test process cannot, so orphans are reaped here.
	@# Every end-to-end test runs five services in this process; on a 2-core machine more than six
	@# tests at once starve each other's timings (the refresh race then times out at the gateway).
	@# The node-loss test runs `make cluster` (thirteen processes) and times its recovery: it runs
	@# alone afterwards, so that the other tests' load neither slows it nor is slowed by it.
	SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=$${SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH:-6} swift test --skip NodeLossTests; status=$$?; \
	  swift test --skip-build --filter NodeLossTests; alone=$$?; \
	  pkill -P 1 -f 'nats-server .*tollgate-nats-' || true; [ $$status = 0 ] && [ $$alone = 0 ]

api-check: deps
	@.ci/install-deps --api-check
	swift build
	@.ci/api-check

bench: deps
	@.ci/install-deps --bench
	swift build -c release
	@.ci/bench

clean-data:
	rm -rf .data
