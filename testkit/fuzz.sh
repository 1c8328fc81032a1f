#!/usr/bin/env bash
# Runs every Go fuzz target in the repository for a short time each
# (FUZZTIME, 10s by default). The seed corpora already run with every
# `go test`; this looks for new inputs past them.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-10s}
status=0
while IFS= read -r file; do
	dir=./$(dirname "$file")
	for name in $(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$file"); do
		echo "fuzz: $dir $name ($fuzztime)"
		if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$dir"; then
			echo "fuzz: $dir $name failed; the failing input is under $dir/testdata/fuzz/$name" >&2
			status=1
		fi
	done
done < <(grep -rl --include='*_test.go' '^func Fuzz' --exclude-dir=.git . | sed 's|^\./||' | sort)
exit $status
