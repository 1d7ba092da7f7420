package mailer

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
	"time"
)

// A relay that answers MAIL FROM only once DATA has arrived, as a relay
// far away effectively does: only a pipelining client (RFC 2920) gets
// through in one round trip; one that waits for each reply would stall
// until its timeout.
func TestPipeliningSendsTheEnvelopeInOneWrite(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan []string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		say := func(s string) { c.Write([]byte(s + "\r\n")) }
		say("220 relay.test ESMTP")
		r.ReadString('\n') // EHLO
		say("250-relay.test\r\n250-PIPELINING\r\n250 8BITMIME")
		var envelope []string
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			envelope = append(envelope, strings.TrimSpace(line))
			if strings.TrimSpace(line) == "DATA" {
				break
			}
		}
		say("250 2.1.0 ok\r\n250 2.1.5 ok\r\n354 go ahead")
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if line == ".\r\n" {
				break
			}
		}
		say("250 2.0.0 queued")
		got <- envelope
		r.ReadString('\n') // QUIT
		say("221 bye")
	}()
	cfg := SMTPConfig{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, TLS: TLSNone, Timeout: 2 * time.Second}
	c, err := Dial(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	raw := []byte("Subject: x\r\n\r\nciao\r\n")
	if err := c.Send(context.Background(), Envelope{From: "news@example.it", To: "anna@example.it"}, raw); err != nil {
		t.Fatalf("Send to a relay that answers only after DATA = %v; want the envelope pipelined", err)
	}
	env := <-got
	want := []string{"MAIL FROM:<news@example.it> BODY=8BITMIME", "RCPT TO:<anna@example.it>", "DATA"}
	if strings.Join(env, "|") != strings.Join(want, "|") {
		t.Errorf("envelope %q; want %q", env, want)
	}
}

// A relay that quotes the AUTH exchange back in a later refusal must not
// get the secret into an error, and so into the ledger's last_error.
func TestRefusalEchoingAuthIsRedacted(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		say := func(s string) { c.Write([]byte(s + "\r\n")) }
		say("220 relay.test ESMTP")
		r.ReadString('\n') // EHLO
		say("250-relay.test\r\n250 AUTH PLAIN")
		auth, _ := r.ReadString('\n')
		say("235 2.7.0 ok")
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			switch {
			case strings.HasPrefix(line, "MAIL"):
				say("530 5.7.0 not allowed after " + strings.TrimSpace(auth))
			case strings.HasPrefix(line, "RSET"):
				say("250 ok")
			case strings.HasPrefix(line, "QUIT"):
				say("221 bye")
				return
			}
		}
	}()
	cfg := SMTPConfig{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, TLS: TLSNone, Timeout: 2 * time.Second,
		Username: "news", Password: "s3cret-passw0rd"}
	c, err := Dial(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = c.Send(context.Background(), Envelope{From: "news@example.it", To: "anna@example.it"}, []byte("Subject: x\r\n\r\nciao\r\n"))
	if err == nil || !strings.Contains(err.Error(), "530") {
		t.Fatalf("Send = %v; want the 530 refusal", err)
	}
	for _, secret := range []string{"s3cret-passw0rd", "AG5ld3MAczNjcmV0LXBhc3N3MHJk"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q shows the secret %q", err, secret)
		}
	}
	if !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("error %q; want the secret replaced by [redacted]", err)
	}
}
