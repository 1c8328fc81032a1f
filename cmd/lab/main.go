// Command lab turns a machine with Docker into a hands-on container workshop.
package main

import (
	"os"

	"github.com/lab-workshop/lab/cmd/lab/app"
	"github.com/lab-workshop/lab/internal/startenv"
)

func main() {
	startenv.Restore()
	os.Exit(app.Main())
}
