# lib.sh holds what the image scripts of the test kit (lesson-standins.sh,
# node-image.sh) share. Source it after defining say; it defines die.

die() {
	say "$*"
	exit 1
}

# image_state REF HASH prints current, stale, absent or real: a stand-in
# built from inputs HASH, one built from other inputs, no image, or an image
# that is not a stand-in (never replaced).
image_state() {
	local labels
	labels=$(docker image inspect --format '{{index .Config.Labels "lab.standin"}} {{index .Config.Labels "lab.standin.inputs"}}' "$1" 2>/dev/null) || {
		echo absent
		return
	}
	case $labels in
	"true $2") echo current ;;
	true\ *) echo stale ;;
	*) echo real ;;
	esac
}

# wait_engine waits up to a minute for the Docker engine to answer.
wait_engine() {
	local deadline=$((SECONDS + 60))
	until docker info >/dev/null 2>&1; do
		((SECONDS < deadline)) || die "no Docker engine answers; run testkit/engine.sh first"
		sleep 2
	done
}
