package mailer

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
	"time"
)

// scriptedRelay serves one connection on 127.0.0.1: it greets, answers
// EHLO with ehlo (the lines after the first, e.g. "PIPELINING"), then hands
// the session to script. It returns the port.
func scriptedRelay(t *testing.T, ehlo []string, script func(r *bufio.Reader, say func(string))) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
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
		lines := append([]string{"relay.test"}, ehlo...)
		for i, l := range lines {
			sep := "-"
			if i == len(lines)-1 {
				sep = " "
			}
			c.Write([]byte("250" + sep + l + "\r\n"))
		}
		script(r, say)
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

// A relay that answers MAIL FROM only once DATA has arrived, as a relay
// far away effectively does: only a pipelining client (RFC 2920) gets
// through in one round trip; one that waits for each reply would stall
// until its timeout.
func TestPipeliningSendsTheEnvelopeInOneWrite(t *testing.T) {
	got := make(chan []string, 1)
	port := scriptedRelay(t, []string{"PIPELINING", "8BITMIME"}, func(r *bufio.Reader, say func(string)) {
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
	})
	cfg := SMTPConfig{Host: "127.0.0.1", Port: port, TLS: TLSNone, Timeout: 2 * time.Second}
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
	port := scriptedRelay(t, []string{"AUTH PLAIN"}, func(r *bufio.Reader, say func(string)) {
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
	})
	cfg := SMTPConfig{Host: "127.0.0.1", Port: port, TLS: TLSNone, Timeout: 2 * time.Second,
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

// SendThen puts the next message's envelope right behind the final ".":
// a relay that answers the "." only once that envelope has arrived still
// gets both messages through, in one round trip each. An envelope never
// followed by its message is abandoned without a ".", so the relay
// delivers nothing for it.
func TestSendThenPipelinesTheNextEnvelope(t *testing.T) {
	got := make(chan string, 4)
	readBody := func(r *bufio.Reader) bool {
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return false
			}
			if line == ".\r\n" {
				return true
			}
		}
	}
	readEnvelope := func(r *bufio.Reader) string {
		var cmds []string
		for len(cmds) < 3 {
			line, err := r.ReadString('\n')
			if err != nil {
				return "EOF"
			}
			cmds = append(cmds, strings.TrimSpace(line))
		}
		return strings.Join(cmds, "|")
	}
	port := scriptedRelay(t, []string{"PIPELINING"}, func(r *bufio.Reader, say func(string)) {
		got <- readEnvelope(r)
		say("250 ok\r\n250 ok\r\n354 go ahead")
		readBody(r)
		// The reply to the first "." is held until the next envelope
		// is in: a client that waited for it first would stall.
		got <- readEnvelope(r)
		say("250 queued 1\r\n250 ok\r\n250 ok\r\n354 go ahead")
		readBody(r)
		got <- readEnvelope(r)
		say("250 queued 2\r\n250 ok\r\n250 ok\r\n354 go ahead")
		if _, err := r.ReadString('\n'); err != nil {
			got <- "closed without a final dot"
		}
	})
	c, err := Dial(context.Background(), SMTPConfig{Host: "127.0.0.1", Port: port, TLS: TLSNone, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	raw := []byte("Subject: x\r\n\r\nciao\r\n")
	from := "news@example.it"
	anna, bruno, carla := Envelope{From: from, To: "anna@example.it"}, Envelope{From: from, To: "bruno@example.it"}, Envelope{From: from, To: "carla@example.it"}
	if err := c.SendThen(context.Background(), anna, raw, &bruno); err != nil {
		t.Fatalf("SendThen(anna, then bruno) = %v", err)
	}
	if err := c.SendThen(context.Background(), bruno, raw, &carla); err != nil {
		t.Fatalf("SendThen(bruno, then carla) = %v", err)
	}
	c.Close() // carla's envelope is never followed by her message
	want := []string{
		"MAIL FROM:<news@example.it>|RCPT TO:<anna@example.it>|DATA",
		"MAIL FROM:<news@example.it>|RCPT TO:<bruno@example.it>|DATA",
		"MAIL FROM:<news@example.it>|RCPT TO:<carla@example.it>|DATA",
		"closed without a final dot",
	}
	for i, w := range want {
		select {
		case g := <-got:
			if g != w {
				t.Errorf("step %d: relay saw %q; want %q", i, g, w)
			}
		case <-time.After(3 * time.Second):
			t.Fatalf("step %d: relay saw nothing; want %q", i, w)
		}
	}
}
