// Command venerdi builds and sends a weekly newsletter digest.
package main

import (
	"os"
	"runtime/pprof"
	// Time zones come with the binary, so Europe/Rome and the zones named
	// in calendars resolve even on a system without tzdata.
	_ "time/tzdata"

	"github.com/venerdi/venerdi/internal/cli"
)

func main() {
	// VENERDI_CPUPROFILE=FILE writes a CPU profile of the run, for `make
	// bench` and anyone chasing a slow send (go tool pprof FILE).
	if path := os.Getenv("VENERDI_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			pprof.StartCPUProfile(f)
			code := cli.Main()
			pprof.StopCPUProfile()
			f.Close()
			os.Exit(code)
		}
	}
	os.Exit(cli.Main())
}
