package delivery_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/venerdi/venerdi/internal/delivery"
	"github.com/venerdi/venerdi/internal/store"
)

// BenchmarkComposerMessage measures building one recipient's message from a
// frozen issue of realistic size (the sample issue's 20 KB HTML).
func BenchmarkComposerMessage(b *testing.B) {
	html := strings.Repeat("<p>Apri GA4, vai su Acquisizione traffico e trovi «Newsletter», «newsletter».</p>\n", 250)
	opts := &delivery.Options{
		Issue:   &store.Issue{Week: "2026-W49"},
		Content: delivery.Content{Subject: "I post della settimana · 4 dicembre 2026", HTML: html, Text: html[:4000]},
		From:    "Bottega <news@bottega.example.it>", ListID: "l.bottega.example.it",
		Links: testLinks, Secret: []byte("k"),
		Now: func() time.Time { return now },
	}
	c, err := delivery.NewComposer(opts)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := c.Message(int64(i), "anna@example.it", "Anna", "<x@y>"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRun sends to b.N subscribers over 4 connections to an in-process
// SMTP server; ns/op is the cost per message of the whole pipeline.
func BenchmarkRun(b *testing.B) {
	f := newFixtureTB(b, b.N)
	b.ResetTimer()
	if _, err := delivery.Run(context.Background(), f.st, f.options()); err != nil {
		b.Fatal(err)
	}
}
