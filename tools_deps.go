//go:build deps

package deps

import (
	_ "charm.land/glamour/v2"
	_ "github.com/cucumber/godog"
	_ "github.com/gofrs/flock"
	_ "github.com/mattn/go-isatty"
	_ "github.com/moby/moby/client"
	_ "github.com/rogpeppe/go-internal/testscript"
	_ "github.com/urfave/cli/v3"
	_ "go.yaml.in/yaml/v3"
)
