package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/lab-workshop/lab/internal/progress"
	"github.com/lab-workshop/lab/internal/safetext"
	"github.com/lab-workshop/lab/lessons"
	"github.com/lab-workshop/lab/sandbox"
)

// nodeImageFile, in lab's state folder, names the kind node image the last
// loaded bundle brought, which lab cluster up then uses by itself.
const nodeImageFile = "node-image"

func newBundleCmd(s *IOStreams) *cli.Command {
	return &cli.Command{
		Name:  "bundle",
		Usage: "every image the lessons need in one archive, for rooms with bad or no internet",
		Commands: []*cli.Command{
			{
				Name:      "save",
				Usage:     "write the images the selected lessons use (and the kind node image) into FILE",
				ArgsUsage: "FILE [SCOPE...]",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "node-image", Usage: "the kind node `IMAGE` to bundle (default: LAB_NODE_IMAGE, else kind's default)", Sources: cli.EnvVars("LAB_NODE_IMAGE")},
					&cli.BoolFlag{Name: "force", Usage: "replace FILE when it exists"},
				},
				Action: func(ctx context.Context, cmd *cli.Command) error {
					if cmd.Args().Len() < 1 {
						return usageErrorf("bundle save needs a FILE to write (see: lab bundle save --help)")
					}
					return runBundleSave(ctx, s, cmd)
				},
			},
			{
				Name:      "load",
				Usage:     "check every image's digest in FILE, then load them all into the engine",
				ArgsUsage: "FILE",
				Action: func(ctx context.Context, cmd *cli.Command) error {
					if cmd.Args().Len() != 1 {
						return usageErrorf("bundle load needs exactly one FILE (see: lab bundle load --help)")
					}
					return runBundleLoad(ctx, s, cmd.Args().First())
				},
			},
			{
				Name:      "show",
				Usage:     "check every image's digest in FILE without an engine, and list what it holds",
				ArgsUsage: "FILE",
				Flags: []cli.Flag{
					&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print only the image references, one a line"},
				},
				Action: func(ctx context.Context, cmd *cli.Command) error {
					if cmd.Args().Len() != 1 {
						return usageErrorf("bundle show needs exactly one FILE (see: lab bundle show --help)")
					}
					return runBundleShow(s, cmd.Args().First(), cmd.Bool("quiet"))
				},
			},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.Args().Present() {
				return usageErrorf("unknown bundle command %q: use save, load or show", cmd.Args().First())
			}
			return usageErrorf("bundle needs a command: save, load or show (see: lab bundle --help)")
		},
	}
}

func runBundleSave(ctx context.Context, s *IOStreams, cmd *cli.Command) error {
	file := cmd.Args().First()
	ss, err := openSession(s, cmd)
	if err != nil {
		return err
	}
	steps, err := ss.course.Select(cmd.Args().Slice()[1:]...)
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	if _, err := os.Stat(file); err == nil && !cmd.Bool("force") {
		return usageErrorf("%s exists; lab does not overwrite it (choose another name, or --force)", file)
	}
	refs := ss.course.Images(steps)
	node := ""
	if lessons.NeedsCluster(steps) {
		node = cmd.String("node-image")
		if node == "" {
			node = sandbox.DefaultNodeImage()
		}
		refs = append(refs, node)
	}
	if len(refs) == 0 {
		return usageErrorf("the selected steps use no published image: nothing to bundle")
	}
	e, err := connect(ctx)
	if err != nil {
		return err
	}
	defer e.Close()

	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".*")
	if err != nil {
		return &envError{err: fmt.Errorf("creating the bundle: %w", err)}
	}
	defer os.Remove(tmp.Name()) // gone once renamed
	m, err := e.SaveBundle(ctx, tmp, sandbox.BundleManifest{Course: ss.course.ID, CourseHash: ss.course.Hash}, refs, node,
		func(line string) { fmt.Fprintln(s.Err, line) })
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if sandbox.IsUnreachable(err) {
			return err
		}
		return &envError{err: fmt.Errorf("saving the bundle: %w", err)}
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return &envError{err: fmt.Errorf("saving the bundle: %w", err)}
	}
	var total int64
	for _, img := range m.Images {
		total += img.Size
	}
	fmt.Fprintf(s.Out, "wrote %s: %d images, %.0f MB (%s)\n", file, len(m.Images), float64(total)/1e6, strings.Join(refs, ", "))
	fmt.Fprintf(s.Out, "on each learner's machine: lab bundle load %s\n", filepath.Base(file))
	return nil
}

