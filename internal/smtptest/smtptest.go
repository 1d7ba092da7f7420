// Package smtptest runs a real SMTP server on 127.0.0.1 for tests, built on
// github.com/emersion/go-smtp. It records what arrives and can misbehave on
// demand the way relays do: refuse chosen recipients (4xx or 5xx), answer
// 451 at random, or drop the connection in the middle of DATA.
package smtptest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is one accepted message.
type Message struct {
	From string
	To   []string
	Data []byte
}

// Server is a running test server.
type Server struct {
	Addr string
	Port int

	srv *smtp.Server
	ln  net.Listener

	mu          sync.Mutex
	messages    []Message
	rcptReplies map[string]int // lower-cased address → reply code
	random451   float64
	rng         *rand.Rand
	dropEvery   int // drop the connection mid-DATA on every Nth DATA
	datas       int
	conns       int
	dir         string
	delay       time.Duration
	users       map[string]string
	stageFail   map[string]*smtp.SMTPError // Stage → the reply every command there gets
	lateReply   time.Duration              // after accepting a message, before saying so
	joined      func()                     // called once per accepted message
	stallAfter  int                        // with stall set: hold DATA once this many messages are in
	stall       chan struct{}              // closed to release the held DATAs
	held        int                        // DATAs being held now
}

// SMTP steps a scripted refusal can be put at.
const (
	AtMail = "mail"
	AtRcpt = "rcpt"
	AtData = "data" // the reply to the final "."
)

// FailAt makes every command at stage answer code with the enhanced code
// (like "5.7.1") and text; code 0 clears it. It is how a relay's own
// problems look: a lost login at MAIL FROM, relaying denied at RCPT, a
// message too big at the end of DATA.
func (s *Server) FailAt(stage string, code int, enhanced, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stageFail == nil {
		s.stageFail = map[string]*smtp.SMTPError{}
	}
	if code == 0 {
		delete(s.stageFail, stage)
		return
	}
	var ec smtp.EnhancedCode
	fmt.Sscanf(enhanced, "%d.%d.%d", &ec[0], &ec[1], &ec[2])
	if enhanced == "" {
		ec = smtp.NoEnhancedCode
	}
	s.stageFail[stage] = &smtp.SMTPError{Code: code, EnhancedCode: ec, Message: text}
}

func (s *Server) failAt(stage string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.stageFail[stage]; e != nil {
		return e
	}
	return nil
}

// ReplyLate makes the server accept each message (it counts as
// delivered) and only then wait d before answering the final ".", like a
// relay writing to a slow queue.
func (s *Server) ReplyLate(d time.Duration) {
	s.mu.Lock()
	s.lateReply = d
	s.mu.Unlock()
}

// StallAfter makes the server accept messages until it holds n in all,
// then hold every further DATA, once its message is read and before it
// counts as accepted, like a relay whose queue hangs: a client waits for
// the reply to its final ".", and a client killed then has sent nothing
// more. StallAfter(0) releases the held DATAs, which answer 451 4.3.0
// and are never counted, and accepts again.
func (s *Server) StallAfter(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stall != nil {
		close(s.stall)
		s.stall = nil
	}
	if n > 0 {
		s.stallAfter, s.stall = n, make(chan struct{})
	}
}

// Held is how many DATAs StallAfter is holding now.
func (s *Server) Held() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.held
}

// RequireAuth makes the server offer AUTH PLAIN and require it before MAIL
// FROM, with these username → password pairs, as Options.Users does; nil
// turns it off.
func (s *Server) RequireAuth(users map[string]string) {
	s.mu.Lock()
	s.users = users
	s.mu.Unlock()
}

func (s *Server) authUsers() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.users
}

// OnAccept calls fn after each accepted message (from the server's
// goroutine), so a test can act in the middle of a send.
func (s *Server) OnAccept(fn func()) {
	s.mu.Lock()
	s.joined = fn
	s.mu.Unlock()
}

// Options tune a server.
type Options struct {
	// Dir, when set, receives every accepted message as NNNNNN-<rcpt>.eml.
	Dir string
	// Seed makes the random failures repeatable.
	Seed uint64
	// Delay is how long DATA takes to be accepted, like a relay's queue
	// write; it makes runs long enough to interrupt.
	Delay time.Duration
	// Users, when set, makes the server offer AUTH PLAIN and require it
	// before MAIL FROM, with these username → password pairs.
	Users map[string]string
}

