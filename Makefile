# Targets for building and testing lab. `make test` is the test command CI runs.
GO ?= go

.PHONY: build test engine standins fuzz lint clean bench

build:
	$(GO) build -o bin/lab ./cmd/lab

test:
	bash testkit/test.sh

# A working, current Docker engine and Compose v2 (provisioned on Linux/root/apt).
engine:
	bash testkit/engine.sh

# Offline stand-ins for the images the lessons use.
standins:
	bash testkit/standins.sh
	bash testkit/lesson-standins.sh

# Every fuzz target for FUZZTIME (10s) each; CI runs it after the tests.
fuzz:
	bash testkit/fuzz.sh

lint:
	@unformatted="$$(gofmt -l .)"; \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

clean:
	rm -rf bin

# Speed and memory figures against lab's targets (needs an engine and the images).
bench: build
	$(GO) test -run xxx -bench Grade ./internal/grade/
	$(GO) run ./testkit/bench -lab bin/lab

# A kind node image (Kubernetes v1.37.2) built offline, for CI without a registry.
.PHONY: node-image
node-image:
	bash testkit/node-image.sh
