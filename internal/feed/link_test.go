package feed

import "testing"

func TestNormalizeLink(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"https://blog.example.it/post/", "https://blog.example.it/post"},
		{"HTTPS://Blog.Example.IT/Post/", "https://blog.example.it/Post"},
		{"https://blog.example.it/", "https://blog.example.it"},
		{"https://blog.example.it", "https://blog.example.it"},
		{"https://blog.example.it/post#commenti", "https://blog.example.it/post"},
		{"https://blog.example.it/post?utm_source=rss&utm_medium=feed&utm_campaign=x", "https://blog.example.it/post"},
		{"https://blog.example.it/post?UTM_Source=rss", "https://blog.example.it/post"},
		{"https://blog.example.it/post?fbclid=abc&gclid=def&mc_cid=1&mc_eid=2", "https://blog.example.it/post"},
		{"https://blog.example.it/post?p=42&utm_source=rss", "https://blog.example.it/post?p=42"},
		{"https://blog.example.it/?p=42", "https://blog.example.it?p=42"},
		{"https://blog.example.it/post?b=2&a=1", "https://blog.example.it/post?a=1&b=2"},
		{"https://blog.example.it/post?", "https://blog.example.it/post"},
		{"https://blog.example.it:443/post", "https://blog.example.it/post"},
		{"http://blog.example.it:80/post", "http://blog.example.it/post"},
		{"http://blog.example.it:8080/post", "http://blog.example.it:8080/post"},
		{"https://user:pw@blog.example.it/post", "https://blog.example.it/post"},
		{"https://blog.example.it/città/", "https://blog.example.it/citt%C3%A0"},
		{"https://blog.example.it/post?q=%zz&utm_source=x", "https://blog.example.it/post?q=%zz"},
		{"  https://blog.example.it/post  ", "https://blog.example.it/post"},
		{"/relative/path/", "/relative/path/"},
		{"not a url", "not a url"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := NormalizeLink(tt.in); got != tt.want {
			t.Errorf("NormalizeLink(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeLinkIsIdempotent(t *testing.T) {
	for _, in := range []string{
		"HTTPS://Blog.Example.IT/Post/?b=2&a=1&utm_source=x#f",
		"https://blog.example.it/città/?q=%zz",
		"http://x.it:80/",
	} {
		once := NormalizeLink(in)
		if twice := NormalizeLink(once); twice != once {
			t.Errorf("NormalizeLink(%q) = %q; want it unchanged (first pass of %q)", once, twice, in)
		}
	}
}
