#!/usr/bin/env bash
# test.sh is what `make test` runs, the README's test command: it makes sure a
# Docker engine answers (provisioning one where testkit/engine.sh can, saying
# what to install elsewhere), builds the stand-in images the lessons need where
# no registry answers, then builds lab and runs every test tier: unit, CLI
# scripts and integration tests against the real engine, then the lab's kind
# cluster made and removed through lab's own code, `lab selftest` of every
# lesson and of the drills course in examples/, the whole course walked in order as a learner takes it, and a
# release archive for this machine. Before the selftest, every image the
# course uses leaves the engine and comes back from a lab bundle.
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

# The kind lessons need kind, kubectl and a node image. Where stand-ins are
# built (Linux, root, apt) the test kit builds the node image offline and
# installs kind and kubectl, and every cluster is made from that image; where
# a registry answers instead, kind pulls its published node image and both
# tools must be installed.
STANDIN_NODE=0
if [[ $(uname -s) == Linux && $(id -u) == 0 && ${LAB_STANDINS_PULL:-} != 1 ]] && command -v apt-get >/dev/null 2>&1; then
	bash testkit/node-image.sh
	LAB_NODE_IMAGE=${LAB_NODE_IMAGE:-$(bash testkit/node-image.sh --print-ref)}
	export LAB_NODE_IMAGE
	STANDIN_NODE=1
fi
for tool in kind kubectl; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "test: $tool is not installed; the kind lessons need it: https://kind.sigs.k8s.io/docs/user/quick-start/#installation, https://kubernetes.io/docs/tasks/tools/" >&2
		exit 1
	}
done

go build -o bin/lab ./cmd/lab

# An engine answers now, so integration tests must not skip for want of one,
# nor, where the node image was built, cluster tests for want of it.
export LAB_REQUIRE_ENGINE=1
if ((STANDIN_NODE)); then export LAB_REQUIRE_CLUSTER=1; fi
# Packages run one at a time: their integration tests share one engine and
# the lessons' fixed names and ports.
go test -count=1 -p 1 -timeout 45m ./...
# Every fuzz target for a short time past its seeds.
bash testkit/fuzz.sh

# The lessons' cluster, made by lab itself: up, in-cluster DNS (a pod
# resolves a Service name), status, down, and nothing of it left.
./bin/lab cluster up
if ((STANDIN_NODE)); then
	bash testkit/node-image.sh --prove-dns lab
fi
./bin/lab cluster status
./bin/lab cluster down
rc=0
./bin/lab cluster status >/dev/null || rc=$?
if ((rc != 1)); then
	echo "test: lab cluster status exited $rc after lab cluster down; 1 (absent) expected" >&2
	exit 1
fi

./bin/lab lessons lint

# A room with no registry: every image the course uses, the kind node image
# included, goes into one bundle and leaves the engine; a changed bundle is
# refused before anything is loaded; the bundle loads the images back, and
# the selftest below runs every lesson on them.
bundle_dir=$(mktemp -d)
./bin/lab bundle save "$bundle_dir/course.bundle"
mapfile -t bundled < <(./bin/lab bundle show -q "$bundle_dir/course.bundle")
cp "$bundle_dir/course.bundle" "$bundle_dir/changed.bundle"
printf 'x' | dd of="$bundle_dir/changed.bundle" bs=1 seek=$(($(stat -c %s "$bundle_dir/changed.bundle") / 2)) conv=notrunc status=none
rc=0
LAB_HOME=$bundle_dir/home ./bin/lab bundle load "$bundle_dir/changed.bundle" || rc=$?
if ((rc != 3)); then
	echo "test: lab bundle load of a changed bundle exited $rc; 3 (refused) expected" >&2
	exit 1
fi
docker image rm "${bundled[@]}" >/dev/null
LAB_HOME=$bundle_dir/home ./bin/lab bundle load "$bundle_dir/course.bundle"
docker image inspect "${bundled[@]}" >/dev/null
rm -rf "$bundle_dir"
./bin/lab selftest

# The second course, written with no Go: its lint, and its selftest twice,
# so a check whose verdict changes between runs is reported as flaky.
./bin/lab --lessons examples/drills lessons lint
./bin/lab --lessons examples/drills selftest --repeat 2

# The whole course in order, as a learner takes it, then lab verify all.
go run ./testkit/walk -lab bin/lab

# Release archives for every platform build and verify; this machine's
# unpacks to a lab that runs. go vet for the platforms CI does not run on.
bash testkit/dist-check.sh
make cross-vet
