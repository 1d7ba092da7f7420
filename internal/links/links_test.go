package links

import (
	"slices"
	"testing"
)

func TestBuilder(t *testing.T) {
	b, err := New("https://news.example.it/lettera/", "mailto:leave@example.it")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ got, want string }{
		{b.Base(), "https://news.example.it/lettera"},
		{b.Unsubscribe("abc_-1"), "https://news.example.it/lettera/unsubscribe/abc_-1"},
		{b.Confirm("t0k"), "https://news.example.it/lettera/confirm/t0k"},
		{b.Subscribe(), "https://news.example.it/lettera/subscribe"},
		{b.Archive(), "https://news.example.it/lettera/archive"},
		{b.ArchiveFeed(), "https://news.example.it/lettera/archive/feed.xml"},
		{b.Issue("2026-W49"), "https://news.example.it/lettera/archive/2026-W49"},
		{b.Calendar("web 1/x"), "https://news.example.it/lettera/webinars/web%201%2Fx.ics"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q; want %q", tt.got, tt.want)
		}
	}
	got := b.ListUnsubscribe("T")
	want := []string{"https://news.example.it/lettera/unsubscribe/T", "mailto:leave@example.it?subject=unsubscribe%20T"}
	if !slices.Equal(got, want) {
		t.Errorf("ListUnsubscribe = %q; want %q", got, want)
	}
}

func TestNewRefuses(t *testing.T) {
	for _, base := range []string{"", "news.example.it", "ftp://x.it", "https://", "https://x.it/?a=1", "https://x.it/#f"} {
		if _, err := New(base, ""); err == nil {
			t.Errorf("New(%q) = nil error; want one", base)
		}
	}
	if _, err := New("https://x.it", "leave@x.it"); err == nil {
		t.Errorf("New with a bare address as mailto = nil error; want one")
	}
}
