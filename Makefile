# venerdi: `make demo` runs this week's digest on the sample data; `make test`
# runs every test. Both work on a fresh machine with Go and a C compiler.

GO       ?= go
BIN      := bin/venerdi
DEMO_DIR := demo
DEMO_NOW := 2026-12-04T09:00:00+01:00
FUZZTIME ?= 60s
VERSION  := $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X github.com/venerdi/venerdi/internal/cli.Version=$(VERSION)

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man

.PHONY: build install man demo test race fuzz bench vet fmt clean check-email

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/venerdi

# The binary and its manual pages under $(PREFIX) (default /usr/local; use
# PREFIX=$$HOME/.local without root). 'go install ./cmd/venerdi' installs
# the binary alone into $$(go env GOPATH)/bin.
install: build man
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/venerdi
	install -m 644 man/*.1 $(DESTDIR)$(MANDIR)/man1/

# One manual page per command, generated from the cobra tree into man/
# (not committed: they are built from the code, like the binary).
man:
	@rm -rf man
	$(GO) run -ldflags "$(LDFLAGS)" ./tools/mangen man

# A fresh demo folder each time: the sample config, feed and catalog, the
# sample subscribers, and a send at --now so there is always something new.
demo: build
	@rm -rf $(DEMO_DIR) && mkdir -p $(DEMO_DIR)
	@cp -r testdata/venerdi.toml testdata/blog testdata/webinars.json testdata/subscribers.csv $(DEMO_DIR)/
	@$(BIN) --config $(DEMO_DIR)/venerdi.toml subscribers import $(DEMO_DIR)/subscribers.csv
	@$(BIN) --config $(DEMO_DIR)/venerdi.toml --now $(DEMO_NOW) -v send
	@$(BIN) --config $(DEMO_DIR)/venerdi.toml --now $(DEMO_NOW) preview --format html --out $(DEMO_DIR)/preview.html
	@$(BIN) --config $(DEMO_DIR)/venerdi.toml --now $(DEMO_NOW) preview --format text --out $(DEMO_DIR)/preview.txt
	@echo
	@echo "Sent $$(ls $(DEMO_DIR)/outbox | wc -l) messages to $(DEMO_DIR)/outbox/ (one .eml per subscriber)."
	@echo "HTML preview: $(DEMO_DIR)/preview.html   text: $(DEMO_DIR)/preview.txt"
	@echo "Run it again: 'make demo' starts from scratch; '$(BIN) --config $(DEMO_DIR)/venerdi.toml --now $(DEMO_NOW) send' shows the second-send guard."

test:
	$(GO) vet ./...
	$(GO) test -count=1 ./...

race:
	$(GO) test -race -count=1 ./...

# Each fuzz target for $(FUZZTIME); crashers land in testdata/fuzz and stay
# there as regression cases.
fuzz:
	@for pkg in ./internal/feed ./internal/catalog ./internal/mailer ./internal/plaintext ./internal/newsletter ./internal/letter; do \
		for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "== $$pkg $$t"; \
			$(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 100x $$pkg || exit 1; \
		done; \
	done

# Ingest (fetch + parse + sanitise + upsert of a 5,000-item feed) against a
# bare gofeed parse of the same bytes; message building; the ledger's cost
# per message; then one table of real sends to Postfix's smtp-sink next to
# smtp-source: loopback at 1k/10k/100k with peak RSS, with DKIM RSA and
# Ed25519, and through a proxy adding 20 ms of round trip
# (scripts/bench-send.sh; installs postfix and toxiproxy on first use).
bench:
	$(GO) test -run '^$$' -bench 'Ingest5000|GofeedBare|Parse5000' -benchmem ./internal/feed
	$(GO) test -run '^$$' -bench . -benchmem ./internal/mailer ./internal/delivery
	$(GO) test -run '^$$' -bench LedgerRecord4 -benchmem ./internal/store
	./scripts/bench-send.sh

# The sample digest as mail clients see it: delivered to a local mailpit
# (installed on first use) in Italian and English; prints mailpit's
# caniemail score, the unsupported features, the HTML size and
# SpamAssassin's score, and fails below the targets (scripts/check-email.sh).
check-email:
	GO=$(GO) ./scripts/check-email.sh

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l cmd internal templates)" || (gofmt -l cmd internal templates; exit 1)

fmt:
	gofmt -w cmd internal templates

clean:
	rm -rf bin man $(DEMO_DIR)
