package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/schema"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/sirupsen/logrus"
	"go.yaml.in/yaml/v3"

	"github.com/lab-workshop/lab/internal/suggest"
)

// Compose labels the containers, networks and volumes of a project with
// these; lab finds a project's objects by them, as `docker compose` does.
const (
	ComposeProjectLabel = "com.docker.compose.project"
	ComposeServiceLabel = "com.docker.compose.service"
	ComposeVolumeLabel  = "com.docker.compose.volume"
	// ComposeOneoffLabel is "True" on containers of `docker compose run`,
	// which are not the service's own.
	ComposeOneoffLabel = "com.docker.compose.oneoff"
)

// ComposeFile is a Compose file as `docker compose` reads it (compose-go:
// the compose-spec schema, interpolation of ${VARIABLES} from the
// environment and .env, defaults, short syntax expanded), in plain types.
type ComposeFile struct {
	Path string
	// Name is the project name the file declares with a top-level name:,
	// empty when it declares none.
	Name     string
	Services map[string]ComposeService
	// Volumes are the top-level named volumes, by their key in the file.
	Volumes map[string]ComposeVolume
	// Warnings are what Compose would warn about while reading the file
	// (a variable that is not set, say).
	Warnings []string

	root *yaml.Node // the file's own YAML, to find the line of a key
}

// ComposeService is one service of a Compose file.
type ComposeService struct {
	Name  string
	Image string
	// Build is the build context when the service is built, else empty.
	Build string
	Ports []ComposePort
	// Environment holds the variables the service sets; a variable listed
	// without a value and not set in the environment has no entry.
	Environment map[string]string
	DependsOn   []string // sorted
	Restart     string   // "", no, always, on-failure[:N], unless-stopped
	Volumes     []ComposeMount
	Networks    []string // sorted
}

// ComposePort is one published port of a service.
type ComposePort struct {
	HostIP    string // empty: every interface
	Published string // host port or range; empty: a random host port
	Target    int    // container port
	Protocol  string // tcp, udp
}

// ComposeMount is one entry of a service's volumes:.
type ComposeMount struct {
	Type     string // volume, bind, tmpfs
	Source   string // volume key or host path; empty for an anonymous volume
	Target   string
	ReadOnly bool
}

// ComposeVolume is a named volume declared at the top level.
type ComposeVolume struct {
	Key string
	// Name is the Docker volume's name: <project>_<key> unless the file
	// names it (name:) or it is external.
	Name     string
	External bool
}

// ComposeFileError says why a Compose file cannot be used, at the line and
// key of the file where the problem is, when that is known.
type ComposeFileError struct {
	Path string
	Line int    // 1-based; 0 when unknown
	Key  string // the dotted path of the key, like services.app.ports; may be empty
	Msg  string
	// Suggest is a key that the file probably meant, when Msg is about an
	// unknown key.
	Suggest string
}

func (e *ComposeFileError) Error() string {
	var b strings.Builder
	b.WriteString(e.Path)
	if e.Line > 0 {
		fmt.Fprintf(&b, " line %d", e.Line)
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Msg)
	if e.Suggest != "" {
		fmt.Fprintf(&b, "; did you mean %q?", e.Suggest)
	}
	return b.String()
}

// LoadComposeFile reads the Compose file at path the way `docker compose
// -p project` reads it, with variables taken from env and the file's .env.
// A file that does not exist gives an error for which errors.Is(err,
// fs.ErrNotExist) holds; a file Compose rejects gives a *ComposeFileError.
func LoadComposeFile(ctx context.Context, path, project string, env []string) (*ComposeFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f := &ComposeFile{Path: path}
	// The file's own YAML gives lines for messages; a syntax error in it
	// is left for compose-go to report, as docker compose would.
	var root yaml.Node
	if yaml.Unmarshal(data, &root) == nil {
		f.root = &root
	}
	if n := f.node("name"); n != nil && n.Kind == yaml.ScalarNode {
		f.Name = n.Value
	}

	var p *types.Project
	warnings, err := captureComposeWarnings(func() error {
		opts, err := cli.NewProjectOptions([]string{path},
			cli.WithName(project),
			cli.WithWorkingDirectory(filepath.Dir(path)),
			cli.WithEnv(env),
			cli.WithEnvFiles(),
			cli.WithDotEnv,
		)
		if err != nil {
			return err
		}
		p, err = opts.LoadProject(ctx)
		return err
	})
	f.Warnings = warnings
	if err != nil {
		return nil, f.loadError(err, data)
	}

	f.Services = make(map[string]ComposeService, len(p.Services))
	for name, s := range p.Services {
		f.Services[name] = composeService(name, s)
	}
	f.Volumes = make(map[string]ComposeVolume, len(p.Volumes))
	for key, v := range p.Volumes {
		f.Volumes[key] = ComposeVolume{Key: key, Name: v.Name, External: bool(v.External)}
	}
	return f, nil
}

