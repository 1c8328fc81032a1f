// Command lab turns a machine with Docker into a hands-on container workshop.
package main

import (
	"os"

	"github.com/lab-workshop/lab/cmd/lab/app"
)

func main() { os.Exit(app.Main()) }
