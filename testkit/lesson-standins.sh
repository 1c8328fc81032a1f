#!/usr/bin/env bash
# lesson-standins.sh builds offline stand-ins for the images lessons 2-5 use,
# under the exact names the lessons use, for machines where no registry
# answers (see testkit/standins/README.md):
#
#   lab-standin/debian-rootfs:bookworm  debootstrap --variant=minbase, imported
#   lab-standin/debian:bookworm         + this machine's apt mirror and extra CAs
#   nginx (course var nginx_image)      Debian's nginx, laid out like the official image
#   node (course var node_image)        Node.js's official Linux binary and npm, both
#                                       from the npm registry, on the Debian base
#   mongo (course var mongo_image)      FerretDB (SQLite backend) behind a mongod wrapper
#   registry (course var registry_image) the distribution registry
#
# The image names and tags are the course's own, read from the vars of
# lessons/course/course.yaml, so a new pin there is a new stand-in here.
#
# Every stand-in carries the labels lab.standin=true and lab.standin.inputs, a
# hash of what it was built from (files, versions, its base's hash); it is
# rebuilt only when that hash changes. An image of the same name without
# lab.standin=true is a real one and is left alone. The base is built only
# when an image on top of it needs building.
#
# After a build each image is proven to work (a page served, `npm ci` of the
# sample app, a MongoDB document surviving a restart, a push whose digest
# matches); an image that fails its proof is removed again. --check runs the
# proofs for images that were already up to date too. The registry proof
# pushes hello-world, so build that first (testkit/standins.sh hello-world).
#
# Usage: lesson-standins.sh [--check] [NAME...]
#        NAMEs: debian nginx node mongo registry (default: all)
#
# Environment:
#   LAB_TESTKIT_CACHE   build caches: the debootstrap tarball, Go binaries
#                       (default /var/cache/lab-testkit)
#   LAB_DEBIAN_MIRROR   Debian mirror (default: the one this machine's apt uses)
set -euo pipefail
shopt -s inherit_errexit

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=$ROOT/testkit/standins
CACHE=${LAB_TESTKIT_CACHE:-/var/cache/lab-testkit}/standins
STANDINS=(debian nginx node mongo registry)

SUITE=bookworm
VARIANT=minbase
# Bump ROOTFS_RECIPE when prepare_rootfs changes what goes into the tarball.
ROOTFS_RECIPE=1
ROOTFS_REF=lab-standin/debian-rootfs:$SUITE
BASE_REF=lab-standin/debian:$SUITE

FERRETDB_MODULE=github.com/FerretDB/FerretDB
FERRETDB_VERSION=v1.24.2
REGISTRY_MODULE=github.com/distribution/distribution/v3
REGISTRY_VERSION=v3.1.2
GO_LDFLAGS='-s -w'

NODE_APP=$ROOT/assets/app

# course_var NAME prints a variable of the built-in course (course.yaml's vars).
course_var() {
	local v
	v=$(sed -n "s/^  $1: *//p" "$ROOT/lessons/course/course.yaml" | sed -n 1p)
	[[ -n $v ]] || { printf 'standins: course.yaml declares no variable %s\n' "$1" >&2; exit 1; }
	printf '%s\n' "$v"
}
NGINX_REF=$(course_var nginx_image)
NODE_REF=$(course_var node_image)
MONGO_REF=$(course_var mongo_image)
REGISTRY_REF=$(course_var registry_image)

