#!/usr/bin/env bash
# dist-check.sh proves a release archive works on this machine: it builds the
# archive for this platform the way `make dist` does, verifies it against
# checksums.txt, unpacks it into an empty folder and runs the `lab` inside
# (`lab version`, `lab list`, `lab show`) with no engine and a fresh state
# folder. No Docker engine is needed. `make dist-check` runs it.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'dist-check: %s\n' "$*" >&2; }
die() {
	say "$*"
	exit 1
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go run ./testkit/dist -targets host -out "$tmp/dist" >/dev/null
archive=$(cd "$tmp/dist" && ls lab_*)
[[ $(wc -w <<<"$archive") == 1 ]] || die "expected one archive, got: $archive"

(cd "$tmp/dist" && sha256sum -c checksums.txt) >&2 || die "checksum of $archive does not match checksums.txt"

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
"$lab" list | grep -q 'docker-setup/cli' || die "lab list does not list docker-setup/cli"
"$lab" show docker-setup/cli >/dev/null || die "lab show docker-setup/cli failed"
say "ok: $archive ($(du -h "$tmp/dist/$archive" | cut -f1), lab $(du -h "$lab" | cut -f1)) verifies, unpacks and runs"
printf '%s\n' "$version" >&2
