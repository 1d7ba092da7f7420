package cli_test

import (
	"bytes"
	"context"
	"flag"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

var screenshots = flag.Bool("screenshots", false, "write the email screenshots to testdata/screenshots")

// The sample issue as a reader's mail client shows it, in Chromium: both
// languages, at a phone's and a desktop's width (and at 320 px, the
// narrowest phone still around), light and dark, images loaded and images
// blocked. Nothing may scroll sideways. With -args -screenshots the PNGs
// are written to testdata/screenshots (look at them after a template
// change); otherwise to a temporary folder.
func TestSampleIssueScreenshots(t *testing.T) {
	b := startBrowser(t)
	for _, lang := range []string{"it", "en"} {
		dir := sampleSite(t)
		if lang != "it" {
			setLanguage(t, dir, lang)
		}
		// The footer as a real send shows it, with the postal address.
		editConfig(t, dir, "[mail]\n", "[mail]\naddress = \"Bottega Digitale srl · Via dell'Indipendenza 12, 40121 Bologna BO\"\n")
		b.check(t, lang, renderSample(t, dir, "html"))
	}
	t.Logf("screenshots in %s", b.shots)
}

// The sample letters (testdata/letters), Italian and English, in the same
// views as the digest: an image, a list and long links must not make a
// phone scroll sideways either. Screenshots are named letter-LANG-….
func TestSampleLetterScreenshots(t *testing.T) {
	b := startBrowser(t)
	for _, lang := range []string{"it", "en"} {
		dir := sampleSite(t)
		if lang != "it" {
			setLanguage(t, dir, lang)
		}
		editConfig(t, dir, "[mail]\n", "[mail]\naddress = \"Bottega Digitale srl · Via dell'Indipendenza 12, 40121 Bologna BO\"\n")
		b.check(t, "letter-"+lang, renderLetterSample(t, dir, lang, "html"))
	}
	t.Logf("screenshots in %s", b.shots)
}

// browser is a headless Chromium and a server of stand-in images.
type browser struct {
	ctx    context.Context
	shots  string // where screenshots go
	images string // the image server's URL
}

// startBrowser starts Chromium for the test (skipping it when Chromium
// is not installed) and an image server standing in for the blog's.
func startBrowser(t *testing.T) *browser {
	t.Helper()
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed (apt-get install chromium; .ci/run does): skipping the screenshots")
	}
	shots := t.TempDir()
	if *screenshots {
		shots = filepath.Join("testdata", "screenshots")
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	images := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(samplePNG(r.URL.Path))
	}))
	t.Cleanup(images.Close)

	ctx, cancel := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true), chromedp.UserDataDir(t.TempDir()))...)
	t.Cleanup(cancel)
	ctx, cancelTab := chromedp.NewContext(ctx)
	t.Cleanup(cancelTab)
	// The first Do starts the browser, which lives as long as its context:
	// so no timeout on this one.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return &browser{ctx: ctx, shots: shots, images: images.URL}
}

var siteImage = regexp.MustCompile(`src="https://bottega\.example\.it/`)

// check opens html at 320, 375 and 800 px, light and dark, images loaded
// and blocked: nothing may be wider than the screen. The views at 375 and
// 800 px are photographed as PREFIX-WIDTH-SCHEME-IMAGES.png.
func (b *browser) check(t *testing.T, prefix string, html []byte) {
	t.Helper()
	dir := t.TempDir()
	pages := map[string]string{
		"images": string(siteImage.ReplaceAll(html, []byte(`src="`+b.images+`/`))),
		// Blocked: what a client that does not load remote images shows.
		"blocked": string(siteImage.ReplaceAll(html, []byte(`src="http://127.0.0.1:1/`))),
	}
	for name, page := range pages {
		p := filepath.Join(dir, name+".html")
		if err := os.WriteFile(p, []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, width := range []int64{320, 375, 800} {
			for _, scheme := range []string{"light", "dark"} {
				shot := prefix + "-" + itoa(width) + "-" + scheme + "-" + name
				tctx, done := context.WithTimeout(b.ctx, 60*time.Second)
				vp := chromedp.EmulateViewport(width, 900)
				if width < 600 {
					vp = chromedp.EmulateViewport(width, 812, chromedp.EmulateMobile, chromedp.EmulatePortrait)
				}
				err := chromedp.Do(tctx, vp, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
					_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
						Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
					return err
				}), chromedp.Navigate("file://"+p))
				var overflow int
				if err == nil {
					// With mobile emulation the viewport widens to the
					// content: compare with the screen's width.
					overflow, err = chromedp.Run(tctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - `+itoa(width)))
				}
				var png []byte
				if err == nil {
					png, err = chromedp.Run(tctx, chromedp.FullScreenshot(100))
				}
				done()
				if err != nil {
					t.Fatalf("%s: %v", shot, err)
				}
				if overflow > 0 {
					t.Errorf("%s: the email is %dpx wider than the %dpx screen", shot, overflow, width)
				}
				if width == 320 {
					continue // checked, not photographed
				}
				if err := os.WriteFile(filepath.Join(b.shots, shot+".png"), png, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// setLanguage switches a sample site to lang.
func setLanguage(t *testing.T, dir, lang string) {
	t.Helper()
	editConfig(t, dir, `language = "it"`, `language = "`+lang+`"`)
}

// editConfig replaces the first old with new in a sample site's config.
func editConfig(t *testing.T, dir, old, new string) {
	t.Helper()
	p := filepath.Join(dir, "venerdi.toml")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("%s has no %q", p, old)
	}
	if err := os.WriteFile(p, bytes.Replace(b, []byte(old), []byte(new), 1), 0o644); err != nil {
		t.Fatal(err)
	}
}

// samplePNG is a stand-in photo, sized as the file name says (WordPress's
// "-1024x576" suffix) or 1200×675.
func samplePNG(name string) []byte {
	w, h := 1200, 675
	if m := regexp.MustCompile(`-(\d+)x(\d+)\.`).FindStringSubmatch(name); m != nil {
		w, h = atoi(m[1]), atoi(m[2])
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(120 + 100*x/w), uint8(90 + 80*y/h), 70, 255})
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
func atoi(s string) int   { n, _ := strconv.Atoi(s); return n }
