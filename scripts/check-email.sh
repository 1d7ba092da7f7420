#!/usr/bin/env bash
# check-email.sh: deliver the sample digest (make demo's data and --now) and
# the sample letter (testdata/letters) to a local mailpit in Italian and
# English, and print how mail clients see each:
# mailpit's caniemail score (supported / partial / unsupported %), each
# unsupported feature with the clients that lack it, the HTML part's size
# (Gmail clips above 102 KB) and SpamAssassin's score (spamassassin -L -t).
#
# Needs: go (builds venerdi, installs mailpit v1.33.1 into GOPATH/bin when
# it is missing), python3, curl, spamassassin (apt-get install spamassassin).
# Everything listens on 127.0.0.1 only; mailpit is stopped on exit.
set -euo pipefail

cd "$(dirname "$0")/.."
GO=${GO:-go}
NOW=${NOW:-2026-12-04T09:00:00+01:00}
LETTER_NOW=${LETTER_NOW:-2026-12-15T10:00:00+01:00}
MAILPIT_VERSION=v1.33.1
BIN=bin/venerdi

missing=()
command -v python3 >/dev/null || missing+=("python3")
command -v curl >/dev/null || missing+=("curl")
command -v spamassassin >/dev/null || missing+=("spamassassin (apt-get install -y spamassassin)")
if ((${#missing[@]})); then
	echo "check-email: missing: ${missing[*]}" >&2
	exit 1
fi

# go install stamps the module version into the binary (mailpit itself
# says "dev"), so ask go which version a mailpit on PATH or in GOPATH is.
mailpit_ok() { [[ -x $1 ]] && $GO version -m "$1" 2>/dev/null | grep -qE "mod[[:space:]]+github.com/axllent/mailpit[[:space:]]+$MAILPIT_VERSION"; }
MAILPIT=$(command -v mailpit || true)
if ! mailpit_ok "$MAILPIT"; then
	MAILPIT="$($GO env GOPATH)/bin/mailpit"
	if ! mailpit_ok "$MAILPIT"; then
		echo "check-email: installing mailpit $MAILPIT_VERSION (go install github.com/axllent/mailpit@$MAILPIT_VERSION)" >&2
		$GO install "github.com/axllent/mailpit@$MAILPIT_VERSION"
	fi
fi

$GO build -o "$BIN" ./cmd/venerdi

work=$(mktemp -d)
pid=
cleanup() {
	if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

# Free ports on 127.0.0.1, picked by the kernel.
read -r HTTP_PORT SMTP_PORT < <(python3 -c 'import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1",0)) for x in s]
print(*[x.getsockname()[1] for x in s])')
"$MAILPIT" --listen "127.0.0.1:$HTTP_PORT" --smtp "127.0.0.1:$SMTP_PORT" --disable-version-check \
	--database "$work/mailpit.db" --quiet >"$work/mailpit.log" 2>&1 &
pid=$!
API="http://127.0.0.1:$HTTP_PORT/api/v1"
for _ in $(seq 50); do curl -fsS "$API/info" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "$API/info" >/dev/null || { cat "$work/mailpit.log" >&2; exit 1; }

# measure LABEL ADDR: find the message to ADDR in mailpit and print its
# caniemail score, HTML size and SpamAssassin score; status=1 below target.
measure() {
	local label=$1 addr=$2 id="" f="$work/$1"
	for _ in $(seq 50); do
		id=$(curl -fsS "$API/search?query=to:$addr" | python3 -c 'import json,sys; m=json.load(sys.stdin)["messages"]; print(m[0]["ID"] if m else "")')
		[[ -n $id ]] && break
		sleep 0.1
	done
	[[ -n $id ]] || { echo "check-email: the $label message did not reach mailpit" >&2; exit 1; }
	curl -fsS "$API/message/$id/html-check" >"$f.check.json"
	curl -fsS "$API/message/$id" >"$f.msg.json"
	curl -fsS "$API/message/$id/raw" >"$f.eml"
	# The Date header is the demo's fixed clock (--now), days away from the
	# Received line mailpit adds now, which SpamAssassin rightly scores
	# (DATE_IN_FUTURE_*); a real send dates its messages when it sends them,
	# so score the message dated now.
	python3 - "$f.eml" <<'PY'
import sys, email.utils
p = sys.argv[1]
raw = open(p, "rb").read()
head, sep, body = raw.partition(b"\r\n\r\n")
lines = [l if not l.lower().startswith(b"date:") else b"Date: " + email.utils.formatdate(localtime=True).encode() for l in head.split(b"\r\n")]
open(p, "wb").write(b"\r\n".join(lines) + sep + body)
PY
	spamassassin -L -t <"$f.eml" >"$f.sa" 2>/dev/null || true
	local sa
	sa=$(grep -m1 -oE '^X-Spam-Status: (Yes|No), score=-?[0-9.]+' "$f.sa" | sed 's/.*score=//' || true)
	python3 - "$label" "$f.check.json" "$f.msg.json" "$sa" <<'PY' || status=1
import json, sys
label, check, msg, sa = sys.argv[1], json.load(open(sys.argv[2])), json.load(open(sys.argv[3])), sys.argv[4]
t = check["Total"]
size = len(msg["HTML"].encode())
print(f"== {label}: {msg['Subject']}")
print(f"   html-check: {t['Supported']:.2f}% supported, {t['Partial']:.2f}% partial, {t['Unsupported']:.2f}% unsupported ({t['Nodes']} nodes, {t['Tests']} tests)")
for w in check["Warnings"]:
    s = w["Score"]
    if s["Found"] == 0:
        continue
    no = sorted({r["Name"] for r in w["Results"] if r["Support"] == "no"})
    part = sorted({r["Name"] for r in w["Results"] if r["Support"] == "partial"})
    if no:
        print(f"   unsupported: {w['Title']} ×{s['Found']} ({s['Unsupported']:.0f}% of clients): {', '.join(no)}")
    elif part:
        print(f"   partial:     {w['Title']} ×{s['Found']} ({s['Partial']:.0f}% of clients): {', '.join(part)}")
print(f"   html size: {size} bytes ({size/1024:.1f} KB; Gmail clips at 102 KB)")
print(f"   spamassassin: {sa or '?'}")
ok = t["Supported"] >= 95 and size < 102 * 1024 and sa != "" and float(sa) <= 0
print("   " + ("ok" if ok else "BELOW TARGET (supported ≥ 95 %, html < 102 KB, spamassassin ≤ 0)"))
sys.exit(0 if ok else 1)
PY
	if [[ -n ${VERBOSE:-} ]]; then sed -n '/^ pts rule/,/^$/p' "$f.sa"; fi
}

status=0
for lang in it en; do
	site="$work/$lang"
	mkdir -p "$site"
	cp -r testdata/venerdi.toml testdata/blog testdata/webinars.json "$site/"
	"$BIN" --config "$site/venerdi.toml" --now "$NOW" fetch
	# A real send (smtp.host set) needs mail.address; the relay is mailpit.
	real=(env VENERDI_SITE_LANGUAGE=$lang VENERDI_SMTP_HOST=127.0.0.1 VENERDI_SMTP_PORT="$SMTP_PORT" VENERDI_SMTP_TLS=none
		VENERDI_MAIL_ADDRESS="Bottega Digitale srl, Via dell'Indipendenza 12, 40121 Bologna BO, Italia")
	"${real[@]}" "$BIN" --config "$site/venerdi.toml" --now "$NOW" send --to "lettore-$lang@example.it" >/dev/null
	measure "$lang" "lettore-$lang@example.it"
	# The sample letter of testdata/letters, in the same language.
	letter=testdata/letters/corso-newsletter.md
	[[ $lang == it ]] || letter=testdata/letters/corso-newsletter.$lang.md
	"${real[@]}" "$BIN" --config "$site/venerdi.toml" --now "$LETTER_NOW" letter send --to "lettere-$lang@example.it" "$letter" >/dev/null
	measure "letter $lang" "lettere-$lang@example.it"
done
exit $status
