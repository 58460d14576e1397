# tgc: `make run` compiles and runs the default sample; `make test` runs every test.
SWIFT ?= swift
SAMPLE ?= samples/hello.swiftdsl
TGC := .build/debug/tgc

.PHONY: all build run test test-swift test-runtime clean

all: build

build:
	$(SWIFT) build --product tgc

## Compile the default sample to a native binary through the C backend and run it.
run: build
	$(TGC) run $(SAMPLE)

## Every test: the C runtime's tests (plain and sanitized) and the Swift suites (unit,
## golden samples in both modes, cross-backend, gradient checks, diagnostics).
## Ends with one line "N passed, N failed".
test:
	@bash Tests/scripts/run-all-tests.sh

test-runtime:
	$(MAKE) -C runtime test

test-swift:
	$(SWIFT) test

clean:
	rm -rf .build runtime/build

## Reliability: fuzz the front end for SECONDS (default 60); run N random programs on the
## interpreter and on generated C and compare (default 10000).
SECONDS_ ?= 60
N ?= 10000
.PHONY: fuzz difftest
fuzz:
	$(SWIFT) build --product tgc-stress
	.build/debug/tgc-stress fuzz --seconds $(or $(SECONDS),$(SECONDS_))

difftest:
	$(SWIFT) build --product tgc-stress
	.build/debug/tgc-stress difftest --count $(N)