func composeService(name string, s types.ServiceConfig) ComposeService {
	cs := ComposeService{Name: name, Image: s.Image, Restart: s.Restart, Environment: map[string]string{}}
	if s.Build != nil {
		cs.Build = s.Build.Context
	}
	for _, p := range s.Ports {
		cs.Ports = append(cs.Ports, ComposePort{HostIP: p.HostIP, Published: p.Published, Target: int(p.Target), Protocol: p.Protocol})
	}
	for k, v := range s.Environment {
		if v != nil {
			cs.Environment[k] = *v
		}
	}
	for dep := range s.DependsOn {
		cs.DependsOn = append(cs.DependsOn, dep)
	}
	slices.Sort(cs.DependsOn)
	for _, v := range s.Volumes {
		cs.Volumes = append(cs.Volumes, ComposeMount{Type: v.Type, Source: v.Source, Target: v.Target, ReadOnly: v.ReadOnly})
	}
	for n := range s.Networks {
		cs.Networks = append(cs.Networks, n)
	}
	slices.Sort(cs.Networks)
	return cs
}

// Line is the line of the key at path (like "services", "app", "ports")
// in the file, or of the nearest key above it that the file has; 0 when the
// file has none of them.
func (f *ComposeFile) Line(path ...string) int {
	for i := len(path); i > 0; i-- {
		if n := f.keyNode(path[:i]...); n != nil {
			return n.Line
		}
	}
	return 0
}

// node is the value at path, nil when the file has no such key.
func (f *ComposeFile) node(path ...string) *yaml.Node {
	if f.root == nil || len(f.root.Content) == 0 {
		return nil
	}
	n := f.root.Content[0]
	for _, key := range path {
		k, v := mappingEntry(n, key)
		if k == nil {
			return nil
		}
		n = v
	}
	return n
}

// keyNode is the key node of the last element of path, which carries the
// line a reader looks for.
func (f *ComposeFile) keyNode(path ...string) *yaml.Node {
	if len(path) == 0 {
		return nil
	}
	parent := f.node(path[:len(path)-1]...)
	last := path[len(path)-1]
	if parent != nil && parent.Kind == yaml.SequenceNode {
		if i, err := strconv.Atoi(last); err == nil && i >= 0 && i < len(parent.Content) {
			return parent.Content[i]
		}
		return nil
	}
	k, _ := mappingEntry(parent, last)
	return k
}

func mappingEntry(n *yaml.Node, key string) (k, v *yaml.Node) {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n == nil {
		return nil, nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i], n.Content[i+1]
			}
		}
	case yaml.SequenceNode:
		if i, err := strconv.Atoi(key); err == nil && i >= 0 && i < len(n.Content) {
			return n.Content[i], n.Content[i]
		}
	}
	return nil, nil
}

var (
	yamlLine       = regexp.MustCompile(`line (\d+)`)
	schemaProblem  = regexp.MustCompile(`^validating [^:]+: (\S*) (.*)$`)
	unknownKey     = regexp.MustCompile(`additional properties '([^']+)' not allowed`)
	serviceProblem = regexp.MustCompile(`service "([^"]+)"`)
)

// yamlSyntaxError reports a YAML error at the line the parser stopped.
func yamlSyntaxError(path, msg string) *ComposeFileError {
	msg = strings.TrimPrefix(msg, "yaml: ")
	e := &ComposeFileError{Path: path, Msg: "not valid YAML: " + msg}
	if m := yamlLine.FindAllStringSubmatch(msg, -1); len(m) > 0 {
		e.Line, _ = strconv.Atoi(m[len(m)-1][1])
		// The line is in the front of the message already.
		e.Msg = "not valid YAML: " + lastClause(msg)
	}
	return e
}

