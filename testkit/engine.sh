#!/usr/bin/env bash
# engine.sh makes a working, current Docker engine reachable through `docker`.
#
# When `docker info` already answers from a current engine and `docker compose`
# works, it only reports what it found. Otherwise, on Linux as root with apt, it
# provisions one from Debian packages and Go modules, each build cached by its
# inputs so a second run rebuilds nothing:
#
#   - apt: docker.io (for containerd, iptables, tini), libseccomp-dev and a C
#     toolchain. Debian's own dockerd (20.10) is kept from running: it cannot
#     start privileged containers in some sandboxes, and kind nodes are
#     privileged.
#   - dockerd and docker-proxy from github.com/moby/moby/v2, runc (with seccomp)
#     from github.com/opencontainers/runc, installed into $LAB_TESTKIT_CACHE/bin.
#   - the Compose v2 CLI plugin from github.com/docker/compose/v5, when
#     `docker compose version` fails.
#
# It then starts dockerd in the background (log in $LAB_DOCKERD_LOG), waits for
# it, and proves that a privileged container runs and that a published
# loopback port answers.
#
# Anywhere else (not Linux, not root, no apt) it prints what to install and
# exits 3, the project's "environment error" code.
#
# Environment:
#   LAB_TESTKIT_CACHE   build cache and binaries (default /var/cache/lab-testkit)
#   LAB_DOCKERD_LOG     dockerd log file (default /var/log/lab-dockerd.log)
#   LAB_ENGINE_WAIT     seconds to wait for dockerd to answer (default 60)
set -euo pipefail

CACHE=${LAB_TESTKIT_CACHE:-/var/cache/lab-testkit}
BIN=$CACHE/bin
STAMPS=$CACHE/stamps
LOG=${LAB_DOCKERD_LOG:-/var/log/lab-dockerd.log}
WAIT=${LAB_ENGINE_WAIT:-60}

MOBY_MODULE=github.com/moby/moby/v2
MOBY_VERSION=v2.0.0-beta.24
RUNC_MODULE=github.com/opencontainers/runc
RUNC_VERSION=v1.5.2
RUNC_TAGS=seccomp
COMPOSE_MODULE=github.com/docker/compose/v5
# v5.7+ declares go 1.26.10; v5.6.0 is the newest release that builds with the
# project's Go 1.26.8. A module that needs a newer Go than the local one is
# built with COMPOSE_TOOLCHAIN, which the Go module proxy serves.
COMPOSE_VERSION=v5.6.0
COMPOSE_TOOLCHAIN=go1.27.3
PLUGIN_DIR=/usr/local/lib/docker/cli-plugins

# An engine older than this counts as "not current" where this script can
# provision a newer one; elsewhere any engine from 20.10 on is accepted.
CURRENT_MAJOR=25

APT_PACKAGES=(docker.io containerd iptables libseccomp-dev gcc libc6-dev pkg-config curl ca-certificates)

