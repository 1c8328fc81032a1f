package app

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/lab-workshop/lab/internal/class"
	"github.com/lab-workshop/lab/internal/progress"
)

const classHelp = `A live class: learners run lab join, and the page shows who passed, who
failed, who is stuck and on which step, each step's most common failure, the
time spent per step and whose machine will not manage the Kubernetes lessons.

   lab class create "Docker 101"          # prints the join code
   lab class serve --listen 0.0.0.0:8080  # the page: http://HOST:8080/
   lab class cluster --count 20           # one shared Kubernetes cluster: a namespace each
   lab class export --format csv -o class.csv

The store is an SQLite file in lab's state folder unless --db names another
file or a PostgreSQL database (postgres://user:pass@host/db).`

var dbFlag = &cli.StringFlag{Name: "db", Usage: "the class store: an SQLite `FILE` or a postgres:// URL (default: class.db in lab's state folder)", Sources: cli.EnvVars("LAB_CLASS_DB")}

func newClassCmd(s *IOStreams) *cli.Command {
	return &cli.Command{
		Name:        "class",
		Usage:       "run a live class: the instructor's server and page, a shared cluster",
		Description: classHelp,
		Commands: []*cli.Command{
			{
				Name:      "create",
				Usage:     "make a class and print its join code",
				ArgsUsage: "NAME",
				Flags:     []cli.Flag{dbFlag},
				Action: func(ctx context.Context, cmd *cli.Command) error {
					if cmd.Args().Len() != 1 || strings.TrimSpace(cmd.Args().First()) == "" {
						return usageErrorf("lab class create takes the class's name, e.g. lab class create \"Docker 101\"")
					}
					return runClassCreate(ctx, s, cmd.String("db"), strings.TrimSpace(cmd.Args().First()))
				},
			},
			{
				Name:  "serve",
				Usage: "serve the class page and receive learners' results until interrupted",
				Flags: []cli.Flag{
					dbFlag,
					&cli.StringFlag{Name: "listen", Value: "127.0.0.1:8080", Usage: "listen on `ADDR`; learners on other machines need 0.0.0.0:PORT"},
					&cli.StringFlag{Name: "class", Usage: "create the class `NAME` first if there is none by that name"},
					&cli.DurationFlag{Name: "stuck-after", Value: class.DefaultStuck.After, Usage: "a learner on the same step longer than `DURATION` is stuck"},
					&cli.IntFlag{Name: "stuck-failures", Value: class.DefaultStuck.Failures, Usage: "a learner failing the same step `N` times in a row is stuck"},
				},
				Action: func(ctx context.Context, cmd *cli.Command) error {
					if err := maxArgs(cmd, 0); err != nil {
						return err
					}
					stuck := class.Stuck{After: cmd.Duration("stuck-after"), Failures: int(cmd.Int("stuck-failures"))}
					return runClassServe(ctx, s, cmd.String("db"), cmd.String("listen"), cmd.String("class"), stuck)
				},
			},
			newClassClusterCmd(s),
			newUseClusterCmd(s),
			newClassVerifyCmd(s),
			newClassExportCmd(s),
		},
	}
}

// classStorePath is --db, by default class.db in lab's state folder.
func classStorePath(s *IOStreams, dsn string) (string, error) {
	if dsn != "" {
		return dsn, nil
	}
	dir, err := progress.Dir(s.Getenv)
	if err != nil {
		return "", &envError{err: err}
	}
	return filepath.Join(dir, "class.db"), nil
}

// openClassStore opens --db, by default class.db in lab's state folder.
func openClassStore(ctx context.Context, s *IOStreams, dsn string) (*class.Store, error) {
	dsn, err := classStorePath(s, dsn)
	if err != nil {
		return nil, err
	}
	if !class.IsPostgres(dsn) {
		if err := os.MkdirAll(filepath.Dir(dsn), 0o700); err != nil {
			return nil, &envError{err: fmt.Errorf("creating the class store's folder: %w", err)}
		}
	}
	st, err := class.Open(ctx, dsn)
	if err != nil {
		return nil, &envError{err: err}
	}
	return st, nil
}

func runClassCreate(ctx context.Context, s *IOStreams, dsn, name string) error {
	st, err := openClassStore(ctx, s, dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	c, created, err := st.CreateClass(ctx, name)
	if err != nil {
		return &envError{err: err}
	}
	if !created {
		fmt.Fprintf(s.Err, "class %q exists already\n", name)
	}
	fmt.Fprintf(s.Out, "class %q: id %s, join code %s\n", c.Name, c.ID, c.Code)
	fmt.Fprintln(s.Out, "start the page with: lab class serve --listen 0.0.0.0:8080")
	return nil
}

func runClassServe(ctx context.Context, s *IOStreams, dsn, listen, name string, stuck class.Stuck) error {
	st, err := openClassStore(ctx, s, dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	if name != "" {
		if _, _, err := st.CreateClass(ctx, name); err != nil {
			return &envError{err: err}
		}
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return &envError{err: fmt.Errorf("listening on %s: %w; choose another --listen address or port", listen, err)}
	}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(s.Out, "serving the class page at %s/ (Ctrl-C stops)\n", base)
	classes, err := st.Classes(ctx)
	if err != nil {
		ln.Close()
		return &envError{err: err}
	}
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	joinBase := base
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		joinBase = "http://THIS-MACHINE:" + port
	}
	for _, c := range classes {
		fmt.Fprintf(s.Out, "class %q: page %s/classes/%s\n    learners run: lab join %s --code %s --name \"Their Name\"\n", c.Name, base, c.ID, joinBase, c.Code)
	}
	if len(classes) == 0 {
		fmt.Fprintln(s.Out, "no class yet: restart with --class NAME, or run lab class create NAME")
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		fmt.Fprintln(s.Err, "note: listening on this machine only; for learners on other machines use --listen 0.0.0.0:"+port)
	}
	srv := class.NewServer(st, class.Options{Stuck: stuck, Refresh: 30 * time.Second})
	if err := srv.Serve(ctx, ln); err != nil {
		return &envError{err: fmt.Errorf("serving the class: %w", err)}
	}
	fmt.Fprintln(s.Err, "stopped")
	return nil
}
