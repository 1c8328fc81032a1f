package dockerfile

import (
	"path"
	"strings"
)

// ContextCopies says where the final image gets the build-context file
// name (a slash-separated path relative to the context) through the COPY
// and ADD instructions of the final stage and the stages it is built on:
// the paths in the image, with WORKDIR applied. followed is false when an
// instruction of the build copies in a way this does not follow (from
// another stage or image, with variables, here-documents or ADD of a URL),
// so only a build can tell.
func (f *File) ContextCopies(name string) (paths []string, followed bool) {
	final := f.Final()
	if final == nil {
		return nil, false
	}
	for si := range f.Stages {
		for _, in := range f.Stages[si].Instructions {
			if (in.Cmd == "copy" || in.Cmd == "add") && hasFlag(in.Flags, "--from") {
				return nil, false
			}
		}
	}
	workdir := "/"
	for _, si := range f.lineage(len(f.Stages) - 1) {
		for _, in := range f.Stages[si].Instructions {
			switch in.Cmd {
			case "workdir":
				if len(in.Args) != 1 || strings.Contains(in.Args[0], "$") {
					return nil, false
				}
				workdir = path.Join(workdir, in.Args[0])
				if strings.HasPrefix(in.Args[0], "/") {
					workdir = path.Clean(in.Args[0])
				}
			case "copy", "add":
				if in.Heredoc || len(in.Args) < 2 || strings.Contains(strings.Join(in.Args, " "), "$") {
					return nil, false
				}
				for _, src := range in.Args[:len(in.Args)-1] {
					if in.Cmd == "add" && isURL(src) {
						return nil, false
					}
					if !sourceCovers(src, name) {
						continue
					}
					paths = append(paths, copyTarget(workdir, src, in.Args[len(in.Args)-1], name))
				}
			}
		}
	}
	return paths, true
}

// copyTarget is where COPY SRC DEST puts the context file name that SRC
// covers: under DEST by its path below SRC when SRC is the whole context
// or a folder holding it, else DEST itself, or DEST/base when DEST names a
// folder.
func copyTarget(workdir, src, dest, name string) string {
	if !strings.HasPrefix(dest, "/") {
		dest = path.Join(workdir, dest)
	}
	src = strings.TrimPrefix(path.Clean("/"+src), "/")
	switch {
	case src == "":
		return path.Join(dest, name)
	case strings.HasPrefix(name, src+"/"):
		return path.Join(dest, strings.TrimPrefix(name, src+"/"))
	}
	for p := path.Dir(name); p != "." && p != ""; p = path.Dir(p) {
		if ok, _ := path.Match(src, p); ok {
			// A folder a pattern matches is copied by its contents.
			return path.Join(dest, strings.TrimPrefix(name, p+"/"))
		}
	}
	return path.Join(dest, path.Base(name))
}
