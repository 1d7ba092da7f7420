package cli_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// sampleSite copies the demo config and sample data into a temp dir.
func sampleSite(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"venerdi.toml", "blog/feed.xml", "webinars.json", "subscribers.csv"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// renderSample renders the sample issue of make demo in one format.
func renderSample(t *testing.T, dir, format string) []byte {
	t.Helper()
	if code := venerdiInProcess(t, dir, "--now", crashNow, "fetch"); code != 0 {
		t.Fatal("fetch failed")
	}
	out := filepath.Join(dir, "preview."+format)
	if code := venerdiInProcess(t, dir, "--now", crashNow, "preview", "--format", format, "--out", out); code != 0 {
		t.Fatalf("preview --format %s failed", format)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The sample issue, HTML and text, is pinned by golden files: a template or
// sanitiser change shows up here as a diff to review (go test -update).
func TestSampleIssueGolden(t *testing.T) {
	for _, lang := range []string{"it", "en"} {
		dir := sampleSite(t)
		name := "sample"
		if lang != "it" {
			setLanguage(t, dir, lang)
			name += "." + lang
		}
		for _, format := range []string{"html", "text"} {
			got := renderSample(t, dir, format)
			checkGolden(t, name+"."+format, got, fmt.Sprintf("preview --format %s (%s)", format, lang))
		}
	}
}

// letterNow is when the sample letter is previewed: a Tuesday, between
// two Friday issues.
const letterNow = "2026-12-15T10:00:00+01:00"

// renderLetterSample previews the sample letter of lang
// (testdata/letters/corso-newsletter.md, .en.md) on a sample site in one
// format.
func renderLetterSample(t *testing.T, dir, lang, format string) []byte {
	t.Helper()
	name := "corso-newsletter.md"
	if lang != "it" {
		name = "corso-newsletter." + lang + ".md"
	}
	src, err := os.ReadFile(filepath.Join("..", "..", "testdata", "letters", name))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, name)
	if err := os.WriteFile(file, src, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "letter."+format)
	if code := venerdiInProcess(t, dir, "--now", letterNow, "letter", "preview", "--format", format, "--out", out, file); code != 0 {
		t.Fatalf("letter preview --format %s failed", format)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The sample letter, Italian and English, HTML and text, is pinned by
// golden files (testdata/golden/letter*.golden) as the issue is: a change
// to the Markdown renderer, the sanitiser, the text writer or
// letter.html/letter.txt shows up as a diff to review (go test -update).
func TestSampleLetterGolden(t *testing.T) {
	for _, lang := range []string{"it", "en"} {
		dir := sampleSite(t)
		name := "letter"
		if lang != "it" {
			setLanguage(t, dir, lang)
			name += "." + lang
		}
		for _, format := range []string{"html", "text"} {
			got := renderLetterSample(t, dir, lang, format)
			checkGolden(t, name+"."+format, got, fmt.Sprintf("letter preview --format %s (%s)", format, lang))
		}
	}
}

// browserChecks runs in headless Chromium on the rendered issue and writes
// its findings as JSON into the page, where --dump-dom reads them back.
const browserChecks = `<script>
(function () {
  var r = {};
  r.lang = document.documentElement.lang;
  r.title = document.title;
  r.imgsWithoutAlt = Array.from(document.images).filter(function (i) { return !i.hasAttribute('alt'); }).length;
  r.emptyLinks = Array.from(document.links).filter(function (a) { return !a.closest('[aria-hidden="true"]') && !a.textContent.trim() && !a.querySelector('img[alt]:not([alt=""])'); }).length;
  r.overflow = document.documentElement.scrollWidth - window.innerWidth;
  var levels = Array.from(document.querySelectorAll('h1,h2,h3,h4')).map(function (h) { return +h.tagName[1]; });
  r.headings = levels;
  r.skipped = levels.some(function (l, i) { return i > 0 && l > levels[i - 1] + 1; }) || levels[0] !== 1;
  r.scripts = document.querySelectorAll('script').length - 1;
  r.height = document.documentElement.scrollHeight;
  var pre = document.createElement('pre'); pre.id = 'venerdi-checks'; pre.textContent = JSON.stringify(r);
  document.body.appendChild(pre);
})();
</script>`

// The rendered email, opened in a real browser at phone width: it declares
// its language, every image has alt text, every link has a name, headings
// do not skip levels, nothing overflows sideways, and no script survived.
func TestSampleIssueInBrowser(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed (apt-get install chromium; .ci/run does): skipping the browser check")
	}
	dir := sampleSite(t)
	html := renderSample(t, dir, "html")
	page := filepath.Join(dir, "check.html")
	os.WriteFile(page, bytes.Replace(html, []byte("</body>"), []byte(browserChecks+"</body>"), 1), 0o644)
	cmd := exec.Command(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+filepath.Join(dir, "chrome"), "--window-size=390,900",
		"--virtual-time-budget=3000", "--dump-dom", "file://"+page)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	done := make(chan struct{})
	var out []byte
	go func() { out, err = cmd.Output(); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("chromium did not finish in 60s")
	}
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	m := regexp.MustCompile(`<pre id="venerdi-checks">(.*?)</pre>`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no check results in the dumped DOM:\n%.2000s", out)
	}
	var r struct {
		Lang           string
		Title          string
		ImgsWithoutAlt int
		EmptyLinks     int
		Overflow       int
		Headings       []int
		Skipped        bool
		Scripts        int
		Height         int
	}
	if err := json.Unmarshal(bytes.ReplaceAll(m[1], []byte("&quot;"), []byte(`"`)), &r); err != nil {
		t.Fatalf("%s: %v", m[1], err)
	}
	t.Logf("browser: %+v", r)
	switch {
	case r.Lang != "it":
		t.Errorf(`<html lang> = %q; want "it"`, r.Lang)
	case r.Title == "":
		t.Error("the page has no <title>")
	case r.ImgsWithoutAlt != 0:
		t.Errorf("%d images without alt", r.ImgsWithoutAlt)
	case r.EmptyLinks != 0:
		t.Errorf("%d links without text", r.EmptyLinks)
	case r.Overflow > 0:
		t.Errorf("the page is %dpx wider than a 390px phone screen", r.Overflow)
	case r.Skipped:
		t.Errorf("heading levels %v skip a level or do not start at h1", r.Headings)
	case r.Scripts != 0:
		t.Errorf("%d scripts in the rendered email", r.Scripts)
	case r.Height < 1500:
		t.Errorf("page height %dpx; the sample issue should be long", r.Height)
	}
}

// checkGolden compares got with testdata/golden/NAME.golden, or with
// -update writes it there; what says what was rendered, for the message.
func checkGolden(t *testing.T, name string, got []byte, what string) {
	t.Helper()
	golden := filepath.Join("testdata", "golden", name+".golden")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s (run go test ./internal/cli -run Golden -update and review the diff)", what, golden)
	}
}
