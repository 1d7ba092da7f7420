#!/usr/bin/env bash
# venerdi's send beside smtp-source (Postfix's C load generator doing
# nothing but SMTP), same message size, 4 connections, to the same
# Postfix smtp-sink, in one run and one table:
#   - loopback at 1,000 / 10,000 / 100,000 subscribers, with peak RSS;
#   - loopback at 10,000 with DKIM signing (RSA-2048, Ed25519);
#   - a relay 20 ms away: the sink behind toxiproxy adding 10 ms each way.
# Ratios are what to read: this machine is shared and noisy.
#
# Usage: scripts/bench-send.sh [SIZES...]   (default: 1000 10000 100000)
#        FAR=0 skips the 20 ms row; FAR_N sets its message count (400).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/sbin:$(go env GOPATH)/bin"

if ! command -v smtp-sink >/dev/null 2>&1; then
	# The package only; no mail system is configured or started.
	echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postfix >/dev/null
fi
if [ ! -x /usr/bin/time ]; then
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
fi
FAR=${FAR:-1}
FAR_N=${FAR_N:-400}
toxi="$(go env GOPATH)/bin"
if [ "$FAR" = 1 ] && { [ ! -x "$toxi/server" ] || [ ! -x "$toxi/cli" ]; }; then
	go install github.com/Shopify/toxiproxy/v2/cmd/server@v2.12.0
	go install github.com/Shopify/toxiproxy/v2/cmd/cli@v2.12.0
fi
calc() { awk "BEGIN { print $1 }"; }
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)

go build -o bin/venerdi ./cmd/venerdi
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
port=$((20000 + RANDOM % 10000))
user=$(id -un)
[ "$user" = root ] && user=postfix
smtp-sink -u "$user" 127.0.0.1:$port 256 &
sleep 0.5
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/rsa.pem" 2>/dev/null
openssl genpkey -algorithm ed25519 -out "$work/ed25519.pem" 2>/dev/null
now=2026-12-04T09:00:00+01:00

# row LABEL N RELAY_PORT [DKIM_KEY]
row() {
	local label=$1 n=$2 relay=$3 key=${4:-}
	local d="$work/$label"
	mkdir -p "$d"
	cp -r testdata/blog testdata/webinars.json "$d/"
	sed -e 's/^host = ""/host = "127.0.0.1"/' -e "s/^port = 587/port = $relay/" -e 's/^tls = "starttls"/tls = "none"/' \
		-e '/^list_id/a address = "Bottega Digitale srl, Via Roma 1, 40121 Bologna"' \
		testdata/venerdi.toml > "$d/venerdi.toml"
	if [ -n "$key" ]; then
		sed -i -e "s|^dkim_key_file = .*|dkim_key_file = \"$key\"|" -e 's/^dkim_selector = .*/dkim_selector = "bench"/' "$d/venerdi.toml"
		grep -q '^dkim_key_file' "$d/venerdi.toml" || sed -i "/^list_id/a dkim_key_file = \"$key\"\ndkim_selector = \"bench\"" "$d/venerdi.toml"
	fi
	awk -v n="$n" 'BEGIN { print "email,name"; for (i = 0; i < n; i++) printf "s%07d@example.it,Subscriber %d\n", i, i }' > "$d/subs.csv"
	bin/venerdi --config "$d/venerdi.toml" subscribers import "$d/subs.csv"
	bin/venerdi --config "$d/venerdi.toml" --now $now fetch
	local size
	size=$(bin/venerdi --config "$d/venerdi.toml" --now $now preview --format eml | wc -c)

	local start end v_rate s_rate
	start=$(date +%s.%N)
	/usr/bin/time -f "%M" -o "$d/rss" bin/venerdi --config "$d/venerdi.toml" --now $now send --no-fetch
	end=$(date +%s.%N)
	v_rate=$(calc "$n / ($end - $start)")
	start=$(date +%s.%N)
	smtp-source -d -s 4 -m "$n" -l "$size" -f news@bottega.example.it -t sink@example.it 127.0.0.1:$relay
	end=$(date +%s.%N)
	s_rate=$(calc "$n / ($end - $start)")
	printf "%-22s %8d  %10.0f  %10.0f  %6.2f  %8d kB\n" "$label" "$n" "$v_rate" "$s_rate" \
		"$(calc "$v_rate / $s_rate")" "$(cat "$d/rss")"
}

printf "%-22s %8s  %10s  %10s  %6s  %11s\n" run messages "venerdi/s" "source/s" ratio "peak RSS"
for n in "${sizes[@]}"; do
	row "loopback-$n" "$n" $port
done
row "loopback-dkim-rsa2048" 10000 $port "$work/rsa.pem"
row "loopback-dkim-ed25519" 10000 $port "$work/ed25519.pem"
if [ "$FAR" = 1 ]; then
	api=$((30000 + RANDOM % 5000))
	far=$((35000 + RANDOM % 5000))
	"$toxi/server" -host 127.0.0.1 -port $api >/dev/null 2>&1 &
	sleep 0.7
	tcli() { "$toxi/cli" --host "http://127.0.0.1:$api" "$@" >/dev/null; }
	tcli create -l 127.0.0.1:$far -u 127.0.0.1:$port relay
	tcli toxic add -t latency -a latency=10 -d relay
	tcli toxic add -t latency -a latency=10 -u relay
	row "rtt20ms" "$FAR_N" $far
fi
echo "(message size: the sample issue as sent, about 41 KB; 4 connections each side)"
