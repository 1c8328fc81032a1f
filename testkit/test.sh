#!/usr/bin/env bash
# test.sh is what `make test` runs, the README's test command: it makes sure a
# Docker engine answers (provisioning one where testkit/engine.sh can, saying
# what to install elsewhere), builds the stand-in images the lessons need where
# no registry answers, then builds lab and runs every test tier: unit, CLI
# scripts and integration tests against the real engine, then `lab selftest`
# of every lesson.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! docker info >/dev/null 2>&1; then
	bash testkit/engine.sh
fi
bash testkit/standins.sh
if [[ -f testkit/lesson-standins.sh ]]; then
	bash testkit/lesson-standins.sh
fi

go build -o bin/lab ./cmd/lab

# An engine answers now, so integration tests must not skip for want of one.
export LAB_REQUIRE_ENGINE=1
# Packages run one at a time: their integration tests share one engine and
# the lessons' fixed names and ports.
go test -count=1 -p 1 ./...

./bin/lab lessons lint
./bin/lab selftest
