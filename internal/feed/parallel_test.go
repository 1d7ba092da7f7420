package feed

import (
	"reflect"
	"runtime"
	"testing"
)

// severalCPUs makes eachItem use goroutines even on a one-CPU runner, so
// the tests below cannot pass by running everything on one.
func severalCPUs(t *testing.T) {
	prev := runtime.GOMAXPROCS(4)
	t.Cleanup(func() { runtime.GOMAXPROCS(prev) })
}

// Converting posts on several goroutines gives the posts, in order, that
// converting them one by one gives.
func TestParseParallelAsSequential(t *testing.T) {
	severalCPUs(t)
	body := makeFeed(300)
	got, err := Parse(body, "application/rss+xml", "https://blog.example.it/feed", now)
	if err != nil {
		t.Fatal(err)
	}
	defer func(n int) { parallelItems = n }(parallelItems)
	parallelItems = 1 << 30
	want, err := Parse(body, "application/rss+xml", "https://blog.example.it/feed", now)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Posts) != 300 || !reflect.DeepEqual(got, want) {
		t.Errorf("Parse on several goroutines = %d posts, differing from one by one (%d posts)", len(got.Posts), len(want.Posts))
	}
}

// A panic while converting one item on another goroutine reaches the caller,
// where Parse turns it into an error.
func TestEachItemPanic(t *testing.T) {
	severalCPUs(t)
	defer func() {
		if r := recover(); r != "boom" {
			t.Errorf("eachItem recovered %v; want the panic \"boom\"", r)
		}
	}()
	eachItem(1000, func(i int) {
		if i == 777 {
			panic("boom")
		}
	})
	t.Error("eachItem returned; want a panic")
}
