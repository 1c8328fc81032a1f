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

# Tools some tests drive: headless Chromium opens lab grade's HTML page and
# xmllint checks JUnit output against its schema. Installed where this
# machine allows it (Linux, root, apt); elsewhere those tests say they skip.
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v xmllint >/dev/null 2>&1 || need+=(libxml2-utils)
if ((${#need[@]})) && [[ $(uname -s) == Linux && $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
	echo "test: installing ${need[*]}" >&2
	apt-get install -y --no-install-recommends "${need[@]}" >/dev/null ||
		{ apt-get update >/dev/null && apt-get install -y --no-install-recommends "${need[@]}" >/dev/null; }
fi
if command -v chromium >/dev/null 2>&1; then export LAB_REQUIRE_CHROMIUM=1; fi
if command -v xmllint >/dev/null 2>&1; then export LAB_REQUIRE_XMLLINT=1; fi

go build -o bin/lab ./cmd/lab

# An engine answers now, so integration tests must not skip for want of one.
export LAB_REQUIRE_ENGINE=1
# Packages run one at a time: their integration tests share one engine and
# the lessons' fixed names and ports.
go test -count=1 -p 1 ./...

./bin/lab lessons lint
./bin/lab selftest
