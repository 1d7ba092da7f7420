// Command venerdi builds and sends a weekly newsletter digest.
package main

import (
	"os"

	"github.com/venerdi/venerdi/internal/cli"
)

func main() { os.Exit(cli.Main()) }
