//go:build unix

package feed

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user and system, all threads) this
// process has used. Benchmarks report it per op next to wall time because
// wall time on a shared machine measures the neighbours too.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
