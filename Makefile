# Targets for building and testing lab. `make test` is the test command CI runs.
GO ?= go

.PHONY: build test engine standins fuzz lint clean bench bench-startup dist dist-check cross-vet

# The version, commit and date `lab version` shows, as the release build stamps them.
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
DATE := $(shell git log -1 --format=%cI 2>/dev/null)
APP := github.com/lab-workshop/lab/cmd/lab/app
LDFLAGS ?= -s -w -X $(APP).version=$(VERSION) -X $(APP).commit=$(COMMIT) -X $(APP).date=$(DATE)

# Static, stripped and stamped like a release build.
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/lab ./cmd/lab

# Release archives for linux, darwin and windows on amd64 and arm64, and
# checksums.txt, in dist/ (TARGETS=linux/amd64,... or host for fewer).
TARGETS ?= linux/amd64,linux/arm64,darwin/amd64,darwin/arm64,windows/amd64,windows/arm64
dist:
	$(GO) run ./testkit/dist -out dist -targets $(TARGETS)

# This machine's archive verifies against its checksum, unpacks and runs.
dist-check:
	bash testkit/dist-check.sh

# go vet for the platforms CI does not run on.
cross-vet:
	GOOS=darwin GOARCH=arm64 $(GO) vet ./...
	GOOS=windows GOARCH=amd64 $(GO) vet ./...

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
	rm -rf bin dist

# Speed and memory figures against lab's targets (needs an engine and the images).
bench: build
	$(GO) test -run xxx -bench Grade ./internal/grade/
	$(GO) run ./testkit/bench -lab bin/lab

# Start-up of lab list/show/hint beside docker --version, peak RSS and binary
# size; needs no engine.
bench-startup: build
	$(GO) run ./testkit/bench -startup -lab bin/lab

# A kind node image (Kubernetes v1.37.2) built offline, for CI without a registry.
.PHONY: node-image
node-image:
	bash testkit/node-image.sh