// verifyBundle reads the whole bundle and checks every digest, without an
// engine: a damaged bundle is an environment error, a missing one a usage
// error.
func verifyBundle(file string) (sandbox.BundleManifest, error) {
	m, err := sandbox.VerifyBundle(file)
	if err != nil {
		var be *sandbox.BundleError
		if errors.As(err, &be) {
			return m, &envError{err: err}
		}
		return m, usageErrorf("%v", err)
	}
	return m, nil
}

func runBundleShow(s *IOStreams, file string, quiet bool) error {
	m, err := verifyBundle(file)
	if err != nil {
		return err
	}
	if quiet {
		for _, img := range m.Images {
			fmt.Fprintln(s.Out, safetext.Line(img.Ref))
		}
		return nil
	}
	var total int64
	for _, img := range m.Images {
		total += img.Size
	}
	fmt.Fprintf(s.Out, "%s: a bundle of course %s, made %s: %d images, %.0f MB, every digest matches\n",
		file, safetext.Line(m.Course), m.Created.UTC().Format("2006-01-02 15:04 UTC"), len(m.Images), float64(total)/1e6)
	for _, img := range m.Images {
		node := ""
		if img.NodeImage {
			node = "  (kind node image: lab cluster up uses it once loaded)"
		}
		fmt.Fprintf(s.Out, "  %s  %.0f MB%s\n", safetext.Line(img.Ref), float64(img.Size)/1e6, node)
	}
	return nil
}

func runBundleLoad(ctx context.Context, s *IOStreams, file string) error {
	// A damaged bundle is refused before the engine is even asked.
	if _, err := verifyBundle(file); err != nil {
		return err
	}
	e, err := connect(ctx)
	if err != nil {
		return err
	}
	defer e.Close()
	m, err := e.LoadBundle(ctx, file, func(line string) { fmt.Fprintln(s.Err, line) })
	if err != nil {
		var be *sandbox.BundleError
		if errors.As(err, &be) || sandbox.IsUnreachable(err) {
			return &envError{err: err}
		}
		return &envError{err: fmt.Errorf("loading the bundle: %w", err)}
	}
	for _, img := range m.Images {
		fmt.Fprintf(s.Out, "loaded %s\n", img.Ref)
		if img.NodeImage {
			if err := rememberNodeImage(s, img.Ref); err != nil {
				return err
			}
			fmt.Fprintf(s.Out, "lab cluster up now makes the cluster from %s\n", img.Ref)
		}
	}
	return nil
}

func rememberNodeImage(s *IOStreams, ref string) error {
	dir, err := progress.Dir(s.Getenv)
	if err != nil {
		return &envError{err: err}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return &envError{err: fmt.Errorf("recording the node image: %w", err)}
	}
	if err := os.WriteFile(filepath.Join(dir, nodeImageFile), []byte(ref+"\n"), 0o644); err != nil {
		return &envError{err: fmt.Errorf("recording the node image: %w", err)}
	}
	return nil
}

// bundledNodeImage is the node image the last loaded bundle brought, or "".
func bundledNodeImage(s *IOStreams) string {
	dir, err := progress.Dir(s.Getenv)
	if err != nil {
		return ""
	}
	data, err := os.ReadFile(filepath.Join(dir, nodeImageFile))
	if err != nil || len(data) > 512 {
		return ""
	}
	return strings.TrimSpace(string(data))
}
