#!/usr/bin/env bash
# dist-check.sh proves the release builds: it builds the archives for every
# platform `make dist` builds (DIST_TARGETS=host for this machine's alone),
# verifies them against checksums.txt, then unpacks this machine's archive into
# an empty folder and runs the `lab` inside (`lab version`, `lab list`,
# `lab show`, `lab next`) with no engine and a fresh state folder. No Docker
# engine is needed. `make dist-check` runs it.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'dist-check: %s\n' "$*" >&2; }
die() {
	say "$*"
	exit 1
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

targets=${DIST_TARGETS:-linux/amd64,linux/arm64,darwin/amd64,darwin/arm64,windows/amd64,windows/arm64}
say "building release archives for $targets"
go run ./testkit/dist -targets "$targets" -out "$tmp/dist" >/dev/null
(cd "$tmp/dist" && sha256sum -c checksums.txt) >&2 || die "an archive does not match checksums.txt"
if [[ $targets != host ]]; then
	built=$(cd "$tmp/dist" && ls lab_* | wc -l)
	want=$(tr ',' '\n' <<<"$targets" | wc -l)
	((built == want)) || die "expected $want archives, got $built: $(ls "$tmp/dist")"
fi

host=$(go env GOOS)_$(go env GOARCH)
archive=$(cd "$tmp/dist" && ls lab_* | grep -F "_${host}." || true)
[[ $(wc -w <<<"$archive") == 1 ]] || die "expected one archive for $host, got: $archive"

mkdir "$tmp/unpacked"
case $archive in
*.tar.gz) tar -xzf "$tmp/dist/$archive" -C "$tmp/unpacked" ;;
*.zip) unzip -q "$tmp/dist/$archive" -d "$tmp/unpacked" ;;
*) die "unknown archive type: $archive" ;;
esac
for f in README.md lab; do
	[[ -e $tmp/unpacked/$f || -e $tmp/unpacked/$f.exe ]] || die "$archive holds no $f"
done
lab=$tmp/unpacked/lab
[[ -x $lab ]] || die "$archive's lab is not executable"

export LAB_HOME=$tmp/state LAB_WORKSPACE=$tmp/ws NO_COLOR=1 DOCKER_HOST=unix:///tmp/no-engine.sock
version=$("$lab" version) || die "lab version failed"
grep -q '^lab [^ ]' <<<"$version" || die "lab version printed no version: $version"
grep -q '^commit: [0-9a-f]' <<<"$version" || die "lab version printed no commit: $version"
want=$(git describe --tags --always --dirty)
grep -q "^lab $want\$" <<<"$version" || die "lab version says $(head -1 <<<"$version"), git describe says $want"
# Outputs are read whole before grep: grep -q stops reading at the first
# match, and lab, writing on, would fail on the closed pipe.
out=$("$lab" list) || die "lab list failed"
grep -q 'docker-setup/cli' <<<"$out" || die "lab list does not list docker-setup/cli: $out"
"$lab" show docker-setup/cli >/dev/null || die "lab show docker-setup/cli failed"
# The first lab next shows the first step; the second checks it for real.
# That step needs only the docker command, so it passes where docker is.
out=$("$lab" next) || die "lab next failed"
grep -q 'docker-setup/cli' <<<"$out" || die "lab next does not show docker-setup/cli: $out"
if command -v docker >/dev/null; then
	out=$("$lab" next 2>&1) || die "lab next failed docker-setup/cli with docker on PATH: $out"
	grep -q '✓ docker-setup/cli' <<<"$out" || die "lab next did not pass docker-setup/cli: $out"
fi
say "ok: $archive ($(du -h "$tmp/dist/$archive" | cut -f1), lab $(du -h "$lab" | cut -f1)) verifies, unpacks and runs"
printf '%s\n' "$version" >&2
