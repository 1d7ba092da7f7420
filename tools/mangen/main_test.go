package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// make man must keep working: one page per command, the text of --help.
func TestGenerate(t *testing.T) {
	dir := t.TempDir()
	if err := generate(dir, "1796371200"); err != nil {
		t.Fatal(err)
	}
	for page, want := range map[string]string{
		"venerdi.1":                  "VENERDI_<SECTION>_<KEY>",
		"venerdi-schedule.1":         "OnCalendar",
		"venerdi-send.1":             "digest.max_delay", // from send's --help
		"venerdi-subscribers-list.1": "--json",
	} {
		b, err := os.ReadFile(filepath.Join(dir, page))
		if err != nil {
			t.Errorf("no %s: %v", page, err)
			continue
		}
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %q", page, want)
		}
		if !strings.Contains(string(b), "Dec 2026") {
			t.Errorf("%s is not dated by SOURCE_DATE_EPOCH:\n%.300s", page, b)
		}
	}
	if err := generate(dir, "yesterday"); err == nil {
		t.Error("generate with a bad SOURCE_DATE_EPOCH succeeded")
	}
}
