package app

import (
	"runtime/debug"
	"testing"
)

func TestFillBuildInfo(t *testing.T) {
	vcs := func(rev, at, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.time", Value: at}, {Key: "vcs.modified", Value: modified}}
	}
	tests := []struct {
		name string
		set  buildInfo // what the linker flags set
		bi   debug.BuildInfo
		want buildInfo
	}{
		{"linker flags win",
			buildInfo{Version: "v1.2.0", Commit: "abc1234", Date: "2026-01-01T00:00:00Z"},
			debug.BuildInfo{Main: debug.Module{Version: "v0.9.0"}, Settings: vcs("ffffffffffffffff", "2025-01-01T00:00:00Z", "true")},
			buildInfo{Version: "v1.2.0", Commit: "abc1234", Date: "2026-01-01T00:00:00Z"}},
		{"go install module@version",
			buildInfo{},
			debug.BuildInfo{Main: debug.Module{Version: "v1.3.0"}},
			buildInfo{Version: "v1.3.0"}},
		{"go build in a checkout with changes",
			buildInfo{},
			debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("0123456789abcdef0123", "2026-02-03T04:05:06Z", "true")},
			buildInfo{Commit: "0123456789ab-dirty", Date: "2026-02-03T04:05:06Z"}},
		{"go build in a clean checkout",
			buildInfo{},
			debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("0123456789abcdef0123", "2026-02-03T04:05:06Z", "false")},
			buildInfo{Commit: "0123456789ab", Date: "2026-02-03T04:05:06Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fillBuildInfo(tt.set, &tt.bi); got != tt.want {
				t.Errorf("fillBuildInfo = %+v, want %+v", got, tt.want)
			}
		})
	}
}
