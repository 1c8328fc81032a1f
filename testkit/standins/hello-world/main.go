// Command hello is the offline stand-in for Docker's hello-world image: it
// prints the same greeting, byte for byte, and exits 0, so lessons and tests
// that run `docker run hello-world` behave the same where no registry answers.
package main

import (
	"os"
	"runtime"
)

// archNames maps Go's architecture names to the ones the real image prints
// (the docker-library architecture names).
var archNames = map[string]string{
	"386":      "i386",
	"amd64":    "amd64",
	"arm":      "arm32v7",
	"arm64":    "arm64v8",
	"mips64le": "mips64le",
	"ppc64le":  "ppc64le",
	"riscv64":  "riscv64",
	"s390x":    "s390x",
}

func message(goarch string) string {
	arch, ok := archNames[goarch]
	if !ok {
		arch = goarch
	}
	return "\n" +
		"Hello from Docker!\n" +
		"This message shows that your installation appears to be working correctly.\n" +
		"\n" +
		"To generate this message, Docker took the following steps:\n" +
		" 1. The Docker client contacted the Docker daemon.\n" +
		" 2. The Docker daemon pulled the \"hello-world\" image from the Docker Hub.\n" +
		"    (" + arch + ")\n" +
		" 3. The Docker daemon created a new container from that image which runs the\n" +
		"    executable that produces the output you are currently reading.\n" +
		" 4. The Docker daemon streamed that output to the Docker client, which sent it\n" +
		"    to your terminal.\n" +
		"\n" +
		"To try something more ambitious, you can run an Ubuntu container with:\n" +
		" $ docker run -it ubuntu bash\n" +
		"\n" +
		"Share images, automate workflows, and more with a free Docker ID:\n" +
		" https://hub.docker.com/\n" +
		"\n" +
		"For more examples and ideas, visit:\n" +
		" https://docs.docker.com/get-started/\n" +
		"\n"
}

func main() {
	if _, err := os.Stdout.WriteString(message(runtime.GOARCH)); err != nil {
		os.Exit(1)
	}
}
