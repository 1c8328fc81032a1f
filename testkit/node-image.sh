#!/usr/bin/env bash
# node-image.sh builds a kind node image offline, for machines where no
# registry answers (see testkit/node-image/README.md). Learners use kind's
# published node images; this one exists only for offline CI.
#
#   lab-standin/kind-node:v1.37.2   Debian bookworm + systemd, containerd, runc,
#                                   Kubernetes v1.37.2 node binaries, and the
#                                   control-plane images preloaded into containerd
#
# Everything comes from Go modules and Debian packages:
#   - kubeadm kubelet kubectl kube-apiserver kube-controller-manager
#     kube-scheduler kube-proxy from k8s.io/kubernetes, through a wrapper module
#     that replaces every staging module (k8s.io/api, ...) by its published
#     version;
#   - etcd from go.etcd.io/etcd/server/v3, through a wrapper module that points
#     its sibling modules at their published versions;
#   - CoreDNS, crictl; a small static pause program (testkit/node-image/pause);
#   - runc: the one testkit/engine.sh builds (with seccomp), replacing Debian's.
# Each control-plane image is the stand-in Debian base plus its binary, under
# the name `kubeadm config images list` asks for. They are saved with
# `docker save`, imported into the node's containerd (`ctr images import
# --no-unpack`) in a container that mounts the archives read-only, and that
# container is committed as the node image: no archive stays in any layer.
#
# Go binaries are cached under $LAB_TESTKIT_CACHE/node-image/go, keyed by
# module@version, Go toolchain, architecture and flags. The image carries the
# labels lab.standin=true and lab.standin.inputs=<hash of all inputs> and is
# rebuilt only when that hash changes.
#
# It also installs the CLIs the lessons' reference solutions type: kind
# (sigs.k8s.io/kind, built from its module) and the image's own kubectl, into
# $LAB_TESTKIT_CACHE/tools, linked into /usr/local/bin (LAB_TOOLS_LINK_DIR).
#
# --prove creates a cluster of its own from the image, checks that the node is
# Ready, CoreDNS runs and a pod resolves a Service name, and deletes it.
# --prove-dns NAME runs that DNS proof on the existing kind cluster NAME.
#
# Usage: node-image.sh [--prove] [--prove-dns NAME] [--print-ref]
#
# Environment:
#   LAB_TESTKIT_CACHE   build caches (default /var/cache/lab-testkit)
#   LAB_NODE_IMAGE      the image name (default lab-standin/kind-node:v1.37.2)
#   LAB_TOOLS_LINK_DIR  where kind and kubectl are linked (default /usr/local/bin;
#                       empty: not linked)
set -euo pipefail
shopt -s inherit_errexit

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=$ROOT/testkit/node-image
TESTKIT_CACHE=${LAB_TESTKIT_CACHE:-/var/cache/lab-testkit}
CACHE=$TESTKIT_CACHE/node-image

K8S_MODULE=k8s.io/kubernetes
K8S_VERSION=v1.37.2
# The staging modules (k8s.io/api, k8s.io/client-go, ...) are published as v0.MINOR.PATCH.
STAGING_VERSION=v0.37.2
ETCD_MODULE=go.etcd.io/etcd/server/v3
ETCD_VERSION=v3.7.0
ETCD_SIBLINGS=(go.etcd.io/etcd/api/v3 go.etcd.io/etcd/client/pkg/v3 go.etcd.io/etcd/client/v3 go.etcd.io/etcd/pkg/v3)
COREDNS_MODULE=github.com/coredns/coredns
COREDNS_VERSION=v1.14.6
CRICTL_MODULE=sigs.k8s.io/cri-tools
CRICTL_VERSION=v1.37.0

# Image tags kubeadm v1.37.2 asks for (`kubeadm config images list`).
PAUSE_TAG=3.10.2
ETCD_TAG=3.7.0-0
REGISTRY=registry.k8s.io

NODE_REF=${LAB_NODE_IMAGE:-lab-standin/kind-node:$K8S_VERSION}
BASE_REF=lab-standin/debian:bookworm
RUNC=$TESTKIT_CACHE/bin/runc

