package app

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSamePath(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile("k.key", []byte("key"), 0o600))
	must(os.WriteFile("other", []byte("x"), 0o600))
	must(os.Symlink("k.key", "link.key"))
	must(os.Link("k.key", "hard.key"))
	must(os.Mkdir("sub", 0o755))
	must(os.Symlink("sub", "alias"))

	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"k.key", "k.key", true},
		{"./k.key", "k.key", true},
		{filepath.Join(dir, "k.key"), "k.key", true},
		{"sub/../k.key", "k.key", true},
		{"link.key", "k.key", true},
		{"hard.key", "k.key", true},
		{"other", "k.key", false},
		{"new.json", "./new.json", true},
		{"alias/new.json", "sub/new.json", true},
		{"sub/new.json", "sub/other.json", false},
		{"", "k.key", false},
	} {
		if got := samePath(tc.a, tc.b); got != tc.want {
			t.Errorf("samePath(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestCheckClobber(t *testing.T) {
	t.Chdir(t.TempDir())
	in := []namedPath{{path: "class.key", name: "the signing key"}}
	for _, tc := range []struct {
		name    string
		outputs []namedPath
		wantErr bool
	}{
		{"distinct", []namedPath{{path: "a.json"}, {path: "b.xml"}}, false},
		{"an input", []namedPath{{path: "./class.key"}}, true},
		{"each other", []namedPath{{path: "x"}, {path: "y"}, {path: "./x"}}, true},
	} {
		err := checkClobber(tc.outputs, in)
		if (err != nil) != tc.wantErr {
			t.Errorf("%s: checkClobber = %v, want error %v", tc.name, err, tc.wantErr)
		}
		if err != nil && exitCode(err) != exitUsage {
			t.Errorf("%s: exit code %d, want %d", tc.name, exitCode(err), exitUsage)
		}
	}
}
