package feed

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
)

// bigFeed is a 5,000-item RSS 2.0 feed shaped like a real blog's: each item
// has a title with an entity, a guid, a date, an author, categories and
// 1.5 KB or so of content:encoded HTML with links (some relative), an image,
// emphasis, a list and the odd thing to sanitise.
var bigFeed = sync.OnceValue(func() []byte { return makeFeed(5000) })

func makeFeed(items int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Il blog del venerdì</title><link>https://blog.example.it/</link><description>Benchmark</description>
`)
	start := time.Date(2026, 6, 5, 9, 0, 0, 0, time.UTC)
	for i := 0; i < items; i++ {
		fmt.Fprintf(&b, `<item>
<title>Post numero %d: caffè &amp; codice</title>
<link>https://blog.example.it/%d/post-%d/?utm_source=rss</link>
<guid isPermaLink="false">post-%d</guid>
<pubDate>%s</pubDate>
<dc:creator>Giulia Rossi</dc:creator>
<category>Go</category><category>Email</category><category>go</category>
<description>Un riassunto breve del post numero %d.</description>
<content:encoded><![CDATA[%s]]></content:encoded>
</item>
`, i, 2026, i, i, start.Add(-time.Duration(i)*time.Hour).Format(time.RFC1123Z), i, postHTML(i))
	}
	b.WriteString("</channel></rss>\n")
	return b.Bytes()
}

func postHTML(i int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<p>Questa settimana abbiamo parlato di <a href="/tag/go/">Go</a>, di <em>newsletter</em> e di come si scrive un buon <strong>feed</strong>. Il post numero %d continua la serie.</p>`, i)
	fmt.Fprintf(&b, `<figure><img src="/images/%d/cover.jpg" alt="Copertina del post %d" width="800" height="450"><figcaption>La copertina, con una didascalia di media lunghezza.</figcaption></figure>`, i, i)
	b.WriteString(`<p>Perché è così difficile trovare un caffè decente all&#8217;aeroporto? Però la qualità è migliorata: più scelta, più attenzione, e qualche barista che sa il fatto suo. Ne abbiamo discusso a lungo, con dati e aneddoti.</p>`)
	b.WriteString(`<ul><li>Primo punto, con un <a href="https://example.org/riferimento?utm_source=x">riferimento esterno</a>;</li><li>secondo punto, più lungo del primo, per dare corpo all'elenco;</li><li>terzo e ultimo punto.</li></ul>`)
	b.WriteString(`<blockquote><p>Una citazione che qualcuno ha detto una volta e che qui riportiamo per intero, senza tagli.</p></blockquote>`)
	b.WriteString(`<p>Un esempio di codice: <code>go test ./...</code>, e poi <a href="../altro-post/" onclick="track()">un altro post</a> che vale la pena leggere.</p>`)
	if i%10 == 0 {
		b.WriteString(`<script>trackPageview();</script><iframe src="https://www.youtube.com/embed/xyz" width="560" height="315"></iframe>`)
	}
	b.WriteString(`<h3>Per approfondire</h3><p>Chi volesse saperne di più trova <a href="https://go.dev/doc/">la documentazione ufficiale</a>, gli archivi della newsletter e, ogni venerdì mattina, un nuovo numero con le novità della settimana: articoli, webinar e qualche consiglio di lettura scelto con cura dalla redazione.</p>`)
	b.WriteString(`<p>Chiudiamo con un paragrafo finale che porta il totale a circa un chilobyte e mezzo di HTML, come un post vero di media lunghezza.</p>`)
	return b.String()
}

// reportCPU adds a cpu-ns/op metric to b, measured from start.
func reportCPU(b *testing.B, start time.Duration) {
	if end, ok := processCPU(); ok && b.N > 0 {
		b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
	}
}

func BenchmarkParse5000(b *testing.B) {
	body := bigFeed()
	emailPolicy()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	start, _ := processCPU()
	defer func() { reportCPU(b, start) }()
	for b.Loop() {
		f, err := Parse(body, "application/rss+xml", "", time.Date(2026, 6, 6, 0, 0, 0, 0, time.UTC))
		if err != nil || len(f.Posts) != 5000 {
			b.Fatalf("Parse = %v, %v; want 5000 posts", f, err)
		}
	}
}

// BenchmarkGofeedBare is the baseline: gofeed alone, with its defaults, on
// the same bytes. BenchmarkParse5000 / BenchmarkGofeedBare is the cost of
// everything Parse adds (charset check, sanitising, excerpts, keys).
func BenchmarkGofeedBare(b *testing.B) {
	body := bigFeed()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	start, _ := processCPU()
	defer func() { reportCPU(b, start) }()
	for b.Loop() {
		f, err := gofeed.NewParser().Parse(bytes.NewReader(body))
		if err != nil || len(f.Items) != 5000 {
			b.Fatalf("gofeed Parse = %v; want 5000 items", err)
		}
	}
}
