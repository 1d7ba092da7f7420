package feed

import "testing"

func TestSanitize(t *testing.T) {
	const base = "https://blog.example.it/2026/06/post/"
	tests := []struct {
		name, in, base, want string
	}{
		{"plain text", "solo testo", base, "solo testo"},
		{"empty", "  \n ", base, ""},
		{"script", `<p>prima</p><script>alert("x")</script><p>dopo</p>`, base, `<p>prima</p><p>dopo</p>`},
		{"unclosed script", `<p>ok</p><script>alert(1)`, base, `<p>ok</p>`},
		{"split script tag", `<scr<script>ipt>alert(1)</script>`, base, `ipt&gt;alert(1)`},
		{"onerror", `<img src="https://x.it/a.png" onerror="steal()">`, base, `<img src="https://x.it/a.png">`},
		{"onclick on allowed element", `<p onclick="steal()">t</p>`, base, `<p>t</p>`},
		{"javascript href", `<a href="javascript:alert(1)">clic</a>`, base, `clic`},
		{"obfuscated javascript href", `<a href="jav&#x09;ascript:alert(1)">clic</a>`, base, `clic`},
		{"upper-case javascript", `<a href="JaVaScRiPt:alert(1)">clic</a>`, base, `clic`},
		{"vbscript", `<a href="vbscript:msgbox(1)">clic</a>`, base, `clic`},
		{"iframe", `<iframe src="https://evil.example/"></iframe>ok`, base, `ok`},
		{"style element and attribute", `<style>p{color:red}</style><p style="color:red">t</p>`, base, `<p>t</p>`},
		{"form", `<form action="/x"><label>Nome</label><input name="q"><button>Invia</button></form>dopo`, base, `dopo`},
		{"object and embed", `<object data="x.swf"><param name="a"></object><embed src="x.swf">fine`, base, `fine`},
		{"svg", `<svg><script>alert(1)</script><text>hi</text></svg>ok`, base, `ok`},
		{"meta refresh", `<meta http-equiv="refresh" content="0;url=https://evil.example/">ok`, base, `ok`},
		{"data image", `<img src="data:image/png;base64,iVBORw0KGgo=" alt="x">`, base, ``},
		{"data link", `<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>`, base, `x`},
		{"relative link", `<a href="/chi-siamo">noi</a>`, base, `<a href="https://blog.example.it/chi-siamo" rel="noopener">noi</a>`},
		{"dot-dot link", `<a href="../altro/">altro</a>`, base, `<a href="https://blog.example.it/2026/06/altro/" rel="noopener">altro</a>`},
		{"fragment link", `<a href="#nota">1</a>`, base, `<a href="https://blog.example.it/2026/06/post/#nota" rel="noopener">1</a>`},
		{"relative image", `<img src="foto.jpg" alt="Foto" width="640" height="360">`, base,
			`<img src="https://blog.example.it/2026/06/post/foto.jpg" alt="Foto" width="640" height="360">`},
		{"scheme-relative image", `<img src="//cdn.example.it/x.png">`, base, `<img src="https://cdn.example.it/x.png">`},
		{"no base drops relative", `<a href="/x">t</a><img src="y.png">`, "", `t`},
		{"mailto", `<a href="mailto:redazione@example.it">scrivi</a>`, base, `<a href="mailto:redazione@example.it" rel="noopener">scrivi</a>`},
		{"rel and target replaced", `<a href="https://x.it/" target="_blank" rel="nofollow">x</a>`, base, `<a href="https://x.it/" rel="noopener">x</a>`},
		{"tracking pixel", `<p>t<img src="https://tracker.example/p.gif" width="1" height="1"></p>`, base, `<p>t</p>`},
		{"tracking pixel in px", `<p>t<img src="https://tracker.example/p.gif" width="1px" height="1px"></p>`, base, `<p>t</p>`},
		{"size in px", `<img src="https://x.it/a.png" width="640px">`, base, `<img src="https://x.it/a.png" width="640">`},
		{"unresolvable link inside text", `un<a href="/x">ico</a> e <a href="https://x.it/">altro</a>`, "",
			`unico e <a href="https://x.it/" rel="noopener">altro</a>`},
		{"lazy attributes never written", `<img src="https://x.it/a.png" data-src="https://x.it/b.png" data-original="javascript:x">`, base,
			`<img src="https://x.it/a.png">`},
		{"javascript in lazy attribute", `<img data-src="javascript:alert(1)" alt="x">`, base, ``},
		{"attribute escaping", `<img src="https://x.it/a.png" alt="&quot;&gt;&lt;script&gt;">`, base,
			`<img src="https://x.it/a.png" alt="&#34;&gt;&lt;script&gt;">`},
		{"lazy image", `<img src="data:image/gif;base64,R0lGOD=" data-src="/img/vera.jpg" alt="v">`, base,
			`<img src="https://blog.example.it/img/vera.jpg" alt="v">`},
		{"image without src", `<img alt="niente">testo`, base, `testo`},
		{"non-numeric size dropped", `<img src="https://x.it/a.png" width="100%" height="50">`, base, `<img src="https://x.it/a.png" height="50">`},
		{"entities decoded once", `<p>caff&egrave; &amp; cornetto, AT&amp;amp;T</p>`, base, `<p>caffè &amp; cornetto, AT&amp;amp;T</p>`},
		{"allowed structure", `<h2>T</h2><ul><li>a</li></ul><blockquote>q</blockquote><pre><code>x</code></pre>`, base,
			`<h2>T</h2><ul><li>a</li></ul><blockquote>q</blockquote><pre><code>x</code></pre>`},
		{"table basics", `<table class="x"><tr><td colspan="2" bgcolor="red">a</td></tr></table>`, base,
			`<table><tr><td colspan="2">a</td></tr></table>`},
		{"figure", `<figure><img src="https://x.it/a.png" alt="a"><figcaption>Didascalia</figcaption></figure>`, base,
			`<figure><img src="https://x.it/a.png" alt="a"><figcaption>Didascalia</figcaption></figure>`},
		{"block elements keep text apart", `<section>uno</section><section>due</section><center>tre</center>`, base,
			`<div>uno</div><div>due</div><div>tre</div>`},
		{"removed inline elements leave no space", `un<font color="red">ico</font>, un<blink>ico</blink>, un<x-y>ico</x-y>`, base,
			`unico, unico, unico`},
		// Self-closing forms of elements that are never void: the element
		// is empty, and what follows is the post (Blogger writes videos so).
		{"self-closing iframe", `<p>Prima.</p><iframe src="https://www.blogger.com/video.g?t=1" width="320" /><p>Dopo <b>questo</b>.</p>`, base,
			`<p>Prima.</p><p>Dopo <b>questo</b>.</p>`},
		{"self-closing iframe, upper case", `<IFRAME SRC='https://x.it/v' FRAMEBORDER='0' />dopo`, base, `dopo`},
		{"self-closing script", `<script src="https://x.it/a.js"/><p>dopo</p>`, base, `<p>dopo</p>`},
		{"self-closing video", `<video src="https://x.it/v.mp4" /><p>dopo</p>`, base, `<p>dopo</p>`},
		{"self-closing textarea and title", `<textarea/><title/><p>dopo</p>`, base, `<p>dopo</p>`},
		{"self-closing style", `<style/><p>dopo</p><style>p{}</style>`, base, `<p>dopo</p>`},
		{"an iframe that is closed still hides its content", `<iframe src="x"><p>no</p></iframe>sì`, base, `sì`},
		{"comment", `a<!-- <script>x</script> -->b`, base, `ab`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Sanitize(tt.in, tt.base)
			if got != tt.want {
				t.Errorf("Sanitize(%q, %q) = %q; want %q", tt.in, tt.base, got, tt.want)
			}
			if err := checkSafeHTML(got); err != nil {
				t.Errorf("Sanitize(%q, %q) = %q: %v", tt.in, tt.base, got, err)
			}
		})
	}
}

func TestSanitizeFirstImage(t *testing.T) {
	base := parseBase(nil, "https://b.it/p/")
	tests := []struct {
		in, want string
	}{
		{`<p>no images</p>`, ""},
		{`<img src="data:image/png;base64,AA=="><img src="a.png"><img src="b.png">`, "https://b.it/p/a.png"},
		{`<img src="https://t.example/p.gif" width="1" height="1"><img src="/c.jpg">`, "https://b.it/c.jpg"},
	}
	for _, tt := range tests {
		if got := sanitize(tt.in, base, 0).FirstImage; got != tt.want {
			t.Errorf("sanitize(%q) first image = %q; want %q", tt.in, got, tt.want)
		}
	}
}