// yamlErrorOffset finds the byte offset where the YAML parser stopped, in
// the Mark of its error. The parser compose-go uses keeps its error types
// internal, and its messages count lines from 0 in some errors and from 1
// in others; the offset is exact.
func yamlErrorOffset(err error) (int, bool) {
	for ; err != nil; err = errors.Unwrap(err) {
		v := reflect.ValueOf(err)
		if v.Kind() == reflect.Pointer {
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct {
			continue
		}
		mark := v.FieldByName("Mark")
		if !mark.IsValid() || mark.Kind() != reflect.Struct {
			continue
		}
		if idx := mark.FieldByName("Index"); idx.IsValid() && idx.CanInt() {
			return int(idx.Int()), true
		}
	}
	return 0, false
}

// lastClause is the end of a "while parsing ...: line 5, column 4: did
// not find expected key" message: what went wrong.
func lastClause(msg string) string {
	parts := strings.Split(msg, ": ")
	return parts[len(parts)-1]
}

// loadError turns what compose-go said into a *ComposeFileError at the
// key it is about.
func (f *ComposeFile) loadError(err error, data []byte) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "failed to parse "+f.Path+": ")
	if strings.HasPrefix(msg, "yaml: ") {
		e := yamlSyntaxError(f.Path, msg)
		if off, ok := yamlErrorOffset(err); ok && off <= len(data) {
			e.Line = bytes.Count(data[:off], []byte("\n")) + 1
		}
		return e
	}
	if m := schemaProblem.FindStringSubmatch(msg); m != nil {
		key, what := m[1], strings.TrimSpace(m[2])
		if u := unknownKey.FindStringSubmatch(what); u != nil {
			key = strings.TrimPrefix(key+"."+u[1], ".")
		}
		path := strings.Split(key, ".")
		e := &ComposeFileError{Path: f.Path, Line: f.Line(path...), Key: key, Msg: what}
		if what == "false schema" || strings.HasPrefix(what, "additional properties") {
			e.Msg = "not a key Compose knows"
			e.Suggest = suggestKey(path)
		}
		return e
	}
	e := &ComposeFileError{Path: f.Path, Msg: strings.TrimSuffix(msg, ": invalid compose project")}
	if m := serviceProblem.FindStringSubmatch(msg); m != nil {
		e.Line = f.Line("services", m[1])
	}
	return e
}

// suggestKey proposes the key of the compose-spec schema closest to the
// unknown last element of path ("port" → "ports"), or nothing.
func suggestKey(path []string) string {
	var known []string
	switch {
	case len(path) == 1:
		known = schemaKeys("")
	case len(path) == 3 && path[0] == "services":
		known = schemaKeys("service")
	default:
		return ""
	}
	return closestWord(path[len(path)-1], known)
}

type schemaNode struct {
	Properties map[string]json.RawMessage `json:"properties"`
	AllOf      []struct {
		Ref string `json:"$ref"`
	} `json:"allOf"`
}

var (
	schemaOnce sync.Once
	schemaDoc  struct {
		schemaNode
		Defs map[string]schemaNode `json:"$defs"`
	}
)

// schemaKeys lists the keys the compose-spec schema allows at the top
// level ("") or in one of its definitions ("service"), with those of the
// definitions it is made of (allOf).
func schemaKeys(definition string) []string {
	schemaOnce.Do(func() { _ = json.Unmarshal([]byte(schema.Schema), &schemaDoc) })
	nodes := []schemaNode{schemaDoc.schemaNode}
	if definition != "" {
		def := schemaDoc.Defs[definition]
		nodes = []schemaNode{def}
		for _, part := range def.AllOf {
			if name, ok := strings.CutPrefix(part.Ref, "#/$defs/"); ok {
				nodes = append(nodes, schemaDoc.Defs[name])
			}
		}
	}
	var keys []string
	for _, n := range nodes {
		for k := range n.Properties {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	slices.Sort(keys)
	return keys
}

// closestWord is the candidate within two edits of word (or that word is
// a prefix of), preferring the fewest edits; empty when none is that close.
func closestWord(word string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		d := suggest.Distance(strings.ToLower(word), c)
		if strings.HasPrefix(c, word) && len(c)-len(word) <= 2 {
			d = min(d, 1)
		}
		if d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// composeLog serialises loads: compose-go logs its warnings through the
// process-wide logrus logger, which lab captures for the time of a load
// instead of letting it print.
var composeLog sync.Mutex

type warningRecorder struct{ msgs []string }

func (r *warningRecorder) Levels() []logrus.Level {
	return []logrus.Level{logrus.PanicLevel, logrus.FatalLevel, logrus.ErrorLevel, logrus.WarnLevel}
}

func (r *warningRecorder) Fire(e *logrus.Entry) error {
	r.msgs = append(r.msgs, e.Message)
	return nil
}

func captureComposeWarnings(fn func() error) ([]string, error) {
	composeLog.Lock()
	defer composeLog.Unlock()
	l := logrus.StandardLogger()
	rec := &warningRecorder{}
	oldOut := l.Out
	oldHooks := l.ReplaceHooks(logrus.LevelHooks{})
	l.AddHook(rec)
	l.SetOutput(io.Discard)
	defer func() {
		l.SetOutput(oldOut)
		l.ReplaceHooks(oldHooks)
	}()
	err := fn()
	return rec.msgs, err
}
