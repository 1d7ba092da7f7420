package cli_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/venerdi/venerdi/internal/"

// imports returns the venerdi packages the non-test files of internal/pkg
// import, by short name ("store", "mailer").
func imports(t *testing.T, pkg string) []string {
	t.Helper()
	dir := filepath.Join("..", pkg)
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files in %s: %v", dir, err)
	}
	var out []string
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if name, ok := strings.CutPrefix(p, module); ok && !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	return out
}

// The layering of the README's Design section: commands and handlers call
// the application core, never the store or the packages under it, and the
// lower packages depend one way only.
func TestImportRules(t *testing.T) {
	forbidden := map[string][]string{
		"cli":      {"store", "delivery", "mailer", "fetch", "feed", "catalog", "digest", "lock", "schedule", "token", "links"},
		"store":    {"fetch", "delivery", "mailer", "digest", "newsletter"},
		"delivery": {"digest", "newsletter", "fetch", "feed", "catalog"},
		"links":    {"store", "newsletter"},
		"web":      {"store", "delivery", "mailer", "fetch", "feed", "catalog", "lock", "config", "cli"},
	}
	for pkg, bad := range forbidden {
		for _, imp := range imports(t, pkg) {
			if slices.Contains(bad, imp) {
				t.Errorf("internal/%s imports internal/%s; the layering forbids it", pkg, imp)
			}
		}
	}
	// Only config, the core and the web front end it starts (serve).
	for _, imp := range imports(t, "cli") {
		if imp != "config" && imp != "newsletter" && imp != "web" {
			t.Errorf("internal/cli imports internal/%s; it may import only config, newsletter and web", imp)
		}
	}
	// Nothing imports cli but main.
	entries, err := os.ReadDir("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() || e.Name() == "cli" {
			continue
		}
		if files, _ := filepath.Glob(filepath.Join("..", e.Name(), "*.go")); len(files) == 0 {
			continue
		}
		if slices.Contains(imports(t, e.Name()), "cli") {
			t.Errorf("internal/%s imports internal/cli; nothing may", e.Name())
		}
	}
	// Only cli reads the config.
	for _, e := range entries {
		if e.IsDir() && e.Name() != "cli" && e.Name() != "config" {
			if files, _ := filepath.Glob(filepath.Join("..", e.Name(), "*.go")); len(files) > 0 && slices.Contains(imports(t, e.Name()), "config") {
				t.Errorf("internal/%s imports internal/config; only cli reads it", e.Name())
			}
		}
	}
}
