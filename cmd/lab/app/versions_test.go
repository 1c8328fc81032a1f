package app

import (
	"strings"
	"testing"

	"github.com/lab-workshop/lab/lessons"
)

func TestSkewFindings(t *testing.T) {
	tests := []struct {
		kubectl, server string
		want            string // the finding's level, "" for none
		fix             string
	}{
		{"Client Version: v1.37.0", "v1.37.2", "ok", ""},
		{"Client Version: v1.36.4", "v1.37.2", "ok", ""},
		{"Client Version: v1.38.0", "v1.37.2", "ok", ""},
		{"Client Version: v1.35.0", "v1.37.2", "warn", "install kubectl 1.36 to 1.38"},
		{"Client Version: v1.39.1", "v1.37.2", "warn", "install kubectl 1.36 to 1.38"},
		{"Client Version: v2.37.0", "v1.37.2", "warn", "install kubectl 1.36 to 1.38"},
		{"Client Version: v1.2.0", "v1.0.0", "warn", "install kubectl 1.0:"},
		{"", "v1.37.2", "", ""},
		{"Client Version: v1.37.0", "", "", ""},
		{"Client Version: unknown", "v1.37.2", "", ""},
	}
	for _, tt := range tests {
		fs := skewFindings(toolVersions{lessons.ToolKubectl: tt.kubectl, lessons.ToolKubernetes: tt.server})
		got := ""
		if len(fs) > 0 {
			got = fs[0].level
		}
		if got != tt.want || (tt.fix != "" && !strings.Contains(fs[0].fix, tt.fix)) {
			t.Errorf("kubectl %q, server %q: got %+v, want level %q with fix %q", tt.kubectl, tt.server, fs, tt.want, tt.fix)
		}
	}
}
