#!/usr/bin/env bash
# Runs every Go fuzz target in the repository for a short time each
# (FUZZTIME, 10s by default). The seed corpora already run with every
# `go test`; this looks for new inputs past them.
#
# Go before 1.27 can fail a target with a bare "context deadline exceeded"
# when -fuzztime ends while a worker is still busy (go.dev/issue/75804); no
# failing input is written then. Such a run is tried once more; a target
# that writes a failing input, or fails twice, fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-10s}
status=0

# corpus DIR NAME lists the failing inputs saved for one target.
corpus() { ls "$1/testdata/fuzz/$2" 2>/dev/null | sort || true; }

# fuzz DIR NAME runs one target; 0 passed, 1 failed with a saved input or
# another error, 2 failed on the coordinator's deadline with nothing saved.
fuzz() {
	local dir=$1 name=$2 before out rc=0
	before=$(corpus "$dir" "$name")
	out=$(mktemp)
	go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$dir" 2>&1 | tee "$out" || rc=$?
	if ((rc == 0)); then rm -f "$out"; return 0; fi
	if [[ $(corpus "$dir" "$name") == "$before" ]] && grep -q '^    context deadline exceeded$' "$out"; then
		rm -f "$out"
		return 2
	fi
	rm -f "$out"
	return 1
}

while IFS= read -r file; do
	dir=./$(dirname "$file")
	for name in $(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$file"); do
		echo "fuzz: $dir $name ($fuzztime)"
		rc=0
		fuzz "$dir" "$name" || rc=$?
		if ((rc == 2)); then
			echo "fuzz: $dir $name stopped on the fuzzing deadline with no failing input (go.dev/issue/75804); trying once more" >&2
			rc=0
			fuzz "$dir" "$name" || rc=$?
		fi
		if ((rc != 0)); then
			echo "fuzz: $dir $name failed; any failing input is under $dir/testdata/fuzz/$name" >&2
			status=1
		fi
	done
done < <(grep -rl --include='*_test.go' '^func Fuzz' --exclude-dir=.git . | sed 's|^\./||' | sort)
exit $status
