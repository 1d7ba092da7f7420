// Command venerdi builds and sends a weekly newsletter digest.
package main

import (
	"os"
	// Time zones come with the binary, so Europe/Rome and the zones named
	// in calendars resolve even on a system without tzdata.
	_ "time/tzdata"

	"github.com/venerdi/venerdi/internal/cli"
)

func main() { os.Exit(cli.Main()) }
