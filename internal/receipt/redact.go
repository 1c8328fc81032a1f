package receipt

import (
	"regexp"
	"strings"
)

// Redactor removes from failure text what must not leave the learner's
// machine in a receipt: the value of DOCKER_HOST (an address, perhaps with
// credentials in it), the user:password part of any URL, and the home
// directory, which names the account. A receipt proves what was observed;
// it need not say where the learner keeps their files.
type Redactor struct {
	dockerHost string
	home       *regexp.Regexp
}

// userinfo is the user[:password]@ part of a URL.
var userinfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\s]+@`)

// NewRedactor reads what to redact from the environment getenv gives:
// DOCKER_HOST, and the home directory (HOME, or USERPROFILE on Windows).
func NewRedactor(getenv func(string) string) *Redactor {
	r := &Redactor{dockerHost: strings.TrimSpace(getenv("DOCKER_HOST"))}
	home := getenv("HOME")
	if home == "" {
		home = getenv("USERPROFILE")
	}
	home = strings.TrimRight(home, `/\`)
	if len(home) > 1 {
		// The home directory only where it ends a path element:
		// /home/ana/x, not /home/anabel.
		r.home = regexp.MustCompile(regexp.QuoteMeta(home) + `([/\\\s"'()\[\],;:]|$)`)
	}
	return r
}

// Redact returns text with DOCKER_HOST's value written as $DOCKER_HOST,
// URL credentials as ***, and the home directory as ~.
func (r *Redactor) Redact(text string) string {
	if r.dockerHost != "" {
		text = strings.ReplaceAll(text, r.dockerHost, "$DOCKER_HOST")
	}
	text = userinfo.ReplaceAllString(text, "${1}***@")
	if r.home != nil {
		text = r.home.ReplaceAllString(text, "~${1}")
	}
	return text
}

// RedactAll redacts every text in list, in place, and returns it.
func (r *Redactor) RedactAll(list []string) []string {
	for i, s := range list {
		list[i] = r.Redact(s)
	}
	return list
}