K8S_COMMANDS=(kubeadm kubelet kubectl kube-apiserver kube-controller-manager kube-scheduler kube-proxy)
K8S_VERSION_PKGS=(k8s.io/component-base/version k8s.io/client-go/pkg/version)
GO_LDFLAGS='-s -w'
# Bump GO_RECIPE or IMAGE_RECIPE when the way binaries or the image are put
# together (this script) changes in a way the hashed files and versions do not show.
GO_RECIPE=1
IMAGE_RECIPE=1

PROVE_CLUSTER=${LAB_NODE_IMAGE_CLUSTER:-lab-nodeimage-test}
KIND_MODULE=sigs.k8s.io/kind
KIND_VERSION=v0.33.0
TOOLS=$TESTKIT_CACHE/tools
TOOLS_LINK_DIR=${LAB_TOOLS_LINK_DIR-/usr/local/bin}
PROVE_DNS=''
LOG_TAIL=40
PROVE=0
ARCH=''
GO_VERSION=''
TEMP_PATHS=()
TEMP_CONTAINERS=()
TEMP_IMAGES=()

say() { printf 'node-image: %s\n' "$*" >&2; }
# shellcheck source=testkit/lib.sh
source "$(dirname "$0")/lib.sh"

cleanup() {
	local c i p
	for c in "${TEMP_CONTAINERS[@]}"; do docker rm -f -v "$c" >/dev/null 2>&1 || true; done
	for i in "${TEMP_IMAGES[@]}"; do docker image rm -f "$i" >/dev/null 2>&1 || true; done
	for p in "${TEMP_PATHS[@]}"; do rm -rf "$p"; done
}
trap cleanup EXIT
# Interrupted or stopped: exit, so that the EXIT trap cleans up.
trap 'exit 130' INT
trap 'exit 143' TERM

# temp_dir makes a directory under the cache, removed on exit, in TEMP.
temp_dir() {
	mkdir -p "$CACHE/tmp"
	TEMP=$(mktemp -d "$CACHE/tmp/work.XXXXXX")
	TEMP_PATHS+=("$TEMP")
}

# run_logged WHAT CMD... runs CMD with its output in a log; on failure prints
# the log's tail and exits.
run_logged() {
	local what=$1 log rc=0
	shift
	log=$(mktemp "${TMPDIR:-/tmp}/lab-node-image-log.XXXXXX")
	"$@" >"$log" 2>&1 || rc=$?
	if ((rc)); then
		say "$what failed (exit $rc); last lines of its output:"
		tail -n "$LOG_TAIL" "$log" | sed 's/^/  | /' >&2
		rm -f "$log"
		exit 1
	fi
	rm -f "$log"
}

words_hash() { printf '%s\n' "$@" | sha256sum | cut -c1-16; }

