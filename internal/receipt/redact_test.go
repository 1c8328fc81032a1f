package receipt

import "testing"

func TestRedact(t *testing.T) {
	env := map[string]string{
		"DOCKER_HOST": "tcp://ana:s3cret@10.0.0.5:2376",
		"HOME":        "/home/ana",
	}
	r := NewRedactor(func(k string) string { return env[k] })
	for _, tc := range []struct{ in, want string }{
		{"plain failure", "plain failure"},
		{"cannot connect to tcp://ana:s3cret@10.0.0.5:2376: refused", "cannot connect to $DOCKER_HOST: refused"},
		{"Cannot connect to the Docker daemon at tcp://ana:s3cret@10.0.0.5:2376. Is the docker daemon running?",
			"Cannot connect to the Docker daemon at $DOCKER_HOST. Is the docker daemon running?"},
		{"pulling https://bob:hunter2@registry.example/v2/: 401", "pulling https://***@registry.example/v2/: 401"},
		{"token in ssh://deploy@build-host", "token in ssh://***@build-host"},
		{"reading /home/ana/lab-workspace/Dockerfile: no such file", "reading ~/lab-workspace/Dockerfile: no such file"},
		{"cd /home/ana", "cd ~"},
		{`file "/home/ana"`, `file "~"`},
		{"/home/anabel/x is someone else's", "/home/anabel/x is someone else's"},
		{"mail ana@example.com", "mail ana@example.com"},
	} {
		if got := r.Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}

	// No DOCKER_HOST, no home: URL credentials still go.
	none := NewRedactor(func(string) string { return "" })
	if got, want := none.Redact("at tcp://u:p@h:1 and /"), "at tcp://***@h:1 and /"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	root := NewRedactor(func(k string) string { return map[string]string{"HOME": "/"}[k] })
	if got, want := root.Redact("/etc/hosts"), "/etc/hosts"; got != want {
		t.Errorf("HOME=/: got %q, want %q", got, want)
	}
}
