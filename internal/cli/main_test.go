package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/venerdi/venerdi/internal/cli"
)

// The exit codes are a contract with cron wrappers and scripts.
func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "venerdi.toml")
	os.WriteFile(cfg, []byte(`[site]
title = "Bottega Digitale"
url = "https://bottega.example.it"
[sources]
feeds = ["feed.xml"]
[mail]
from = "B <n@b.it>"
list_id = "l.b.it"
unsubscribe_url = "https://b.it"
`), 0o644)
	tests := []struct {
		args []string
		want int
	}{
		{[]string{"version"}, cli.ExitOK},
		{[]string{"send", "--no-such-flag"}, cli.ExitUsage},
		{[]string{"no-such-command"}, cli.ExitUsage},
		{[]string{"--now", "friday", "--config", cfg, "history"}, cli.ExitUsage},
		{[]string{"subscribers", "add"}, cli.ExitUsage},
		{[]string{"--config", filepath.Join(dir, "missing.toml"), "history"}, cli.ExitFailure},
		{[]string{"--config", cfg, "fetch"}, cli.ExitFailure}, // feed.xml does not exist
		{[]string{"--config", cfg, "history"}, cli.ExitOK},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		got := cli.Run(context.Background(), tt.args, nil, &out, &errOut, nil)
		if got != tt.want {
			t.Errorf("venerdi %v = exit %d; want %d (stderr %q)", tt.args, got, tt.want, errOut.String())
		}
	}
}