# image_inputs_hash [WORD...] hashes what goes into the image from this
# repository (the Dockerfile, files/ and the pause program) plus the words.
image_inputs_hash() {
	{
		(cd "$DIR" && find Dockerfile files pause -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
		(cd "$DIR" && find Dockerfile files pause -type f -perm -u+x -print | LC_ALL=C sort)
		printf '%s\n' "$@"
	} | sha256sum | cut -c1-16
}

# Go builds: static, trimmed, stripped, for the engine's architecture, outside
# any workspace, at low priority so the machine stays usable.
go_env() { nice -n 10 env CGO_ENABLED=0 GOOS=linux GOARCH="$ARCH" GOWORK=off GOFLAGS=-buildvcs=false GOTOOLCHAIN=local "$@"; }

module_dir() {
	local dir
	dir=$(GOFLAGS='' go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
	[[ -d $dir ]] || die "go mod download $1 gave no module directory"
	printf '%s\n' "$dir"
}

# go_cached NAME KEY BUILDFN sets GO_DIR to the cached directory of binaries
# NAME for KEY, running BUILDFN OUTDIR to fill it when it is missing.
go_cached() {
	local name=$1 key=$2 build=$3 start tmp
	GO_DIR=$CACHE/go/$name-$key
	[[ -f $GO_DIR/.complete ]] && return 0
	start=$SECONDS
	say "$name: building from Go modules"
	mkdir -p "$CACHE/go"
	tmp=$(mktemp -d "$CACHE/go/work.XXXXXX")
	TEMP_PATHS+=("$tmp")
	mkdir -p "$tmp/out"
	"$build" "$tmp/out" "$tmp"
	touch "$tmp/out/.complete"
	rm -rf "$GO_DIR"
	mv "$tmp/out" "$GO_DIR"
	rm -rf "$tmp"
	say "$name: built in $((SECONDS - start))s ($GO_DIR)"
}

k8s_ldflags() {
	local minor pkg flags=$GO_LDFLAGS
	minor=${K8S_VERSION#v*.}
	minor=${minor%%.*}
	for pkg in "${K8S_VERSION_PKGS[@]}"; do
		flags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=${K8S_VERSION_MAJOR:-1} -X $pkg.gitMinor=$minor"
		flags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
	done
	printf '%s\n' "$flags"
}

# build_kubernetes OUT WORK builds the Kubernetes commands through a wrapper
# module: k8s.io/kubernetes's own go.mod points its staging modules at
# ./staging/src/..., which a downloaded module cannot use.
build_kubernetes() {
	local out=$1 work=$2/src kdir cmd pkgs=()
	kdir=$(module_dir "$K8S_MODULE@$K8S_VERSION")
	mkdir -p "$work"
	{
		printf 'module lab.local/kubernetes-build\n\ngo %s\n\n' "$(sed -n 's/^go //p' "$kdir/go.mod")"
		sed -n '/^godebug /p' "$kdir/go.mod"
		printf '\nrequire %s %s\n\nreplace (\n' "$K8S_MODULE" "$K8S_VERSION"
		sed -n "s|^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/src/.*$|\t\1 => \1 $STAGING_VERSION|p" "$kdir/go.mod"
		printf ')\n'
	} >"$work/go.mod"
	{
		printf '//go:build tools\n\npackage tools\n\nimport (\n'
		for cmd in "${K8S_COMMANDS[@]}"; do
			printf '\t_ "%s/cmd/%s"\n' "$K8S_MODULE" "$cmd"
			pkgs+=("$K8S_MODULE/cmd/$cmd")
		done
		printf ')\n'
	} >"$work/tools.go"
	(cd "$work" && run_logged "go mod tidy (kubernetes wrapper)" env GOWORK=off GOFLAGS=-mod=mod go mod tidy)
	(cd "$work" && run_logged "building ${K8S_COMMANDS[*]}" go_env go build -trimpath -ldflags "$(k8s_ldflags)" -o "$out/" "${pkgs[@]}")
	"$out/kubeadm" version -o short | grep -qxF "$K8S_VERSION" ||
		die "kubeadm reports $("$out/kubeadm" version -o short), want $K8S_VERSION"
}

# build_etcd OUT WORK builds etcd through a wrapper module: etcd's server
# module points its sibling modules at relative paths.
build_etcd() {
	local out=$1 work=$2/src m
	mkdir -p "$work"
	{
		printf 'module lab.local/etcd-build\n\ngo 1.26\n\nrequire %s %s\n\nreplace (\n' "$ETCD_MODULE" "$ETCD_VERSION"
		for m in "${ETCD_SIBLINGS[@]}"; do printf '\t%s => %s %s\n' "$m" "$m" "$ETCD_VERSION"; done
		printf ')\n'
	} >"$work/go.mod"
	printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$ETCD_MODULE" >"$work/tools.go"
	(cd "$work" && run_logged "go mod tidy (etcd wrapper)" env GOWORK=off GOFLAGS=-mod=mod go mod tidy)
	(cd "$work" && run_logged "building etcd" go_env go build -trimpath -ldflags "$GO_LDFLAGS" -o "$out/etcd" "$ETCD_MODULE")
}

# go_install OUT MODULE/PATH VERSION [LDFLAGS] installs one command into OUT.
go_install() {
	local out=$1 pkg=$2 version=$3 ldflags=${4:-}
	run_logged "building $pkg@$version" go_env GOBIN="$out" go install -trimpath -ldflags "$GO_LDFLAGS $ldflags" "$pkg@$version"
}

build_coredns() { go_install "$1" "$COREDNS_MODULE" "$COREDNS_VERSION"; }

build_crictl() {
	go_install "$1" "$CRICTL_MODULE/cmd/crictl" "$CRICTL_VERSION" "-X $CRICTL_MODULE/pkg/version.Version=$CRICTL_VERSION"
}

build_pause() { (cd "$ROOT" && run_logged "building pause" go_env go build -trimpath -ldflags "$GO_LDFLAGS" -o "$1/pause" ./testkit/node-image/pause); }

# all_binaries fills K8S_BIN, ETCD_BIN, COREDNS_BIN, CRICTL_BIN and PAUSE_BIN,
# the cached directories of each build.
all_binaries() {
	go_cached etcd "$(words_hash "$ETCD_MODULE@$ETCD_VERSION" "${ETCD_SIBLINGS[@]}" "$GO_LDFLAGS" "$GO_VERSION" "$ARCH" "recipe $GO_RECIPE")" build_etcd
	ETCD_BIN=$GO_DIR
	go_cached coredns "$(words_hash "$COREDNS_MODULE@$COREDNS_VERSION" "$GO_LDFLAGS" "$GO_VERSION" "$ARCH")" build_coredns
	COREDNS_BIN=$GO_DIR
	go_cached crictl "$(words_hash "$CRICTL_MODULE@$CRICTL_VERSION" "$GO_LDFLAGS" "$GO_VERSION" "$ARCH")" build_crictl
	CRICTL_BIN=$GO_DIR
	go_cached pause "$(words_hash "$(sha256sum <"$DIR/pause/main.go")" "$GO_LDFLAGS" "$GO_VERSION" "$ARCH")" build_pause
	PAUSE_BIN=$GO_DIR
	go_cached kubernetes "$(words_hash "$K8S_MODULE@$K8S_VERSION" "staging $STAGING_VERSION" "${K8S_COMMANDS[@]}" "$(k8s_ldflags)" "$GO_VERSION" "$ARCH" "recipe $GO_RECIPE")" build_kubernetes
	K8S_BIN=$GO_DIR
}

# --- images ----------------------------------------------------------------------

# component_image REF BINARY ENTRYPOINT [APT PACKAGES...] builds REF from the
# Debian base with BINARY in /usr/local/bin, saves it into $ARCHIVES and
# removes it from the engine again.
component_image() {
	local ref=$1 bin=$2 entrypoint=$3 ctx name
	shift 3
	name=${ref##*/}
	name=${name%%:*}
	[[ $(image_state "$ref" x) != real ]] ||
		die "$ref exists and is not a stand-in; remove it or build where no registry answers"
	temp_dir
	ctx=$TEMP
	cp "$bin" "$ctx/"
	{
		printf 'FROM %s\n' "$BASE_REF"
		if (($#)); then
			printf 'RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends %s \\\n' "$*"
			printf '\t&& rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt/* /var/log/dpkg.log\n'
		fi
		printf 'COPY %s /usr/local/bin/%s\n' "${bin##*/}" "${bin##*/}"
		printf 'LABEL lab.standin=true\n'
		printf 'ENTRYPOINT ["%s"]\n' "$entrypoint"
	} >"$ctx/Dockerfile"
	TEMP_IMAGES+=("$ref")
	run_logged "building $ref" docker build -q -t "$ref" "$ctx"
	run_logged "saving $ref" docker save -o "$ARCHIVES/$name.tar" "$ref"
	docker image rm "$ref" >/dev/null
	rm -rf "$ctx"
}

# The container that preloads the images: containerd with the node's own
# configuration, fed each archive, then stopped; what it wrote under
# /var/lib/containerd is committed into the node image.
# shellcheck disable=SC2016
PRELOAD='set -eu
containerd --config /etc/containerd/config.toml >/tmp/containerd.log 2>&1 &
pid=$!
i=0
until ctr version >/dev/null 2>&1; do
	i=$((i + 1))
	if [ "$i" -gt 150 ]; then cat /tmp/containerd.log; exit 1; fi
	sleep 0.2
done
for t in /images/*.tar; do
	ctr -n k8s.io images import --no-unpack "$t"
done
ctr -n k8s.io images ls -q
kill "$pid"
wait "$pid" || true
# Each node gets its own containerd instance id when it starts.
rm -f /var/lib/containerd/io.containerd.grpc.v1.introspection/uuid
rm -rf /tmp/* /run/containerd /var/log/containerd* 2>/dev/null || true'

build_node_image() {
	local hash=$1 ctx tmpref=lab-standin-build/kind-node:$1 c=lab-standin-build-node-$$ start
	temp_dir
	ARCHIVES=$TEMP
	start=$SECONDS
	component_image "$REGISTRY/kube-apiserver:$K8S_VERSION" "$K8S_BIN/kube-apiserver" /usr/local/bin/kube-apiserver
	component_image "$REGISTRY/kube-controller-manager:$K8S_VERSION" "$K8S_BIN/kube-controller-manager" /usr/local/bin/kube-controller-manager
	component_image "$REGISTRY/kube-scheduler:$K8S_VERSION" "$K8S_BIN/kube-scheduler" /usr/local/bin/kube-scheduler
	component_image "$REGISTRY/kube-proxy:$K8S_VERSION" "$K8S_BIN/kube-proxy" /usr/local/bin/kube-proxy iptables conntrack
	component_image "$REGISTRY/etcd:$ETCD_TAG" "$ETCD_BIN/etcd" /usr/local/bin/etcd
	component_image "$REGISTRY/coredns/coredns:$COREDNS_VERSION" "$COREDNS_BIN/coredns" /usr/local/bin/coredns
	component_image "$REGISTRY/pause:$PAUSE_TAG" "$PAUSE_BIN/pause" /usr/local/bin/pause
	say "control-plane images built and saved in $((SECONDS - start))s"

	temp_dir
	ctx=$TEMP
	cp -a "$DIR/Dockerfile" "$DIR/files" "$ctx/"
	mkdir -p "$ctx/bin" "$ctx/sbin"
	cp "$K8S_BIN/kubeadm" "$K8S_BIN/kubelet" "$K8S_BIN/kubectl" "$CRICTL_BIN/crictl" "$ctx/bin/"
	cp "$RUNC" "$ctx/sbin/runc"
	start=$SECONDS
	TEMP_IMAGES+=("$tmpref")
	run_logged "building the node image" docker build --build-arg "BASE=$BASE_REF" --build-arg "LAB_STANDIN_INPUTS=$hash" -t "$tmpref" "$ctx"
	rm -rf "$ctx"
	say "node image layers built in $((SECONDS - start))s"

	start=$SECONDS
	TEMP_CONTAINERS+=("$c")
	run_logged "preloading images into the node's containerd" docker run --name "$c" --network none \
		-v "$ARCHIVES:/images:ro" --entrypoint /bin/sh "$tmpref" -c "$PRELOAD"
	docker logs "$c" 2>/dev/null | sed 's/^/  preloaded: /' >&2
	run_logged "committing $NODE_REF" docker commit \
		--change 'ENTRYPOINT ["/usr/local/bin/entrypoint"]' \
		--change 'CMD []' \
		"$c" "$NODE_REF"
	docker rm -f -v "$c" >/dev/null
	docker image rm "$tmpref" >/dev/null
	rm -rf "$ARCHIVES"
	say "images preloaded in $((SECONDS - start))s"
}

# check_node_image makes sure the committed image is what kind expects.
check_node_image() {
	local ref=$1 out
	out=$(docker image inspect --format '{{json .Config.Entrypoint}} {{json .Config.Cmd}} {{.Config.StopSignal}}' "$ref")
	[[ $out == '["/usr/local/bin/entrypoint"] null SIGRTMIN+3' || $out == '["/usr/local/bin/entrypoint"] [] SIGRTMIN+3' ]] ||
		die "$ref: unexpected entrypoint, cmd or stop signal: $out"
	out=$(docker run --rm --entrypoint /bin/sh "$ref" -c '
		cat /kind/version
		kubelet --version
		runc --version | sed -n 1p
		test -f /kind/manifests/default-cni.yaml && echo default-cni
		ls /var/lib/containerd/io.containerd.content.v1.content/blobs/sha256 | wc -l
		find / -xdev -name "*.tar" -size +1M 2>/dev/null | sed -n 1,3p
	')
	say "$ref:"
	printf '  %s\n' "${out//$'\n'/$'\n'  }" >&2
	grep -qxF "$K8S_VERSION" <<<"$out" || die "$ref: /kind/version is not $K8S_VERSION"
}

# --- proof with kind ------------------------------------------------------------

# dns_probe KUBECTL... proves in-cluster DNS on the cluster KUBECTL talks to:
# a pod resolves kubernetes.default and a Service's short and full names. It
# loads nothing: the Debian base must be in the node's containerd already.
dns_probe() {
	local ns=lab-dns-probe
	"$@" delete namespace "$ns" --ignore-not-found --wait >/dev/null
	"$@" create namespace "$ns" >/dev/null
	"$@" -n "$ns" create deployment web --image="$BASE_REF" --port=80 -- sleep infinity >/dev/null
	"$@" -n "$ns" patch deployment web --type=json \
		-p '[{"op":"replace","path":"/spec/template/spec/containers/0/imagePullPolicy","value":"Never"}]' >/dev/null
	"$@" -n "$ns" expose deployment web --port=80 >/dev/null
	"$@" -n "$ns" run probe --image="$BASE_REF" --image-pull-policy=Never --restart=Never --command -- \
		sh -c "getent hosts kubernetes.default && getent hosts web && getent hosts web.$ns.svc.cluster.local" >/dev/null
	"$@" -n "$ns" wait --for=jsonpath='{.status.phase}'=Succeeded pod/probe --timeout=90s >&2 || {
		"$@" -n "$ns" logs probe >&2 || true
		"$@" -n "$ns" get pods -o wide >&2 || true
		"$@" -n kube-system get pods >&2 || true
		die "a pod did not resolve Service names"
	}
	"$@" -n "$ns" logs probe | sed 's/^/  resolved: /' >&2
	"$@" delete namespace "$ns" --wait=false >/dev/null
	say "in-cluster DNS: a pod resolved kubernetes.default and a Service name"
}

# prove creates a cluster of its own from the image, with the lessons' kind
# configuration minus the host port (so it never collides with the lab
# cluster), checks the node, CoreDNS and in-cluster DNS, and deletes it.
prove() {
	local kind=$TOOLS/kind kubeconfig cfg start
	temp_dir
	kubeconfig=$TEMP/kubeconfig
	cfg=$TEMP/cluster.yaml
	printf 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n  - role: control-plane\n' >"$cfg"
	k() { "$TOOLS/kubectl" --kubeconfig "$kubeconfig" "$@"; }
	"$kind" delete cluster --name "$PROVE_CLUSTER" >/dev/null 2>&1 || true
	start=$SECONDS
	trap '"$kind" delete cluster --name "$PROVE_CLUSTER" >/dev/null 2>&1 || true; cleanup' EXIT
	run_logged "kind create cluster" "$kind" create cluster --name "$PROVE_CLUSTER" --image "$NODE_REF" \
		--config "$cfg" --kubeconfig "$kubeconfig" --wait 120s
	say "cluster $PROVE_CLUSTER created in $((SECONDS - start))s"
	k wait --for=condition=Ready node --all --timeout=120s >&2
	k -n kube-system rollout status deployment/coredns --timeout=120s >&2
	run_logged "kind load docker-image $BASE_REF" "$kind" load docker-image "$BASE_REF" --name "$PROVE_CLUSTER"
	dns_probe k
	k get nodes -o wide >&2
	"$kind" delete cluster --name "$PROVE_CLUSTER" >&2
	trap cleanup EXIT
	say "proved in $((SECONDS - start))s"
}

# prove_dns CLUSTER proves in-cluster DNS on an existing kind cluster (the
# one `lab cluster up` made), loading the Debian base into it first.
prove_dns() {
	local name=$1 kubeconfig
	temp_dir
	kubeconfig=$TEMP/kubeconfig
	run_logged "kind get kubeconfig --name $name" sh -c '"$1" get kubeconfig --name "$2" >"$3"' _ "$TOOLS/kind" "$name" "$kubeconfig"
	run_logged "kind load docker-image $BASE_REF" "$TOOLS/kind" load docker-image "$BASE_REF" --name "$name"
	k() { "$TOOLS/kubectl" --kubeconfig "$kubeconfig" "$@"; }
	dns_probe k
}

# --- the CLIs the lessons use ----------------------------------------------------

# install_tools puts kind (from its Go module) and the node image's own
# kubectl into $TOOLS and links them into $TOOLS_LINK_DIR, so the lessons'
# reference solutions find them on PATH.
install_tools() {
	local id c=lab-standin-kubectl-$$
	go_cached kind "$(words_hash "$KIND_MODULE@$KIND_VERSION" "$GO_LDFLAGS" "$GO_VERSION" "$(go env GOARCH)")" build_kind_host
	mkdir -p "$TOOLS"
	ln -sf "$GO_DIR/kind" "$TOOLS/kind"
	id=$(docker image inspect --format '{{.Id}}' "$NODE_REF")
	if [[ ! -x $TOOLS/kubectl || $(cat "$TOOLS/kubectl.from" 2>/dev/null) != "$id" ]]; then
		TEMP_CONTAINERS+=("$c")
		docker create --name "$c" "$NODE_REF" >/dev/null
		docker cp "$c:/usr/bin/kubectl" "$TOOLS/kubectl.new" >/dev/null
		docker rm -f "$c" >/dev/null
		mv "$TOOLS/kubectl.new" "$TOOLS/kubectl"
		printf '%s\n' "$id" >"$TOOLS/kubectl.from"
	fi
	if [[ -n $TOOLS_LINK_DIR ]]; then
		mkdir -p "$TOOLS_LINK_DIR"
		ln -sf "$TOOLS/kind" "$TOOLS_LINK_DIR/kind"
		ln -sf "$TOOLS/kubectl" "$TOOLS_LINK_DIR/kubectl"
	fi
	say "tools: $("$TOOLS/kind" version), kubectl $("$TOOLS/kubectl" version --client -o json | sed -n 's/.*"gitVersion": "\(.*\)".*/\1/p' | sed -n 1p)"
}

# kind runs on the host, whose architecture may differ from the engine's.
build_kind_host() { (ARCH=$(go env GOARCH) && go_install "$1" "$KIND_MODULE" "$KIND_VERSION"); }

# --- main ----------------------------------------------------------------------

main() {
	local hash state old start
	while (($#)); do
		case $1 in
		--prove) PROVE=1 ;;
		--prove-dns)
			(($# > 1)) || die "--prove-dns needs a cluster name"
			PROVE_DNS=$2
			shift
			;;
		--print-ref)
			printf '%s\n' "$NODE_REF"
			return 0
			;;
		-h | --help)
			sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
			return 0
			;;
		*) die "unknown argument $1 (see --help)" ;;
		esac
		shift
	done
	wait_engine
	[[ -x $RUNC ]] || die "$RUNC is missing; run testkit/engine.sh first (it builds runc)"
	command -v go >/dev/null 2>&1 || die "go is not on PATH; the binaries are built from Go modules"
	mkdir -p "$CACHE"
	exec 9>"$CACHE/lock"
	flock 9
	ARCH=$(docker version --format '{{.Server.Arch}}')
	GO_VERSION=$(go env GOVERSION)

	# The Debian base is the lesson stand-ins' base (built when missing or stale).
	run_logged "the Debian base ($BASE_REF)" bash "$ROOT/testkit/lesson-standins.sh" debian
	local base_hash
	base_hash=$(docker image inspect --format '{{index .Config.Labels "lab.standin.inputs"}}' "$BASE_REF")

	hash=$(image_inputs_hash "base $base_hash" "runc $(sha256sum <"$RUNC" | cut -c1-16)" \
		"$K8S_MODULE@$K8S_VERSION $STAGING_VERSION" "$ETCD_MODULE@$ETCD_VERSION" \
		"$COREDNS_MODULE@$COREDNS_VERSION" "$CRICTL_MODULE@$CRICTL_VERSION" \
		"$PAUSE_TAG $ETCD_TAG $REGISTRY" "$GO_VERSION" "$ARCH" "$GO_LDFLAGS" "image recipe $IMAGE_RECIPE")
	state=$(image_state "$NODE_REF" "$hash")
	case $state in
	real) say "$NODE_REF: exists and is not a stand-in; kept" ;;
	current) say "$NODE_REF: up to date (inputs $hash)" ;;
	*)
		old=$(docker image inspect --format '{{.Id}}' "$NODE_REF" 2>/dev/null || true)
		start=$SECONDS
		all_binaries
		say "binaries ready in $((SECONDS - start))s"
		build_node_image "$hash"
		check_node_image "$NODE_REF"
		[[ -z $old ]] || docker image rm "$old" >/dev/null 2>&1 || true
		say "$NODE_REF: built in $((SECONDS - start))s, $(docker image inspect --format '{{.Size}}' "$NODE_REF" | awk '{printf "%.0f MB", $1 / 1e6}') (inputs $hash)"
		;;
	esac
	install_tools
	if ((PROVE)); then
		prove
	fi
	if [[ -n $PROVE_DNS ]]; then
		prove_dns "$PROVE_DNS"
	fi
}

main "$@"
