package progress

import (
	"strings"
	"testing"
)

func TestDir(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    string
		wantErr string
	}{
		{
			name: "LAB_HOME wins over everything",
			env:  map[string]string{"LAB_HOME": "/srv/lab/", "XDG_STATE_HOME": "/x/state", "HOME": "/home/ann"},
			want: "/srv/lab",
		},
		{
			name: "XDG_STATE_HOME wins over HOME",
			env:  map[string]string{"XDG_STATE_HOME": "/x/state", "HOME": "/home/ann"},
			want: "/x/state/lab",
		},
		{
			name: "relative XDG_STATE_HOME is ignored",
			env:  map[string]string{"XDG_STATE_HOME": "state", "HOME": "/home/ann"},
			want: "/home/ann/.local/state/lab",
		},
		{
			name: "HOME is the fallback",
			env:  map[string]string{"HOME": "/home/ann"},
			want: "/home/ann/.local/state/lab",
		},
		{
			name:    "nothing set",
			env:     map[string]string{},
			wantErr: "set LAB_HOME",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Dir(func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
