#!/usr/bin/env bash
# standins.sh builds offline stand-ins for the images the lessons name, under
# those exact names, for machines where no registry answers.
#
# Every stand-in carries the label lab.standin=true and lab.standin.inputs, a
# hash of what it was built from; it is rebuilt only when that hash changes.
# An image of the same name without lab.standin=true is a real one (pulled on a
# machine with a registry) and is left alone.
#
# Usage: standins.sh [NAME...]   (default: every stand-in; NAMEs: hello-world)
#
# Adding a stand-in: write build_NAME (it computes its inputs hash, returns
# early when standin_current says so, and builds with build_image), then add
# NAME to STANDINS.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=$ROOT/testkit/standins
STANDINS=(hello-world)

say() { printf 'standins: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# engine_arch is the architecture images must be built for: the engine's.
engine_arch() { docker version --format '{{.Server.Arch}}'; }

# inputs_hash DIR [EXTRA...] hashes every file under DIR (names and contents)
# plus the extra words, such as the Go version and target architecture.
inputs_hash() {
	local dir=$1 f
	shift
	{
		(cd "$dir" && find . -type f | LC_ALL=C sort | while IFS= read -r f; do
			printf '%s %s\n' "$(sha256 <"$f")" "$f"
		done)
		printf '%s\n' "$@"
	} | sha256 | cut -c1-16
}

# sha256 prints the hex SHA-256 of its input (GNU coreutils or macOS).
sha256() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum | cut -d' ' -f1
	else
		shasum -a 256 | cut -d' ' -f1
	fi
}

# standin_current REF HASH is true when REF needs no build: it is a real image,
# or a stand-in built from the same inputs.
standin_current() {
	local ref=$1 hash=$2 labels
	labels=$(docker image inspect --format '{{index .Config.Labels "lab.standin"}} {{index .Config.Labels "lab.standin.inputs"}}' "$ref" 2>/dev/null) || return 1
	case $labels in
	"true $hash")
		say "$ref: up to date"
		return 0
		;;
	true\ *) return 1 ;;
	*)
		say "$ref: a real image is present; leaving it alone"
		return 0
		;;
	esac
}

# build_image REF HASH CONTEXT builds CONTEXT's Dockerfile as REF, recording HASH.
build_image() {
	local ref=$1 hash=$2 ctx=$3 log old
	old=$(docker image inspect --format '{{.Id}}' "$ref" 2>/dev/null) || old=
	log=$(mktemp)
	if ! docker build -q --build-arg "LAB_STANDIN_INPUTS=$hash" -t "$ref" "$ctx" >"$log" 2>&1; then
		cat "$log" >&2
		rm -f "$log"
		die "building $ref failed"
	fi
	rm -f "$log"
	if [[ -n $old && $old != "$(docker image inspect --format '{{.Id}}' "$ref")" ]]; then
		remove_chain "$old"
	fi
	say "$ref: built (inputs $hash)"
}

# remove_chain ID removes the untagged stand-in a rebuild replaced, and the
# legacy builder's intermediate images under it; whatever another image or a
# container still uses stays.
remove_chain() {
	local id=$1 chain=()
	while [[ -n $id ]]; do
		chain+=("$id")
		id=$(docker image inspect --format '{{.Parent}}' "$id" 2>/dev/null) || id=
	done
	for id in "${chain[@]}"; do
		docker rmi "$id" >/dev/null 2>&1 || return 0
	done
}

# go_static OUT PKGDIR builds a static Linux binary for the engine's architecture.
go_static() {
	local out=$1 pkg=$2
	(cd "$ROOT" && CGO_ENABLED=0 GOOS=linux GOARCH=$ARCH go build -trimpath -ldflags '-s -w' -o "$out" "$pkg")
}

build_hello-world() {
	local ref=hello-world:latest src=$DIR/hello-world hash ctx
	hash=$(inputs_hash "$src" "$(go env GOVERSION)" "$ARCH")
	standin_current "$ref" "$hash" && return 0
	ctx=$(mktemp -d)
	go_static "$ctx/hello" ./testkit/standins/hello-world
	cp "$src/Dockerfile" "$ctx/Dockerfile"
	build_image "$ref" "$hash" "$ctx"
	rm -rf "$ctx"
}

main() {
	docker info >/dev/null 2>&1 || die "no Docker engine answers; run testkit/engine.sh first"
	ARCH=$(engine_arch)
	local names=("$@") name
	((${#names[@]})) || names=("${STANDINS[@]}")
	for name in "${names[@]}"; do
		declare -F "build_$name" >/dev/null || die "no stand-in named $name (have: ${STANDINS[*]})"
		"build_$name"
	done
}

main "$@"
