package sandbox

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/lab-workshop/lab/internal/dockerfile"
)

// ParseDockerfile reads Dockerfile text with BuildKit's own parser, the one
// `docker build` uses, so lab sees the instructions exactly as the build
// will: continuation lines, here-documents, JSON and shell forms, parser
// directives.
func ParseDockerfile(src []byte) (*dockerfile.File, error) {
	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil {
		return nil, err
	}
	f := &dockerfile.File{}
	for _, n := range res.AST.Children {
		in := instruction(n)
		switch {
		case in.Cmd == "from":
			s := dockerfile.Stage{From: in}
			if len(in.Args) > 0 {
				s.Base = in.Args[0]
			}
			if len(in.Args) >= 3 && strings.EqualFold(in.Args[1], "as") {
				s.Name = in.Args[2]
			}
			f.Stages = append(f.Stages, s)
		case len(f.Stages) == 0 && in.Cmd == "arg":
			f.GlobalArgs = append(f.GlobalArgs, in)
		case len(f.Stages) == 0:
			return nil, fmt.Errorf("line %d: %s comes before the first FROM; a Dockerfile starts with FROM (only ARG may come before it)", in.Line, strings.ToUpper(in.Cmd))
		default:
			last := &f.Stages[len(f.Stages)-1]
			last.Instructions = append(last.Instructions, in)
		}
	}
	if len(f.Stages) == 0 {
		return nil, fmt.Errorf("no FROM instruction: a Dockerfile starts with FROM and the image to build on")
	}
	return f, nil
}

func instruction(n *parser.Node) dockerfile.Instruction {
	in := dockerfile.Instruction{
		Cmd:      strings.ToLower(n.Value),
		Flags:    n.Flags,
		JSON:     n.Attributes["json"],
		Heredoc:  len(n.Heredocs) > 0,
		Line:     n.StartLine,
		EndLine:  n.EndLine,
		Original: n.Original,
	}
	for _, h := range n.Heredocs {
		in.Body += h.Content
	}
	for a := n.Next; a != nil; a = a.Next {
		in.Args = append(in.Args, a.Value)
	}
	return in
}

// ReadDockerfile reads and parses the Dockerfile at path, and returns its
// text too. A missing file gives an error for which errors.Is(err,
// fs.ErrNotExist) holds.
func ReadDockerfile(path string) (*dockerfile.File, []byte, error) {
	src, err := ReadBuildFile(path)
	if err != nil {
		return nil, nil, err
	}
	f, err := ParseDockerfile(src)
	if err != nil {
		return nil, src, fmt.Errorf("parsing %s: %w", path, err)
	}
	return f, src, nil
}