say() { printf 'engine: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# limit SECONDS CMD... bounds a docker call where coreutils' timeout exists
# (macOS lacks it; there the call runs unbounded).
limit() {
	if command -v timeout >/dev/null 2>&1; then
		timeout "$@"
	else
		shift
		"$@"
	fi
}

# server_version prints the engine's version, or fails when no engine answers.
server_version() {
	local v
	v=$(limit 20 docker version --format '{{.Server.Version}}' 2>/dev/null) || return 1
	[[ -n $v ]] || return 1
	printf '%s\n' "$v"
}

major_of() { local v=${1#v}; printf '%s\n' "${v%%.*}"; }

compose_ok() { limit 20 docker compose version >/dev/null 2>&1; }

can_provision() {
	[[ $(uname -s) == Linux ]] || return 1
	[[ $(id -u) == 0 ]] || return 1
	command -v apt-get >/dev/null 2>&1 || return 1
	command -v dpkg-query >/dev/null 2>&1 || return 1
	# Only the local default socket is ours to serve.
	case ${DOCKER_HOST:-unix:///var/run/docker.sock} in
	unix:///var/run/docker.sock | unix:///run/docker.sock) ;;
	*) return 1 ;;
	esac
	[[ -z ${DOCKER_CONTEXT:-} || ${DOCKER_CONTEXT} == default ]] || return 1
}

print_install_help() {
	local what=$1
	cat >&2 <<EOF
engine: $what, and this script provisions one only on Linux as root with apt.
engine: install for this machine:
  - Docker Engine 20.10 or newer (Linux: https://docs.docker.com/engine/install/)
    or Docker Desktop (macOS, Windows: https://docs.docker.com/desktop/);
    Colima, OrbStack, Rancher Desktop or Podman's Docker socket work too.
  - Docker Compose v2, the "docker compose" CLI plugin (part of Docker Desktop;
    on Linux the docker-compose-plugin package).
  Then start the engine and check with: docker info && docker compose version
  (on Linux without root: add yourself to the "docker" group, or use rootless Docker).
EOF
	exit 3
}

report() {
	local info compose
	info=$(limit 20 docker info --format 'Docker Engine {{.ServerVersion}} ({{.OSType}}/{{.Architecture}}, storage {{.Driver}}, cgroup v{{.CgroupVersion}}, runc {{.RuncCommit.ID}})' 2>/dev/null) || info="no engine"
	compose=$(limit 20 docker compose version --short 2>/dev/null) || compose="missing"
	say "$info"
	say "API $(limit 20 docker version --format '{{.Server.APIVersion}}' 2>/dev/null || echo '?'), Compose $compose"
}

# stamp_ok NAME WANT BINARY... is true when every binary exists and NAME's
# stamp holds exactly WANT.
stamp_ok() {
	local name=$1 want=$2 f
	shift 2
	for f in "$@"; do [[ -x $f ]] || return 1; done
	[[ -f $STAMPS/$name && $(cat "$STAMPS/$name") == "$want" ]]
}

write_stamp() { mkdir -p "$STAMPS" && printf '%s\n' "$2" >"$STAMPS/$1"; }

module_dir() { go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p'; }

# go_needs PATH_TO_GO_MOD is true when that module declares a newer Go than ours.
go_needs_newer() {
	local want have
	want=$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$1" | sed -n 1p)
	have=$(go env GOVERSION)
	have=${have#go}
	[[ -n $want && $want != "$have" && $(printf '%s\n%s\n' "$want" "$have" | sort -V | tail -n1) == "$want" ]]
}

apt_install() {
	local missing=() p t0=$SECONDS
	for p in "${APT_PACKAGES[@]}"; do
		dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	if ((${#missing[@]} == 0)); then
		say "apt packages present"
		return
	fi
	say "installing ${missing[*]}"
	# Keep package scripts from starting Debian's dockerd while they install.
	local own_policy=
	if [[ ! -e /usr/sbin/policy-rc.d ]]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		own_policy=1
	fi
	local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -y -q)
	local ok=
	if apt-cache policy "${missing[@]}" 2>/dev/null | grep -q 'Candidate: (none)' ||
		[[ -z $(apt-cache policy docker.io 2>/dev/null | sed -n 's/.*Candidate: //p') ]]; then
		"${apt[@]}" update >/dev/null
	fi
	"${apt[@]}" install --no-install-recommends "${missing[@]}" >/dev/null && ok=1
	if [[ -z $ok ]]; then
		say "install failed; refreshing package lists and retrying"
		"${apt[@]}" update >/dev/null
		"${apt[@]}" install --no-install-recommends "${missing[@]}" >/dev/null && ok=1
	fi
	[[ -n $own_policy ]] && rm -f /usr/sbin/policy-rc.d
	[[ -n $ok ]] || die "apt-get install ${missing[*]} failed"
	say "apt packages installed in $((SECONDS - t0))s"
}

systemd_running() { [[ -d /run/systemd/system ]]; }

# keep_debian_dockerd_off stops and disables the dockerd that docker.io ships,
# so the engine built here is the one that serves /var/run/docker.sock.
keep_debian_dockerd_off() {
	if systemd_running; then
		systemctl disable --now docker.socket docker.service >/dev/null 2>&1 || true
	else
		if [[ -x /etc/init.d/docker ]]; then
			/etc/init.d/docker stop >/dev/null 2>&1 || true
		fi
		if command -v update-rc.d >/dev/null 2>&1 && [[ -e /etc/init.d/docker ]]; then
			update-rc.d docker disable >/dev/null 2>&1 || true
		fi
	fi
	local pid
	for pid in $(pgrep -x dockerd || true); do
		if [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == /usr/sbin/dockerd ]]; then
			say "stopping Debian's dockerd (pid $pid)"
			kill "$pid" 2>/dev/null || true
			wait_gone "$pid"
		fi
	done
}

wait_gone() {
	local pid=$1 i
	for ((i = 0; i < 30; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 1
	done
	kill -9 "$pid" 2>/dev/null || true
}

build_moby() {
	local want
	want="$MOBY_MODULE@$MOBY_VERSION $(go env GOVERSION) cgo=$(go env CGO_ENABLED)"
	if stamp_ok moby "$want" "$BIN/dockerd" "$BIN/docker-proxy"; then
		say "dockerd, docker-proxy: cached ($MOBY_VERSION)"
		return
	fi
	say "building dockerd, docker-proxy from $MOBY_MODULE@$MOBY_VERSION (a few minutes)"
	local t0=$SECONDS dir release pkg=$MOBY_MODULE/dockerversion out=$CACHE/tmp/moby
	dir=$(module_dir "$MOBY_MODULE@$MOBY_VERSION")
	# Report the Docker release this module version is cut for, and keep the
	# module version visible as the engine's git commit.
	release=$(sed -n 's/^[[:space:]]*last: "\{0,1\}\([0-9][0-9.]*\)"\{0,1\}$/\1/p' "$dir/releases/versions.yaml" 2>/dev/null | sed -n 1p)
	release=${release:-$MOBY_VERSION}
	rm -rf "$out" && mkdir -p "$out"
	GOBIN=$out go install -trimpath -ldflags "-X $pkg.Version=$release -X $pkg.GitCommit=moby-$MOBY_VERSION -X $pkg.BuildTime=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
		"$MOBY_MODULE/cmd/dockerd@$MOBY_VERSION" "$MOBY_MODULE/cmd/docker-proxy@$MOBY_VERSION"
	mkdir -p "$BIN"
	mv -f "$out/dockerd" "$out/docker-proxy" "$BIN/"
	write_stamp moby "$want"
	say "dockerd, docker-proxy: built in $((SECONDS - t0))s"
}

build_runc() {
	local want
	want="$RUNC_MODULE@$RUNC_VERSION $(go env GOVERSION) tags=$RUNC_TAGS"
	if stamp_ok runc "$want" "$BIN/runc"; then
		say "runc: cached ($RUNC_VERSION)"
		return
	fi
	say "building runc from $RUNC_MODULE@$RUNC_VERSION (tags $RUNC_TAGS)"
	local t0=$SECONDS out=$CACHE/tmp/runc
	rm -rf "$out" && mkdir -p "$out"
	if ! CGO_ENABLED=1 GOBIN=$out go install -trimpath -tags "$RUNC_TAGS" -ldflags "-X main.gitCommit=$RUNC_VERSION" "$RUNC_MODULE@$RUNC_VERSION"; then
		# go install refuses modules with replace directives; build a copy.
		say "go install refused runc; building from a copy of the module"
		local dir src=$CACHE/tmp/runc-src
		dir=$(module_dir "$RUNC_MODULE@$RUNC_VERSION")
		rm -rf "$src" && cp -r "$dir" "$src" && chmod -R u+w "$src"
		(cd "$src" && CGO_ENABLED=1 go build -trimpath -tags "$RUNC_TAGS" -ldflags "-X main.gitCommit=$RUNC_VERSION" -o "$out/runc" .)
		rm -rf "$src"
	fi
	mkdir -p "$BIN"
	mv -f "$out/runc" "$BIN/runc"
	write_stamp runc "$want"
	say "runc: built in $((SECONDS - t0))s"
}

# build_compose installs the Compose v2 CLI plugin. Its go.mod may carry
# replace directives, which `go install mod@version` refuses, so it is built
# from a writable copy of the downloaded module.
build_compose() {
	if compose_ok; then
		say "docker compose: $(docker compose version --short 2>/dev/null)"
		return
	fi
	local want
	want="$COMPOSE_MODULE@$COMPOSE_VERSION $(go env GOVERSION)"
	if stamp_ok compose "$want" "$BIN/docker-compose"; then
		say "docker compose: cached ($COMPOSE_VERSION)"
	else
		say "building docker compose from $COMPOSE_MODULE@$COMPOSE_VERSION (a few minutes)"
		local t0=$SECONDS dir src=$CACHE/tmp/compose-src toolchain=
		dir=$(module_dir "$COMPOSE_MODULE@$COMPOSE_VERSION")
		[[ -n $dir ]] || die "downloading $COMPOSE_MODULE@$COMPOSE_VERSION failed"
		go_needs_newer "$dir/go.mod" && toolchain=$COMPOSE_TOOLCHAIN
		rm -rf "$src" && cp -r "$dir" "$src" && chmod -R u+w "$src"
		(cd "$src" && GOFLAGS="" GOTOOLCHAIN=${toolchain:-$(go env GOTOOLCHAIN)} CGO_ENABLED=0 go build -trimpath \
			-ldflags "-w -s -X $COMPOSE_MODULE/internal.Version=$COMPOSE_VERSION" -o "$src/docker-compose" ./cmd)
		mkdir -p "$BIN"
		mv -f "$src/docker-compose" "$BIN/docker-compose"
		rm -rf "$src"
		write_stamp compose "$want"
		say "docker compose: built in $((SECONDS - t0))s"
	fi
	mkdir -p "$PLUGIN_DIR"
	install -m 755 "$BIN/docker-compose" "$PLUGIN_DIR/docker-compose"
	compose_ok || die "docker compose version fails after installing $PLUGIN_DIR/docker-compose"
	say "docker compose: $(docker compose version --short)"
}

# stop_engine stops an engine that is not current, when it is one this script
# may stop: Debian's, or an earlier one of ours.
stop_engine() {
	keep_debian_dockerd_off
	local pid
	for pid in $(pgrep -x dockerd || true); do
		if [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == "$BIN/dockerd" ]]; then
			kill "$pid" 2>/dev/null || true
			wait_gone "$pid"
		fi
	done
	if server_version >/dev/null; then
		die "an engine this script did not start answers on the docker socket ($(server_version)); stop it and rerun"
	fi
}

# clear_stale_pidfile removes what a killed dockerd left behind that would
# stop a new one from starting: a pid file naming a process that is gone, a
# zombie not yet reaped, or an unrelated process that reused the pid. A dockerd
# of ours that is alive but does not answer is stopped.
clear_stale_pidfile() {
	local f=/var/run/docker.pid pid exe i
	[[ -f $f ]] || return 0
	pid=$(<"$f")
	if [[ ! $pid =~ ^[0-9]+$ ]]; then
		rm -f "$f"
		return
	fi
	for ((i = 0; i < 10; i++)); do
		[[ -e /proc/$pid ]] || break
		exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || exe=
		if [[ -z $exe ]]; then # a zombie: wait a little for its parent to reap it
			sleep 1
			continue
		fi
		if [[ $exe == "$BIN/dockerd" ]]; then
			say "stopping dockerd (pid $pid), which does not answer"
			kill "$pid" 2>/dev/null || true
			wait_gone "$pid"
		fi
		break
	done
	rm -f "$f"
}

start_dockerd() {
	clear_stale_pidfile
	mkdir -p "$(dirname "$LOG")"
	local args=(--userland-proxy-path="$BIN/docker-proxy")
	# A containerd already serving the system socket would be used as is, and
	# its PATH would pick whichever runc it finds; name ours explicitly then.
	if [[ -S /run/containerd/containerd.sock ]]; then
		args+=(--add-runtime "lab-runc=$BIN/runc" --default-runtime lab-runc)
	fi
	# Keep the log from growing without bound across restarts.
	if [[ -f $LOG ]] && (($(stat -c %s "$LOG") > 50 * 1024 * 1024)); then
		mv -f "$LOG" "$LOG.1"
	fi
	say "starting dockerd (log: $LOG)"
	printf '\n==== %s engine.sh starting dockerd\n' "$(date -u +%FT%TZ)" >>"$LOG"
	PATH="$BIN:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
		setsid nohup "$BIN/dockerd" "${args[@]}" >>"$LOG" 2>&1 </dev/null 9>&- &
	local pid=$! start=$SECONDS next=5
	while ((SECONDS - start < WAIT)); do
		if limit 5 docker info >/dev/null 2>&1; then
			say "dockerd (pid $pid) answered after $((SECONDS - start))s"
			return
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			say "dockerd exited; last lines of $LOG:"
			tail -n 40 "$LOG" >&2
			exit 1
		fi
		if ((SECONDS - start >= next)); then
			say "waiting for dockerd... $((SECONDS - start))s"
			next=$((next + 5))
		fi
		sleep 1
	done
	say "dockerd did not answer within ${WAIT}s; last lines of $LOG:"
	tail -n 40 "$LOG" >&2
	exit 1
}

# verify runs a privileged container and publishes a loopback port, from a
# throwaway FROM-scratch image holding a static Go program.
PROBE_IMAGE=lab-testkit-probe:latest
PROBE_NAME=lab-testkit-probe-$$
PROBE_DIR=

remove_probe() {
	docker rm -f "$PROBE_NAME" >/dev/null 2>&1 || true
	docker rmi -f "$PROBE_IMAGE" >/dev/null 2>&1 || true
	[[ -z $PROBE_DIR ]] || rm -rf "$PROBE_DIR"
}

verify() {
	local ctx image=$PROBE_IMAGE name=$PROBE_NAME
	ctx=$(mktemp -d)
	PROBE_DIR=$ctx
	trap remove_probe EXIT
	cat >"$ctx/main.go" <<'EOF'
// Command probe proves an engine can run privileged containers and publish ports.
package main

import (
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "privileged" {
		status, err := os.ReadFile("/proc/self/status")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		for _, line := range strings.Split(string(status), "\n") {
			if hex, ok := strings.CutPrefix(line, "CapEff:"); ok {
				caps, _ := strconv.ParseUint(strings.TrimSpace(hex), 16, 64)
				const capSysAdmin = 21
				fmt.Printf("CapEff %x\n", caps)
				if caps&(1<<capSysAdmin) == 0 {
					os.Exit(1)
				}
				return
			}
		}
		os.Exit(1)
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "lab-testkit-probe ok")
	})
	if err := http.ListenAndServe(":8080", nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
EOF
	printf 'module probe\n\ngo 1.22\n' >"$ctx/go.mod"
	printf 'FROM scratch\nCOPY probe /probe\nLABEL lab.testkit=true\nEXPOSE 8080\nENTRYPOINT ["/probe"]\n' >"$ctx/Dockerfile"
	local arch
	arch=$(docker version --format '{{.Server.Arch}}')
	(cd "$ctx" && GOTOOLCHAIN=local CGO_ENABLED=0 GOOS=linux GOARCH=$arch go build -trimpath -ldflags '-s -w' -o probe .)
	docker build -q -t "$image" "$ctx" >/dev/null 2>"$ctx/build.log" || {
		cat "$ctx/build.log" >&2
		die "building the probe image failed"
	}
	local caps
	caps=$(docker run --rm --privileged "$image" privileged 2>&1) ||
		die "a privileged container did not run: $caps"
	say "privileged container: ok ($caps)"
	docker run -d --name "$name" -p 127.0.0.1::8080 "$image" >/dev/null
	local hostport body="" i
	hostport=$(docker port "$name" 8080/tcp | sed -n 1p)
	for ((i = 0; i < 50; i++)); do
		body=$(curl -fsS --max-time 2 "http://$hostport/" 2>/dev/null) && break
		sleep 0.2
	done
	[[ $body == "lab-testkit-probe ok" ]] || die "published port $hostport did not answer (got: ${body:-nothing})"
	say "published port $hostport: ok"
	remove_probe
	trap - EXIT
}

# replaceable_engine is true when the dockerd serving the socket is one this
# script may stop: Debian's docker.io or one built here.
replaceable_engine() {
	local pid exe
	for pid in $(pgrep -x dockerd || true); do
		exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || continue
		[[ $exe == /usr/sbin/dockerd || $exe == "$BIN/dockerd" ]] && return 0
	done
	return 1
}

need_go() {
	command -v go >/dev/null 2>&1 && return
	die "go is not on PATH; the engine is built from Go modules (install Go $(sed -n 's/^go //p' "$(dirname "$0")/../go.mod" 2>/dev/null))"
}

# lock serialises provisioning between concurrent runs.
lock() {
	export GOFLAGS=
	mkdir -p "$CACHE"
	exec 9>"$CACHE/engine.lock"
	flock 9
}

main() {
	local version="" major
	if version=$(server_version); then
		major=$(major_of "$version")
		if ((major >= CURRENT_MAJOR)) || ! can_provision || ! replaceable_engine; then
			((major >= CURRENT_MAJOR)) ||
				say "warning: Docker Engine $version is older than $CURRENT_MAJOR.0; privileged containers (kind) may fail"
			if compose_ok; then
				report
				exit 0
			fi
			can_provision || print_install_help "Docker Compose v2 is missing"
			need_go
			lock
			build_compose
			report
			exit 0
		fi
		say "Docker Engine $version (Debian's or an earlier build) will be replaced by a current one"
	fi
	if ! can_provision; then
		local err
		err=$(limit 20 docker info 2>&1 >/dev/null | tail -n 3) || true
		[[ -n $err ]] && say "docker info: $err"
		print_install_help "no Docker engine answers"
	fi
	local installed
	installed=$(command -v dockerd || true)
	if [[ -n $installed && $installed != /usr/sbin/dockerd && $installed != "$BIN/dockerd" ]]; then
		say "a Docker Engine is installed at $installed but does not answer;"
		say "start it (systemctl start docker, or service docker start) and rerun"
		exit 3
	fi
	need_go
	lock

	local t0=$SECONDS
	apt_install
	keep_debian_dockerd_off
	build_moby
	build_runc
	build_compose
	rm -rf "$CACHE/tmp"
	sysctl -w fs.inotify.max_user_instances=512 >/dev/null 2>&1 || true
	[[ -z $version ]] || stop_engine
	start_dockerd
	verify
	report
	say "ready in $((SECONDS - t0))s"
}

# Sourcing the file (for tests of single steps) defines the functions only.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	main "$@"
fi