// Start listens on 127.0.0.1:0 and serves until Close.
func Start(o Options) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{ln: ln, Addr: ln.Addr().String(), Port: ln.Addr().(*net.TCPAddr).Port,
		rcptReplies: map[string]int{}, rng: rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b9)), dir: o.Dir, delay: o.Delay, users: o.Users}
	if s.dir != "" {
		if err := os.MkdirAll(s.dir, 0o755); err != nil {
			return nil, err
		}
	}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		s.mu.Lock()
		s.conns++
		s.mu.Unlock()
		return &session{s: s, c: c}, nil
	}))
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout = 60 * time.Second
	s.srv.WriteTimeout = 60 * time.Second
	s.srv.MaxMessageBytes = 50 << 20
	go s.srv.Serve(ln)
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

// Reply makes RCPT TO for addr answer code (e.g. 550 or 451); 0 clears it.
func (s *Server) Reply(addr string, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == 0 {
		delete(s.rcptReplies, strings.ToLower(addr))
		return
	}
	s.rcptReplies[strings.ToLower(addr)] = code
}

// Random451 makes each RCPT fail with 451 with probability p.
func (s *Server) Random451(p float64) {
	s.mu.Lock()
	s.random451 = p
	s.mu.Unlock()
}

// DropEvery closes the connection half-way through every nth DATA; 0 stops.
func (s *Server) DropEvery(n int) {
	s.mu.Lock()
	s.dropEvery = n
	s.mu.Unlock()
}

// Messages returns a copy of what was accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Count returns how many accepted messages were addressed to addr.
func (s *Server) Count(addr string) int {
	n := 0
	for _, m := range s.Messages() {
		for _, to := range m.To {
			if strings.EqualFold(to, addr) {
				n++
			}
		}
	}
	return n
}

// Connections returns how many connections were opened.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

type session struct {
	s    *Server
	c    *smtp.Conn
	user string
	from string
	to   []string
}

func (ss *session) AuthMechanisms() []string {
	if ss.s.authUsers() == nil {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	users := ss.s.authUsers()
	if mech != sasl.Plain || users == nil {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if want, ok := users[username]; !ok || want != password {
			return smtp.ErrAuthFailed
		}
		ss.user = username
		return nil
	}), nil
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.authUsers() != nil && ss.user == "" {
		return smtp.ErrAuthRequired
	}
	if err := ss.s.failAt(AtMail); err != nil {
		return err
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s := ss.s
	if err := s.failAt(AtRcpt); err != nil {
		return err
	}
	s.mu.Lock()
	code := s.rcptReplies[strings.ToLower(to)]
	if code == 0 && s.random451 > 0 && s.rng.Float64() < s.random451 {
		code = 451
	}
	s.mu.Unlock()
	switch {
	case code >= 500:
		return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user here"}
	case code >= 400:
		return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{4, 7, 1}, Message: "try again later"}
	}
	ss.to = append(ss.to, to)
	return nil
}

var errDropped = errors.New("connection dropped on purpose")

func (ss *session) Data(r io.Reader) error {
	s := ss.s
	s.mu.Lock()
	s.datas++
	drop := s.dropEvery > 0 && s.datas%s.dropEvery == 0
	s.mu.Unlock()
	if drop {
		buf := make([]byte, 64)
		io.ReadFull(r, buf)
		ss.c.Conn().Close()
		return errDropped
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if err := s.failAt(AtData); err != nil {
		return err
	}
	time.Sleep(s.delay)
	s.mu.Lock()
	if gate := s.stall; gate != nil && len(s.messages) >= s.stallAfter {
		s.held++
		s.mu.Unlock()
		<-gate
		s.mu.Lock()
		s.held--
		s.mu.Unlock()
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "queue stalled"}
	}
	s.messages = append(s.messages, Message{From: ss.from, To: append([]string(nil), ss.to...), Data: data})
	n := len(s.messages)
	late, joined := s.lateReply, s.joined
	s.mu.Unlock()
	if joined != nil {
		joined()
	}
	if late > 0 {
		time.Sleep(late) // accepted, but the client hears so only now
	}
	if s.dir != "" {
		name := fmt.Sprintf("%06d-%s.eml", n, safe(strings.Join(ss.to, ",")))
		if err := os.WriteFile(filepath.Join(s.dir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func safe(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		if r == '@' || r == '.' || r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}
