package newsletter

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/venerdi/venerdi/internal/mailer"
)

// netResolver is the system's resolver.
type netResolver struct{}

func (netResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	return net.DefaultResolver.LookupTXT(ctx, name)
}

func (netResolver) LookupNS(ctx context.Context, name string) ([]*net.NS, error) {
	return net.DefaultResolver.LookupNS(ctx, name)
}

// reachDNS asks for the name servers of domain's top-level domain, which
// every real TLD has: a resolver that cannot name them (no network, or a
// sandbox that answers "no such domain" to everything) cannot be believed
// when it says a record is missing.
func (d *doctor) reachDNS(ctx context.Context, domain string) error {
	tld, _ := publicsuffix.PublicSuffix(strings.ToLower(domain))
	if i := strings.LastIndexByte(tld, '.'); i >= 0 {
		tld = tld[i+1:]
	}
	ctx, cancel := context.WithTimeout(ctx, d.o.DNSTimeout)
	defer cancel()
	ns, err := d.o.Resolver.LookupNS(ctx, tld+".")
	if err != nil {
		return fmt.Errorf("no name servers found for %q: %w", tld, err)
	}
	if len(ns) == 0 {
		return fmt.Errorf("no name servers found for %q", tld)
	}
	return nil
}

// errNoDNS says DNS could not be asked at all (no server, no network).
type errNoDNS struct{ err error }

func (e errNoDNS) Error() string { return e.err.Error() }

// txt returns the TXT records at name; none (NXDOMAIN, no such record) is
// not an error. An errNoDNS means the question could not be asked.
func (d *doctor) txt(ctx context.Context, name string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, d.o.DNSTimeout)
	defer cancel()
	recs, err := d.o.Resolver.LookupTXT(ctx, name)
	var de *net.DNSError
	switch {
	case err == nil:
		return recs, nil
	case errors.As(err, &de) && de.IsNotFound:
		return nil, nil
	}
	return nil, errNoDNS{err}
}

// tagged returns the records that start with prefix (like "v=spf1"),
// compared without regard to case.
func tagged(recs []string, prefix string) []string {
	var out []string
	for _, r := range recs {
		if t := strings.TrimSpace(r); len(t) >= len(prefix) && strings.EqualFold(t[:len(prefix)], prefix) &&
			(len(t) == len(prefix) || t[len(prefix)] == ' ' || t[len(prefix)] == ';') {
			out = append(out, t)
		}
	}
	return out
}

// tags parses "k=v; k=v" (DKIM, DMARC).
func tags(rec string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.Split(rec, ";") {
		if k, v, ok := strings.Cut(part, "="); ok {
			out[strings.ToLower(strings.TrimSpace(k))] = strings.Join(strings.Fields(v), "")
		}
	}
	return out
}

// orgDomain is the organisational domain (example.co.uk for
// news.example.co.uk), by the public suffix list.
func orgDomain(domain string) string {
	if o, err := publicsuffix.EffectiveTLDPlusOne(strings.ToLower(domain)); err == nil {
		return o
	}
	return strings.ToLower(domain)
}

// aligned is DMARC identifier alignment: exact in strict mode, the same
// organisational domain in relaxed mode.
func aligned(a, b, mode string) bool {
	if strings.EqualFold(a, b) {
		return true
	}
	return mode != "s" && orgDomain(a) == orgDomain(b)
}