# The node stand-in: the official Node.js binary of the release line the
# course pins (node-linux-<arch> on the npm registry) and npm itself.
NODE_MAJOR=${NODE_REF#node:}
NODE_MAJOR=${NODE_MAJOR%%-*}
NODE_VERSION=22.23.5
NPM_VERSION=10.9.9

LOG_TAIL=40
CHECK=0
ARCH=''
BASE_HASH=''
BASE_READY=0
# Containers, volumes, images and files this run made for its proofs; removed on exit.
TEST_CONTAINERS=()
TEST_VOLUMES=()
TEST_IMAGES=()
TEST_LABELS=()
TEMP_PATHS=()

say() { printf 'standins: %s\n' "$*" >&2; }
# shellcheck source=testkit/lib.sh
source "$(dirname "$0")/lib.sh"

cleanup() {
	local c v i l p
	for c in "${TEST_CONTAINERS[@]}"; do docker rm -f -v "$c" >/dev/null 2>&1 || true; done
	for v in "${TEST_VOLUMES[@]}"; do docker volume rm -f "$v" >/dev/null 2>&1 || true; done
	for i in "${TEST_IMAGES[@]}"; do docker image rm -f "$i" >/dev/null 2>&1 || true; done
	# A throwaway build also leaves its steps' images behind; they carry its label.
	for l in "${TEST_LABELS[@]}"; do
		docker image ls -a -q --filter "label=lab.standin.test=$l" | sort -u | xargs -r docker image rm -f >/dev/null 2>&1 || true
	done
	for p in "${TEMP_PATHS[@]}"; do rm -rf "$p"; done
}
trap cleanup EXIT
# Interrupted or stopped: exit, so that the EXIT trap cleans up.
trap 'exit 130' INT
trap 'exit 143' TERM

# temp_dir makes a directory removed on exit and stores its path in TEMP.
temp_dir() {
	TEMP=$(mktemp -d "${TMPDIR:-/tmp}/lab-standin.XXXXXX")
	TEMP_PATHS+=("$TEMP")
}

# Output of an engine that failed for reasons of its own (restarting, storage
# briefly inconsistent) rather than because of what it was asked to do.
ENGINE_TRANSIENT='Cannot connect to the Docker daemon|failed to export layer|failed to apply diff|failed to commit|error reading from server: EOF|connection reset by peer'

# run_logged WHAT CMD... runs CMD with its output in a log; on failure prints
# the log's tail and exits. A failure of the engine's own is retried twice.
run_logged() {
	local what=$1 log rc attempt
	shift
	log=$(mktemp "${TMPDIR:-/tmp}/lab-standin-log.XXXXXX")
	for attempt in 1 2 3; do
		rc=0
		"$@" >"$log" 2>&1 || rc=$?
		if ((rc == 0 || attempt == 3)) || ! grep -Eq "$ENGINE_TRANSIENT" "$log"; then
			break
		fi
		say "$what: the engine failed ($(grep -Eo "$ENGINE_TRANSIENT" "$log" | sed -n 1p)); retrying"
		wait_engine
	done
	if ((rc)); then
		say "$what failed (exit $rc); last lines of its output:"
		tail -n "$LOG_TAIL" "$log" | sed 's/^/  | /' >&2
		rm -f "$log"
		exit 1
	fi
	rm -f "$log"
}

# words_hash WORD... hashes words (versions, flags, other hashes).
words_hash() { printf '%s\n' "$@" | sha256sum | cut -c1-16; }

# inputs_hash DIR [WORD...] hashes every file under DIR (names, contents and
# executable bits) plus the words.
inputs_hash() {
	local dir=$1
	shift
	{
		(cd "$dir" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
		(cd "$dir" && find . -type f -perm -u+x -print | LC_ALL=C sort)
		printf '%s\n' "$@"
	} | sha256sum | cut -c1-16
}

# docker_build REF HASH CONTEXT builds CONTEXT's Dockerfile as REF.
docker_build() {
	run_logged "building $1" docker build --build-arg "LAB_STANDIN_INPUTS=$2" -t "$1" "$3"
}

# standin NAME REF HASH makes REF current: it keeps a real image or an up-to-date
# stand-in, else runs build_NAME_image HASH and then check_NAME. It prints one
# line for REF.
standin() {
	local name=$1 ref=$2 hash=$3 start built state old
	state=$(image_state "$ref" "$hash")
	case $state in
	real)
		say "$ref: real image kept"
		return 0
		;;
	current)
		if ((CHECK)); then
			start=$SECONDS
			prove "$name" "$ref"
			say "$ref: up to date, checked in $((SECONDS - start))s"
		else
			say "$ref: up to date"
		fi
		return 0
		;;
	esac
	# Where stand-ins cannot be built (a laptop without Debian tools, or
	# LAB_STANDINS_PULL=1) a registry is expected to answer: use the real image.
	if [[ ${LAB_STANDINS_PULL:-} == 1 ]] || ! can_build; then
		[[ $name == debian ]] && return 0
		say "$ref: pulling the real image (stand-ins are built only on Linux as root with apt)"
		docker pull -q "$ref" >/dev/null || die "$ref: cannot pull it and cannot build a stand-in here; pull it by hand or run make test on Linux as root"
		say "$ref: real image pulled"
		return 0
	fi
	[[ $name == debian ]] || need_base
	old=$(docker image inspect --format '{{.Id}}' "$ref" 2>/dev/null || true)
	start=$SECONDS
	"build_${name}_image" "$hash"
	built=$((SECONDS - start))
	start=$SECONDS
	prove "$name" "$ref"
	say "$ref: built in ${built}s, checked in $((SECONDS - start))s (inputs $hash)"
	remove_superseded "$old" "$ref"
}

# prove NAME REF runs check_NAME in a subshell, so that its failure (an exit
# anywhere in it) is caught and what it made is cleaned up, and removes REF
# when it fails.
prove() {
	local name=$1 ref=$2 rc
	declare -F "check_$name" >/dev/null || return 0
	# Not inside `if !` or `||`: errexit would be off in the whole check.
	set +e
	(
		set -e
		TEST_CONTAINERS=() TEST_VOLUMES=() TEST_IMAGES=() TEST_LABELS=() TEMP_PATHS=()
		trap cleanup EXIT
		"check_$name" "$ref"
	)
	rc=$?
	set -e
	if ((rc)); then
		docker image rm -f "$ref" >/dev/null 2>&1 || true
		die "$ref: check failed; the image was removed"
	fi
}

# --- the Debian base ---------------------------------------------------------

# debian_arch maps the engine's Go architecture name to Debian's.
debian_arch() {
	case $1 in
	amd64 | arm64 | riscv64 | s390x) echo "$1" ;;
	arm) echo armhf ;;
	386) echo i386 ;;
	ppc64le) echo ppc64el ;;
	*) die "no Debian architecture for $1" ;;
	esac
}

