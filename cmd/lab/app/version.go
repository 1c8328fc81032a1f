package app

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/urfave/cli/v3"
)

// Set at build time by the release build (testkit/dist.sh):
//
//	-ldflags "-X github.com/lab-workshop/lab/cmd/lab/app.version=v1.2.3
//	          -X github.com/lab-workshop/lab/cmd/lab/app.commit=abc1234
//	          -X github.com/lab-workshop/lab/cmd/lab/app.date=2026-01-02T03:04:05Z"
//
// Without them (go install, go build) they come from the module and VCS
// information Go records in the binary.
var (
	version = ""
	commit  = ""
	date    = ""
)

// buildInfo is what `lab version` reports.
type buildInfo struct {
	Version, Commit, Date, Go, Platform string
}

func readBuildInfo() buildInfo {
	b := buildInfo{Version: version, Commit: commit, Date: date, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi, ok := debug.ReadBuildInfo(); ok {
		b = fillBuildInfo(b, bi)
	}
	for _, f := range []*string{&b.Version, &b.Commit, &b.Date} {
		if *f == "" {
			*f = "unknown"
		}
	}
	if b.Version == "unknown" {
		b.Version = "dev"
	}
	return b
}

// fillBuildInfo fills what the linker flags left empty from Go's build
// information: the module version (set by go install …@version) and the
// vcs.revision, vcs.time and vcs.modified settings (set by go build in a
// git checkout).
func fillBuildInfo(b buildInfo, bi *debug.BuildInfo) buildInfo {
	if b.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		b.Version = bi.Main.Version
	}
	var rev, at string
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if b.Commit == "" && rev != "" {
		b.Commit = rev[:min(len(rev), 12)]
		if modified {
			b.Commit += "-dirty"
		}
	}
	if b.Date == "" {
		b.Date = at
	}
	return b
}

func labVersion() string {
	return readBuildInfo().Version
}

func newVersionCmd(s *IOStreams) *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print lab's version, commit, build date and Go version",
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if err := maxArgs(cmd, 0); err != nil {
				return err
			}
			b := readBuildInfo()
			fmt.Fprintf(s.Out, "lab %s\ncommit: %s\nbuilt:  %s\ngo:     %s %s\n", b.Version, b.Commit, b.Date, b.Go, b.Platform)
			return nil
		},
	}
}
