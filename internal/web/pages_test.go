package web

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// Every word a page reads (.T.key) exists in both languages.
func TestPageLabels(t *testing.T) {
	ref := regexp.MustCompile(`\.T\.([A-Za-z0-9_]+)`)
	entries, err := os.ReadDir("../../templates/web")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join("../../templates/web", e.Name()))
		for _, m := range ref.FindAllStringSubmatch(string(b), -1) {
			for _, lang := range []string{"it", "en"} {
				if labels[lang][m[1]] == "" {
					t.Errorf("%s uses .T.%s; no %s label", e.Name(), m[1], lang)
				}
			}
		}
	}
}