# apt_source SUITE prints the URI this machine's apt uses for the Debian suite
# SUITE (one-line .list and deb822 .sources files), or nothing.
apt_source() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[[ -f $f ]] || continue
		if [[ $f == *.sources ]]; then
			awk -v want="$1" '
				function flush() {
					if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " want " ") && uri != "" && enabled != "no") { print uri; found = 1; exit }
					types = ""; suites = ""; uri = ""; enabled = ""
				}
				/^[ \t]*#/ { next }
				/^[ \t]*$/ { flush(); next }
				tolower($1) == "types:" { $1 = ""; types = $0 }
				tolower($1) == "uris:" { uri = $2 }
				tolower($1) == "suites:" { $1 = ""; suites = $0 }
				tolower($1) == "enabled:" { enabled = tolower($2) }
				END { if (!found) flush() }
			' "$f"
		else
			awk -v want="$1" '
				$1 == "deb" {
					i = 2
					if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
					if ($(i + 1) == want) { print $i; exit }
				}
			' "$f"
		fi
	done | sed -n 1p
}

# base_inputs fills MIRROR, SOURCES, ROOTFS_KEY and BASE_HASH: everything the
# base is built from, without building anything.
base_inputs() {
	local certs='' suite uri
	MIRROR=${LAB_DEBIAN_MIRROR:-$(apt_source "$SUITE")}
	MIRROR=${MIRROR:-http://deb.debian.org/debian}
	MIRROR=${MIRROR%/}
	DEB_ARCH=$(debian_arch "$ARCH")
	# The image's apt sources: the suites this machine uses, from the same mirrors.
	SOURCES="deb $MIRROR $SUITE main"$'\n'
	for suite in "$SUITE-updates" "$SUITE-security"; do
		uri=$(apt_source "$suite")
		[[ -n $uri ]] && SOURCES+="deb ${uri%/} $suite main"$'\n'
	done
	if [[ -d /usr/local/share/ca-certificates ]]; then
		certs=$(cd /usr/local/share/ca-certificates && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
	fi
	ROOTFS_KEY=$(words_hash "$SUITE" "$VARIANT" "$DEB_ARCH" "$MIRROR" "recipe $ROOTFS_RECIPE")
	BASE_HASH=$(inputs_hash "$DIR/debian" "rootfs $ROOTFS_KEY" "$SOURCES" "$certs")
}

# need_debootstrap installs debootstrap when it is missing.
# can_build is true where stand-ins can be built: Linux, root, and
# debootstrap or apt to install it.
can_build() {
	[[ $(uname -s) == Linux && $(id -u) == 0 ]] || return 1
	command -v debootstrap >/dev/null 2>&1 || command -v apt-get >/dev/null 2>&1
}

need_debootstrap() {
	command -v debootstrap >/dev/null 2>&1 && return 0
	if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
		die "debootstrap is missing; install it (apt-get install debootstrap) or run as root"
	fi
	say "installing debootstrap"
	run_logged "apt-get install debootstrap" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap
}

# prepare_rootfs DIR trims a fresh debootstrap tree the way Debian's slim
# images are trimmed and keeps the host's files out of it.
prepare_rootfs() {
	local r=$1
	mkdir -p "$r/etc/dpkg/dpkg.cfg.d" "$r/etc/apt/apt.conf.d"
	cat >"$r/etc/dpkg/dpkg.cfg.d/docker-slim" <<-'EOF'
		path-exclude /usr/share/doc/*
		path-include /usr/share/doc/*/copyright
		path-exclude /usr/share/groff/*
		path-exclude /usr/share/info/*
		path-exclude /usr/share/linda/*
		path-exclude /usr/share/lintian/*
		path-exclude /usr/share/locale/*
		path-exclude /usr/share/man/*
	EOF
	cat >"$r/etc/apt/apt.conf.d/docker-clean" <<-'EOF'
		DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
		APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
		Dir::Cache::pkgcache "";
		Dir::Cache::srcpkgcache "";
	EOF
	printf 'Acquire::Languages "none";\n' >"$r/etc/apt/apt.conf.d/docker-no-languages"
	printf 'Apt::AutoRemove::SuggestsImportant "false";\n' >"$r/etc/apt/apt.conf.d/docker-autoremove-suggests"
	find "$r/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
	find "$r/usr/share/doc" -mindepth 1 -depth -type d -empty -delete
	rm -rf "$r"/usr/share/{groff,info,linda,lintian,locale,man}/*
	rm -rf "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/*.bin "$r"/var/cache/apt/archives/*.deb "$r"/var/cache/debconf/*-old
	find "$r/var/log" -type f -delete
	rm -rf "$r"/tmp/* "$r"/var/tmp/*
	rm -f "$r/etc/resolv.conf" "$r/etc/hostname"
}

# rootfs_tarball sets ROOTFS_TAR to the cached debootstrap tarball for
# ROOTFS_KEY, making it first when it is missing.
rootfs_tarball() {
	local tar=$CACHE/rootfs/$SUITE-$VARIANT-$DEB_ARCH-$ROOTFS_KEY.tar work start
	ROOTFS_TAR=$tar
	if [[ ! -s $tar ]]; then
		[[ $(dpkg --print-architecture 2>/dev/null) == "$DEB_ARCH" ]] ||
			die "the engine runs $DEB_ARCH; debootstrap here can only make $(dpkg --print-architecture 2>/dev/null || echo 'nothing (no dpkg)')"
		need_debootstrap
		mkdir -p "$CACHE/rootfs"
		work=$(mktemp -d "$CACHE/rootfs/work.XXXXXX")
		TEMP_PATHS+=("$work")
		start=$SECONDS
		say "debootstrap --variant=$VARIANT $SUITE from $MIRROR"
		run_logged "debootstrap $SUITE" debootstrap --variant="$VARIANT" --arch="$DEB_ARCH" "$SUITE" "$work/root" "$MIRROR"
		prepare_rootfs "$work/root"
		run_logged "packing the root file system" tar --numeric-owner --xattrs -C "$work/root" \
			--exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -cf "$work/rootfs.tar" .
		mv "$work/rootfs.tar" "$tar"
		rm -rf "$work"
		say "debootstrap tarball cached in $((SECONDS - start))s: $tar"
	fi
}

ensure_rootfs() {
	local start old
	if [[ $(image_state "$ROOTFS_REF" "$ROOTFS_KEY") == current ]]; then
		say "$ROOTFS_REF: up to date"
		return 0
	fi
	old=$(docker image inspect --format '{{.Id}}' "$ROOTFS_REF" 2>/dev/null || true)
	start=$SECONDS
	rootfs_tarball
	run_logged "importing $ROOTFS_REF" docker import \
		--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		--change 'CMD ["bash"]' \
		--change "LABEL lab.standin=true lab.standin.inputs=$ROOTFS_KEY" \
		"$ROOTFS_TAR" "$ROOTFS_REF"
	say "$ROOTFS_REF: imported in $((SECONDS - start))s (inputs $ROOTFS_KEY)"
	remove_superseded "$old" "$ROOTFS_REF"
}

# untagged_chain ID prints ID and its parents (the classic builder's step
# images) down to the first image that has a name, such as the base.
untagged_chain() {
	local id=$1
	while [[ -n $id && $(docker image inspect --format '{{len .RepoTags}}' "$id" 2>/dev/null) == 0 ]]; do
		printf '%s\n' "$id"
		id=$(docker image inspect --format '{{.Parent}}' "$id")
	done
}

# remove_superseded OLD REF removes the stand-in image OLD that a rebuild of
# REF replaced, with the build-step images only it used, unless a name still
# refers to it. What cannot be removed (an image someone built on it) stays.
remove_superseded() {
	local old=$1 ref=$2 keep id
	[[ -n $old ]] || return 0
	keep=$(untagged_chain "$(docker image inspect --format '{{.Parent}}' "$ref" 2>/dev/null)")
	for id in $(untagged_chain "$old"); do
		grep -qxF "$id" <<<"$keep" || docker image rm "$id" >/dev/null 2>&1 || true
	done
}

build_debian_image() {
	ensure_rootfs
	temp_dir
	local ctx=$TEMP
	cp -a "$DIR/debian/." "$ctx/"
	printf '%s' "$SOURCES" >"$ctx/sources.list"
	mkdir -p "$ctx/ca-certificates"
	if [[ -d /usr/local/share/ca-certificates ]]; then
		cp -a /usr/local/share/ca-certificates/. "$ctx/ca-certificates/"
	fi
	docker_build "$BASE_REF" "$1" "$ctx"
}

check_debian() {
	local names=()
	if [[ -d /usr/local/share/ca-certificates ]]; then
		mapfile -t names < <(cd /usr/local/share/ca-certificates && find . -type f -name '*.crt' | sed 's|.*/||; s|\.crt$||; s/ /_/g')
	fi
	# update-ca-certificates links each extra certificate as NAME.pem.
	docker run --rm "$1" sh -c '
		test -s /etc/ssl/certs/ca-certificates.crt || { echo "no CA bundle"; exit 1; }
		test -z "$(ls /var/lib/apt/lists)" || { echo "apt lists left in the image"; exit 1; }
		for n; do test -e "/etc/ssl/certs/$n.pem" || { echo "extra CA certificate $n not trusted"; exit 1; }; done
	' sh "${names[@]}" >&2 || { say "$1: base image check failed"; return 1; }
}

# need_base makes the base current; standin calls it before it builds an
# image on top of it.
need_base() {
	((BASE_READY)) && return 0
	standin debian "$BASE_REF" "$BASE_HASH"
	BASE_READY=1
}

build_debian() { need_base; }

# --- nginx ---------------------------------------------------------------------

build_nginx() { standin nginx "$NGINX_REF" "$(inputs_hash "$DIR/nginx" "base $BASE_HASH")"; }

build_nginx_image() {
	docker_build "$NGINX_REF" "$1" "$DIR/nginx"
}

# publish_port CONTAINER PORT prints the loopback host port published for PORT.
publish_port() {
	local p
	p=$(docker port "$1" "$2/tcp" | sed -n 's/^127\.0\.0\.1:\([0-9]*\)$/\1/p' | sed -n 1p)
	[[ -n $p ]] || { say "$1 publishes no loopback port for $2"; return 1; }
	printf '%s\n' "$p"
}

# wait_http URL SECONDS prints the body of the first 200 answer from URL.
wait_http() {
	local deadline=$((SECONDS + $2))
	until curl -fsS --max-time 3 "$1" 2>/dev/null; do
		((SECONDS < deadline)) || { say "no 200 answer from $1 within $2s"; return 1; }
		sleep 0.5
	done
}

# run_test NAME ARGS... starts a detached container named NAME, removed on exit.
run_test() {
	local name=$1
	shift
	TEST_CONTAINERS+=("$name")
	docker run -d --name "$name" "$@" >/dev/null
}

check_nginx() {
	local ref=$1 c=lab-standin-test-nginx-$$ port page user
	run_test "$c" -p 127.0.0.1::80 "$ref"
	port=$(publish_port "$c" 80)
	page=$(wait_http "http://127.0.0.1:$port/" 20)
	if ! grep -q '<title>Welcome to nginx!</title>' <<<"$page" ||
		! grep -q 'If you see this page, the nginx web server is successfully installed' <<<"$page"; then
		say "$ref: the default page is not nginx's welcome page"
		return 1
	fi
	docker exec "$c" sh -c 'echo lab-standin-edited >/usr/share/nginx/html/index.html'
	[[ $(curl -fsS --max-time 3 "http://127.0.0.1:$port/") == lab-standin-edited ]] ||
		{ say "$ref: a page written with docker exec is not served"; return 1; }
	user=$(docker top "$c" -o pid,uid,args | awk '/nginx: worker/ {print $2; exit}')
	[[ $user == 101 ]] || { say "$ref: workers run as uid ${user:-none}, want nginx (101)"; return 1; }
	# nginx writes its access log line after the answer: give it a moment.
	local deadline=$((SECONDS + 10))
	until docker logs "$c" 2>/dev/null | grep -q '"GET / HTTP/1.1" 200'; do
		((SECONDS < deadline)) || { say "$ref: the access log does not reach docker logs"; return 1; }
		sleep 0.5
	done
}

# --- node ----------------------------------------------------------------------

build_node() {
	[[ $NODE_VERSION == "$NODE_MAJOR".* ]] ||
		die "$NODE_REF names Node.js $NODE_MAJOR but the stand-in recipe has $NODE_VERSION: change NODE_VERSION"
	standin node "$NODE_REF" "$(inputs_hash "$DIR/node" "base $BASE_HASH" "node $NODE_VERSION" "npm $NPM_VERSION" "$ARCH")"
}

# npm_package NAME@VERSION sets NPM_FILE to the package's tarball, fetched
# with npm pack into the cache the first time.
npm_package() {
	local spec=$1 dir=$CACHE/npm
	NPM_FILE=$dir/${spec%@*}-${spec##*@}.tgz
	if [[ ! -s $NPM_FILE ]]; then
		command -v npm >/dev/null 2>&1 || die "npm is needed to fetch $spec for the node stand-in: apt-get install npm"
		mkdir -p "$dir"
		temp_dir
		run_logged "npm pack $spec" sh -c 'cd "$1" && npm pack --silent "$2"' sh "$TEMP" "$spec"
		mv "$TEMP"/*.tgz "$NPM_FILE"
	fi
}

build_node_image() {
	local arch
	case $ARCH in
	amd64) arch=x64 ;;
	arm64) arch=arm64 ;;
	*) die "no Node.js binary for the engine's architecture $ARCH" ;;
	esac
	npm_package "node-linux-$arch@$NODE_VERSION"
	local node_tgz=$NPM_FILE
	npm_package "npm@$NPM_VERSION"
	temp_dir
	local ctx=$TEMP
	cp -a "$DIR/node/." "$ctx/"
	cp "$node_tgz" "$ctx/node.tgz"
	cp "$NPM_FILE" "$ctx/npm.tgz"
	docker_build "$NODE_REF" "$1" "$ctx"
}

check_node() {
	local ref=$1 version ids tag=lab-standin-test/npm-ci:$$ label=npm-ci-$$
	version=$(docker run --rm "$ref" node --version)
	[[ $version == "v$NODE_VERSION" ]] || { say "$ref: node $version, want v$NODE_VERSION"; return 1; }
	ids=$(docker run --rm "$ref" sh -c 'id -u node; id -g node; getent passwd node | cut -d: -f6')
	[[ $ids == $'1000\n1000\n/home/node' ]] || { say "$ref: user node is not 1000:1000 with home /home/node"; return 1; }
	# A throwaway build of the sample app's dependencies, as lesson 3 makes one.
	temp_dir
	cp "$NODE_APP/package.json" "$NODE_APP/package-lock.json" "$TEMP/"
	cat >"$TEMP/Dockerfile" <<-EOF
		FROM $ref
		LABEL lab.standin.test=$label
		WORKDIR /app
		COPY package.json package-lock.json ./
		RUN npm ci --omit=dev && node -e "require('mongodb')"
	EOF
	TEST_IMAGES+=("$tag")
	TEST_LABELS+=("$label")
	run_logged "npm ci of the sample app in $ref" docker build --force-rm -t "$tag" "$TEMP"
}

# --- mongo ---------------------------------------------------------------------

# go_cached NAME KEY BUILDFN sets GO_BIN to the cached Go binary NAME for KEY,
# running BUILDFN OUT to make it when it is missing.
go_cached() {
	local name=$1 key=$2 build=$3 dir start tmp
	dir=$CACHE/go/$name-$key
	GO_BIN=$dir/$name
	if [[ ! -x $dir/$name ]]; then
		start=$SECONDS
		mkdir -p "$CACHE/go"
		tmp=$(mktemp -d "$CACHE/go/work.XXXXXX")
		TEMP_PATHS+=("$tmp")
		"$build" "$tmp/$name"
		mkdir -p "$dir"
		mv "$tmp/$name" "$dir/$name"
		rm -rf "$tmp"
		say "$name: built from its Go module in $((SECONDS - start))s ($dir)"
	fi
}

# go_env runs a command with the Go settings for a static binary of the
# engine's architecture, outside any workspace.
go_env() { env CGO_ENABLED=0 GOOS=linux GOARCH="$ARCH" GOWORK=off GOFLAGS=-buildvcs=false "$@"; }

build_ferretdb() {
	local out=$1 src mod
	mod=$(go mod download -json "$FERRETDB_MODULE@$FERRETDB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
	[[ -d $mod ]] || die "go mod download $FERRETDB_MODULE@$FERRETDB_VERSION gave no module directory"
	src=$(dirname "$out")/src
	cp -r "$mod" "$src"
	chmod -R u+w "$src"
	# Without version.txt the binary panics at start-up.
	printf '%s\n' "$FERRETDB_VERSION" >"$src/build/version/version.txt"
	(cd "$src" && run_logged "building ferretdb" go_env go build -trimpath -ldflags "$GO_LDFLAGS" -o "$out" ./cmd/ferretdb)
}

build_mongo() {
	standin mongo "$MONGO_REF" "$(inputs_hash "$DIR/mongo" "base $BASE_HASH" "ferretdb $FERRETDB_VERSION" "$GO_VERSION" "$ARCH" "$GO_LDFLAGS" \
		"$(grep -m1 'go.mongodb.org/mongo-driver' "$ROOT/go.mod")")"
}

# build_mongosh OUT builds the stand-in's mongosh (mongo/mongosh) with the
# repository's Go driver, static, for the engine's architecture.
build_mongosh() {
	(cd "$ROOT" && run_logged "building the stand-in mongosh" go_env go build -trimpath -ldflags "$GO_LDFLAGS" -o "$1" ./testkit/standins/mongo/mongosh)
}

build_mongo_image() {
	go_cached ferretdb "$(words_hash "$FERRETDB_VERSION" "$GO_VERSION" "$ARCH" "$GO_LDFLAGS")" build_ferretdb
	temp_dir
	cp -a "$DIR/mongo/Dockerfile" "$DIR/mongo/mongod" "$DIR/mongo/docker-entrypoint.sh" "$DIR/mongo/mongod.conf.orig" "$TEMP/"
	chmod 755 "$TEMP/mongod" "$TEMP/docker-entrypoint.sh"
	cp "$GO_BIN" "$TEMP/ferretdb"
	build_mongosh "$TEMP/mongosh"
	docker_build "$MONGO_REF" "$1" "$TEMP"
}

# wait_health CONTAINER STATUS SECONDS waits until the engine gives CONTAINER
# the health STATUS (healthy or unhealthy).
wait_health() {
	local deadline=$((SECONDS + $3)) status=
	until status=$(docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$1") && [[ $status == "$2" ]]; do
		((SECONDS < deadline)) || {
			say "$1: health is ${status:-none} after $3s, want $2"
			docker inspect --format '{{json .State.Health}}' "$1" >&2
			return 1
		}
		sleep 0.5
	done
}

# The lesson's config file, written in the container by the health proofs.
MONGO_LESSON_CONF='storage:\n  dbPath: /data/db\nnet:\n  port: 27017\n  bindIp: %s\n'
MONGO_PING_EVAL='db.adminCommand("ping").ok'

# wait_listening CONTAINER PORT waits until something listens on PORT inside
# CONTAINER's own loopback.
wait_listening() {
	local deadline=$((SECONDS + 20))
	until docker exec "$1" bash -c "exec 3<>/dev/tcp/127.0.0.1/$2" 2>/dev/null; do
		((SECONDS < deadline)) || { say "$1: nothing listens on 127.0.0.1:$2 inside"; docker logs --tail 20 "$1" >&2; return 1; }
		sleep 0.5
	done
}

check_mongo() {
	local ref=$1 probe c=lab-standin-test-mongo-$$ vol=lab-standin-test-mongo-$$ port id=post-$$ owner
	temp_dir
	probe=$TEMP/probe
	(cd "$ROOT" && run_logged "building the MongoDB probe" env GOWORK=off go build -o "$probe" ./testkit/standins/mongo/probe)

	# A document written through the published port survives a new container
	# on the same volume.
	TEST_VOLUMES+=("$vol")
	docker volume create "$vol" >/dev/null
	run_test "$c-1" -p 127.0.0.1::27017 -v "$vol:/data/db" "$ref"
	port=$(publish_port "$c-1" 27017)
	run_logged "inserting into $ref" "$probe" -addr "127.0.0.1:$port" -insert "$id"
	owner=$(docker exec "$c-1" stat -c %u /data/db /proc/1)
	[[ $owner == $'999\n999' ]] ||
		{ say "$ref: /data/db or the server is not owned by mongodb (999): $owner"; return 1; }
	docker rm -f -v "$c-1" >/dev/null
	run_test "$c-2" -p 127.0.0.1::27017 -v "$vol:/data/db" "$ref"
	port=$(publish_port "$c-2" 27017)
	run_logged "reading back from $ref after a restart" "$probe" -addr "127.0.0.1:$port" -find "$id"
	docker rm -f -v "$c-2" >/dev/null

	# Bound to its loopback, the server answers inside but not through -p.
	run_test "$c-3" -p 127.0.0.1::27017 "$ref" mongod --bind_ip 127.0.0.1
	wait_listening "$c-3" 27017
	port=$(publish_port "$c-3" 27017)
	run_logged "$ref with --bind_ip 127.0.0.1 must not answer through -p" "$probe" -addr "127.0.0.1:$port" -unreachable -wait 3s
	docker rm -f -v "$c-3" >/dev/null

	# So does the shipped config file, until bindIp is changed as lesson 3 does.
	run_test "$c-4" -p 127.0.0.1::27017 "$ref" mongod --config /etc/mongod.conf.orig
	wait_listening "$c-4" 27017
	port=$(publish_port "$c-4" 27017)
	run_logged "$ref with mongod.conf.orig must not answer through -p" "$probe" -addr "127.0.0.1:$port" -unreachable -wait 3s
	docker rm -f -v "$c-4" >/dev/null
	run_test "$c-5" -p 127.0.0.1::27017 "$ref" sh -c \
		"sed -i 's/bindIp: 127.0.0.1/bindIp: 0.0.0.0/' /etc/mongod.conf.orig && exec docker-entrypoint.sh mongod --config /etc/mongod.conf.orig"
	port=$(publish_port "$c-5" 27017)
	run_logged "$ref with bindIp 0.0.0.0 in its config" "$probe" -addr "127.0.0.1:$port" -insert "$id-conf"
	docker rm -f -v "$c-5" >/dev/null

	# The lesson's image: its own config named with --config and a health check
	# with mongosh, which passes; mongosh answers as the official one does.
	run_test "$c-6" -p 127.0.0.1::27017 \
		--health-cmd "mongosh --quiet --eval '$MONGO_PING_EVAL'" --health-interval 1s --health-timeout 5s --health-retries 5 \
		"$ref" sh -c "printf '$MONGO_LESSON_CONF' 0.0.0.0 >/etc/mongod.conf && exec docker-entrypoint.sh mongod --config /etc/mongod.conf"
	wait_health "$c-6" healthy 30
	port=$(publish_port "$c-6" 27017)
	run_logged "$ref with the lesson's config and health check" "$probe" -addr "127.0.0.1:$port" -insert "$id-health"
	[[ $(docker exec "$c-6" mongosh --quiet --eval "$MONGO_PING_EVAL") == 1 ]] ||
		{ say "$ref: mongosh --eval '$MONGO_PING_EVAL' does not print 1"; return 1; }
	[[ $(docker exec "$c-6" mongosh --quiet --eval 'db.runCommand({ping: 1})') == '{ ok: 1 }' ]] ||
		{ say "$ref: mongosh --eval 'db.runCommand({ping: 1})' does not print { ok: 1 }"; return 1; }
	! docker exec "$c-6" mongosh --quiet --eval 'db.posts.find()' >/dev/null 2>&1 ||
		{ say "$ref: mongosh evaluates what it cannot, db.posts.find(), without an error"; return 1; }
	docker rm -f -v "$c-6" >/dev/null

	# bindIp 127.0.0.1: the health check inside passes, the published port
	# reaches nothing.
	run_test "$c-7" -p 127.0.0.1::27017 \
		--health-cmd "mongosh --quiet --eval '$MONGO_PING_EVAL'" --health-interval 1s --health-timeout 5s --health-retries 5 \
		"$ref" sh -c "printf '$MONGO_LESSON_CONF' 127.0.0.1 >/etc/mongod.conf && exec docker-entrypoint.sh mongod --config /etc/mongod.conf"
	wait_health "$c-7" healthy 30
	port=$(publish_port "$c-7" 27017)
	run_logged "$ref with bindIp 127.0.0.1 must not answer through -p" "$probe" -addr "127.0.0.1:$port" -unreachable -wait 3s
	docker rm -f -v "$c-7" >/dev/null

	# A health check of a port nothing listens on never passes.
	run_test "$c-8" \
		--health-cmd "mongosh --port 27018 --quiet --eval '$MONGO_PING_EVAL'" --health-interval 1s --health-timeout 5s --health-retries 3 \
		"$ref"
	wait_health "$c-8" unhealthy 40
	docker inspect --format '{{range .State.Health.Log}}{{.Output}}{{end}}' "$c-8" | grep -q '^MongoNetworkError: connect ECONNREFUSED 127\.0\.0\.1:27018$' ||
		{ say "$ref: the failing health check's output is not mongosh's MongoNetworkError for 127.0.0.1:27018"; return 1; }
	docker rm -f -v "$c-8" >/dev/null
}

# --- registry ------------------------------------------------------------------

build_registry_bin() {
	local out=$1 gobin
	gobin=$(dirname "$out")/bin
	mkdir -p "$gobin"
	# go install refuses GOBIN for another architecture; it then installs into
	# GOPATH/bin/GOOS_GOARCH.
	if [[ $ARCH == "$(go env GOHOSTARCH)" ]]; then
		(cd "$(dirname "$out")" && run_logged "building registry" go_env GOBIN="$gobin" go install -trimpath \
			-ldflags "$GO_LDFLAGS -X $REGISTRY_MODULE/version.version=$REGISTRY_VERSION" \
			"$REGISTRY_MODULE/cmd/registry@$REGISTRY_VERSION")
		mv "$gobin/registry" "$out"
	else
		(cd "$(dirname "$out")" && run_logged "building registry" go_env GOBIN= go install -trimpath \
			-ldflags "$GO_LDFLAGS -X $REGISTRY_MODULE/version.version=$REGISTRY_VERSION" \
			"$REGISTRY_MODULE/cmd/registry@$REGISTRY_VERSION")
		mv "$(go env GOPATH | cut -d: -f1)/bin/linux_$ARCH/registry" "$out"
	fi
}

build_registry() { standin registry "$REGISTRY_REF" "$(inputs_hash "$DIR/registry" "base $BASE_HASH" "registry $REGISTRY_VERSION" "$GO_VERSION" "$ARCH" "$GO_LDFLAGS")"; }

build_registry_image() {
	go_cached registry "$(words_hash "$REGISTRY_VERSION" "$GO_VERSION" "$ARCH" "$GO_LDFLAGS")" build_registry_bin
	temp_dir
	cp -a "$DIR/registry/." "$TEMP/"
	cp "$GO_BIN" "$TEMP/registry"
	docker_build "$REGISTRY_REF" "$1" "$TEMP"
}

check_registry() {
	local ref=$1 c=lab-standin-test-registry-$$ port tag catalog digest repodigest
	docker image inspect hello-world >/dev/null 2>&1 ||
		{ say "$ref: the check pushes hello-world; build it first: testkit/standins.sh hello-world"; return 1; }
	run_test "$c" -p 127.0.0.1::5000 "$ref"
	port=$(publish_port "$c" 5000)
	wait_http "http://127.0.0.1:$port/v2/" 20 >/dev/null
	tag=localhost:$port/lab-standin-test:v1
	TEST_IMAGES+=("$tag")
	docker tag hello-world "$tag"
	run_logged "docker push $tag" docker push "$tag"
	catalog=$(curl -fsS --max-time 5 "http://127.0.0.1:$port/v2/_catalog")
	grep -q '"lab-standin-test"' <<<"$catalog" || { say "$ref: catalog lacks lab-standin-test: $catalog"; return 1; }
	digest=$(curl -fsSI --max-time 5 \
		-H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
		-H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
		-H 'Accept: application/vnd.oci.image.manifest.v1+json' \
		-H 'Accept: application/vnd.oci.image.index.v1+json' \
		"http://127.0.0.1:$port/v2/lab-standin-test/manifests/v1" |
		tr -d '\r' | awk -F': ' 'tolower($1) == "docker-content-digest" {print $2}')
	repodigest=$(docker image inspect --format '{{range .RepoDigests}}{{println .}}{{end}}' "$tag" |
		sed -n "s|^localhost:$port/lab-standin-test@||p" | sed -n 1p)
	[[ -n $digest && $digest == "$repodigest" ]] ||
		{ say "$ref: registry digest ${digest:-none} differs from the local RepoDigest ${repodigest:-none}"; return 1; }
	docker image rm "$tag" >/dev/null
}

# --- main ----------------------------------------------------------------------

main() {
	local names=() name
	while (($#)); do
		case $1 in
		--check) CHECK=1 ;;
		-h | --help)
			sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
			return 0
			;;
		-*) die "unknown option $1 (see --help)" ;;
		*) names+=("$1") ;;
		esac
		shift
	done
	((${#names[@]})) || names=("${STANDINS[@]}")
	for name in "${names[@]}"; do
		declare -F "build_$name" >/dev/null || die "no stand-in named $name (have: ${STANDINS[*]})"
	done

	wait_engine
	mkdir -p "$CACHE"
	# One run at a time: two would race on the caches and the image names.
	exec 9>"$CACHE/lock"
	flock 9
	ARCH=$(docker version --format '{{.Server.Arch}}')
	GO_VERSION=$(go env GOVERSION 2>/dev/null || echo no-go)
	base_inputs
	for name in "${names[@]}"; do
		"build_$name"
	done
}

main "$@"
