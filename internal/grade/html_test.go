package grade

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestHTMLIsSelfContained(t *testing.T) {
	var buf bytes.Buffer
	if err := HTML(&buf, class(t)); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, banned := range []string{"<script", "http://", "https://", "src=", "<link", "@import", "url("} {
		if strings.Contains(page, banned) {
			t.Errorf("page holds %q: it must load nothing from anywhere", banned)
		}
	}
	for _, want := range []string{
		"Content-Security-Policy",
		`<table id="matrix">`,
		"position: sticky",
		"Carla &lt;b&gt;Dias&lt;/b&gt;", // student names are text, never markup
		`<td class="st passed" title="docker-setup/cli: passed">✓</td>`,
		`<td class="st failed" title="containers/run: failed — container lab-web is not running">✗</td>`,
		`<td class="total">3/4 <small>75%</small></td>`,
		"hacked.json",
		"signature does not match the content",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

// chromium finds a headless-capable Chromium, or skips with the reason
// unless LAB_REQUIRE_CHROMIUM is set.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("LAB_REQUIRE_CHROMIUM") != "" {
		t.Fatal("LAB_REQUIRE_CHROMIUM is set but Chromium is not installed (apt-get install -y chromium)")
	}
	t.Skip("Chromium is not installed (apt-get install -y chromium); skipping the browser check of the HTML page")
	return ""
}

// headless runs Chromium on a local file with everything that could reach
// the network switched off, and returns its stdout and stderr.
func headless(t *testing.T, bin, page string, args ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-default-apps", "--disable-extensions", "--no-default-browser-check",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0",
	}
	cmd := exec.CommandContext(ctx, bin, append(append(base, args...), "file://"+page)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String(), errb.String()
}

// consoleProblems picks the page's console messages (errors, uncaught
// exceptions, blocked loads) out of Chromium's log.
var consoleLine = regexp.MustCompile(`(?m)^.*(:CONSOLE[:(]|Uncaught|Refused to|violates the following Content Security Policy).*$`)

func consoleProblems(log string) []string { return consoleLine.FindAllString(log, -1) }

// TestHTMLInChromium opens the class page in headless Chromium: the DOM
// must hold the matrix and every student, and the console must stay empty
// (no script errors, nothing blocked by the page's own policy).
// LAB_SCREENSHOT_DIR keeps a screenshot for a person to look at.
func TestHTMLInChromium(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "class.html")
	var buf bytes.Buffer
	if err := HTML(&buf, class(t)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	dom, log := headless(t, bin, page, "--dump-dom")
	for _, want := range []string{
		`<table id="matrix">`, "<thead>", "<tfoot>",
		"Ana Lima", "bruno costa", "Carla &lt;b&gt;Dias&lt;/b&gt;", "Dee Old", "Eve",
		"Pass rate", "unsigned.json", "foreign.json", "truncated.json",
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the DOM Chromium built lacks %q", want)
		}
	}
	if strings.Contains(dom, "<b>Dias</b>") {
		t.Error("a student name became markup in the DOM")
	}
	if rows := strings.Count(dom, `<th class="name" scope="row" title=`); rows != 5 {
		t.Errorf("got %d student rows in the DOM, want 5", rows)
	}
	if p := consoleProblems(log); len(p) > 0 {
		t.Errorf("console messages while loading the page:\n%s", strings.Join(p, "\n"))
	}

	shot := filepath.Join(dir, "class.png")
	_, log = headless(t, bin, page, "--hide-scrollbars", "--window-size=1280,900", "--screenshot="+shot)
	png, err := os.ReadFile(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v\n%s", err, log)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || len(png) < 10_000 {
		t.Errorf("screenshot is not a plausible PNG (%d bytes)", len(png))
	}
	if keep := os.Getenv("LAB_SCREENSHOT_DIR"); keep != "" {
		if err := os.WriteFile(filepath.Join(keep, "class.png"), png, 0o644); err != nil {
			t.Error(err)
		}
		if err := os.WriteFile(filepath.Join(keep, "class.html"), buf.Bytes(), 0o644); err != nil {
			t.Error(err)
		}
	}
}

// TestConsoleCheckHasTeeth proves the console scan sees what it must: a
// script error and a load the page's policy blocks, with this Chromium.
func TestConsoleCheckHasTeeth(t *testing.T) {
	bin := chromium(t)
	page := filepath.Join(t.TempDir(), "bad.html")
	bad := `<!DOCTYPE html><html><head><meta charset="utf-8">` +
		`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'"></head>` +
		`<body><img src="https://127.0.0.1:9/x.png" alt=""><script>throw new Error("bang")</script></body></html>`
	if err := os.WriteFile(page, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	_, log := headless(t, bin, page, "--dump-dom")
	p := strings.Join(consoleProblems(log), "\n")
	if !strings.Contains(p, "Uncaught Error: bang") {
		t.Errorf("the console scan missed the script error; Chromium's log:\n%s", log)
	}
	if !strings.Contains(p, "Content Security Policy") {
		t.Errorf("the console scan missed the blocked image; Chromium's log:\n%s", log)
	}
}