// mailDNS checks DKIM, SPF, DMARC and their alignment. When DNS cannot be
// queried from here, each is skipped with a note saying what to look up
// from a machine that can.
func (d *doctor) mailDNS(ctx context.Context) []Check {
	from := d.fromDomain()
	if from == "" {
		return []Check{skip("dns", "no From domain to check (mail.from)")}
	}
	noDNS := d.reachDNS(ctx, from)
	ask := func(name string) ([]string, bool) {
		if noDNS != nil {
			return nil, false
		}
		recs, err := d.txt(ctx, name)
		if err != nil {
			noDNS = err
			return nil, false
		}
		return recs, true
	}
	dk := d.o.Options.Mail.DKIM
	dkimDomain := dk.Domain
	if dkimDomain == "" {
		dkimDomain = from
	}
	var checks []Check
	skipped := func(name, what string) Check {
		return skip(name, "DNS cannot be queried here (%v): check from a machine that can: dig +short TXT %s", noDNS, what)
	}

	// DKIM: the key file, and the public half published at
	// selector._domainkey.domain.
	if dk.KeyFile == "" {
		checks = append(checks, warn("dkim", "generate a key, set mail.dkim_key_file and mail.dkim_selector, publish the record 'venerdi doctor' then prints",
			"not signing (mail.dkim_key_file is empty): many providers file unsigned bulk mail as spam"))
	} else {
		checks = append(checks, d.dkim(ask, dkimDomain, skipped))
	}

	// SPF at the From domain: venerdi's envelope sender is the From
	// address, so SPF is checked (and aligned) there.
	const spfFix = "publish one TXT record at %s naming your relay, like \"v=spf1 include:<your relay's domain> ~all\""
	if recs, okDNS := ask(from); !okDNS {
		checks = append(checks, skipped("spf", from))
	} else {
		spf := tagged(recs, "v=spf1")
		switch {
		case len(spf) == 0:
			checks = append(checks, fail("spf", fmt.Sprintf(spfFix, from), "%s has no SPF record", from))
		case len(spf) > 1:
			checks = append(checks, fail("spf", "merge them into one TXT record", "%s has %d SPF records, which is an error for receivers", from, len(spf)))
		case strings.Contains(spf[0], "+all") || strings.HasSuffix(spf[0], " all"):
			checks = append(checks, warn("spf", "end the record with ~all or -all", "%s: %q lets anyone send as you", from, spf[0]))
		default:
			checks = append(checks, ok("spf", "%s: %s", from, spf[0]))
		}
	}

	// DMARC at _dmarc.From, else at the organisational domain.
	var dmarc map[string]string
	dmarcAt := "_dmarc." + from
	recs, okDNS := ask(dmarcAt)
	if okDNS && len(tagged(recs, "v=DMARC1")) == 0 && orgDomain(from) != from {
		dmarcAt = "_dmarc." + orgDomain(from)
		recs, okDNS = ask(dmarcAt)
	}
	switch dm := tagged(recs, "v=DMARC1"); {
	case !okDNS:
		checks = append(checks, skipped("dmarc", "_dmarc."+from))
	case len(dm) == 0:
		checks = append(checks, fail("dmarc", "publish a TXT record at _dmarc."+orgDomain(from)+", at least \"v=DMARC1; p=none; rua=mailto:you@"+orgDomain(from)+"\" (Gmail and Yahoo require one from bulk senders)",
			"%s has no DMARC record", from))
	default:
		dmarc = tags(dm[0])
		checks = append(checks, ok("dmarc", "%s: %s", dmarcAt, dm[0]))
	}

	// Alignment: what DMARC actually judges.
	switch {
	case noDNS != nil && dmarc == nil:
		checks = append(checks, skipped("alignment", "_dmarc."+from))
	case dmarc == nil:
		checks = append(checks, skip("alignment", "no DMARC record to align with"))
	default:
		spfMsg := "SPF aligned (the envelope sender is the From address)"
		if dk.KeyFile == "" {
			checks = append(checks, warn("alignment", "sign with DKIM at the From domain: forwarding breaks SPF",
				"From %s: %s; no DKIM signature to align", from, spfMsg))
		} else if !aligned(dkimDomain, from, dmarc["adkim"]) {
			checks = append(checks, fail("alignment", "set mail.dkim_domain to "+from+" (or leave it empty) and publish its key",
				"From %s: %s, but DKIM d=%s is not aligned (adkim=%s)", from, spfMsg, dkimDomain, orDefault(dmarc["adkim"], "r")))
		} else {
			checks = append(checks, ok("alignment", "From %s: %s, DKIM d=%s aligned (adkim=%s)", from, spfMsg, dkimDomain, orDefault(dmarc["adkim"], "r")))
		}
	}
	return checks
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (d *doctor) dkim(ask func(string) ([]string, bool), domain string, skipped func(name, what string) Check) Check {
	dk := d.o.Options.Mail.DKIM
	key, err := os.ReadFile(dk.KeyFile)
	if err != nil {
		return fail("dkim", "check mail.dkim_key_file", "key unreadable: %v", err)
	}
	signer, err := mailer.NewSigner(domain, dk.Selector, key)
	if err != nil {
		return fail("dkim", "use a PEM RSA (2048 bits) or Ed25519 key", "key %s: %v", dk.KeyFile, err)
	}
	want := signer.TXTRecord()
	name := dk.Selector + "._domainkey." + domain
	recs, okDNS := ask(name)
	if !okDNS {
		c := skipped("dkim", name)
		c.Detail = "key readable; " + c.Detail
		c.Fix = fmt.Sprintf("it must read \"%s\"", want)
		return c
	}
	publish := fmt.Sprintf("publish TXT %s \"%s\"", name, want)
	var found []string
	for _, r := range recs {
		if t := tags(r); t["p"] != "" {
			found = append(found, t["p"])
		}
	}
	wantP := tags(want)["p"]
	for _, p := range found {
		if p == wantP {
			return ok("dkim", "key %s matches the record published at %s", dk.KeyFile, name)
		}
	}
	if len(found) == 0 {
		return fail("dkim", publish, "key readable, but no DKIM record at %s", name)
	}
	return fail("dkim", publish, "the key published at %s is not the one in %s", name, dk.KeyFile)
}
