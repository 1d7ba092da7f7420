#!/usr/bin/env bash
# The same send as bench-send.sh, but to a relay 20 ms away: Postfix's
# smtp-sink behind a toxiproxy adding 10 ms each way. venerdi and
# smtp-source (4 sessions, same message size) go through the same proxy in
# one run; prints msg/s of each and the ratio.
#
# Usage: scripts/bench-far.sh [N]   (default 400 messages)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-400}
export PATH="$PATH:/usr/sbin:$(go env GOPATH)/bin"
if ! command -v smtp-sink >/dev/null 2>&1; then
	echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postfix >/dev/null
fi
if [ ! -x "$(go env GOPATH)/bin/server" ] || [ ! -x "$(go env GOPATH)/bin/cli" ]; then
	go install github.com/Shopify/toxiproxy/v2/cmd/server@v2.12.0
	go install github.com/Shopify/toxiproxy/v2/cmd/cli@v2.12.0
fi
toxi="$(go env GOPATH)/bin"
calc() { awk "BEGIN { print $1 }"; }

go build -o bin/venerdi ./cmd/venerdi
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
sink=$((20000 + RANDOM % 10000))
api=$((30000 + RANDOM % 5000))
far=$((35000 + RANDOM % 5000))
user=$(id -un)
[ "$user" = root ] && user=postfix
smtp-sink -u "$user" 127.0.0.1:$sink 256 &
"$toxi/server" -host 127.0.0.1 -port $api >/dev/null 2>&1 &
sleep 0.7
tcli() { "$toxi/cli" --host "http://127.0.0.1:$api" "$@" >/dev/null; }
tcli create -l 127.0.0.1:$far -u 127.0.0.1:$sink relay
tcli toxic add -t latency -a latency=10 -d relay
tcli toxic add -t latency -a latency=10 -u relay

d="$work/far"
mkdir -p "$d"
cp -r testdata/blog testdata/webinars.json "$d/"
sed -e 's/^host = ""/host = "127.0.0.1"/' -e "s/^port = 587/port = $far/" -e 's/^tls = "starttls"/tls = "none"/' \
	-e '/^list_id/a address = "Bottega Digitale srl, Via Roma 1, 40121 Bologna"' \
	testdata/venerdi.toml > "$d/venerdi.toml"
awk -v n="$n" 'BEGIN { print "email,name"; for (i = 0; i < n; i++) printf "s%07d@example.it,Subscriber %d\n", i, i }' > "$d/subs.csv"
now=2026-12-04T09:00:00+01:00
bin/venerdi --config "$d/venerdi.toml" subscribers import "$d/subs.csv"
bin/venerdi --config "$d/venerdi.toml" --now $now fetch
size=$(bin/venerdi --config "$d/venerdi.toml" --now $now preview --format eml | wc -c)

start=$(date +%s.%N)
bin/venerdi --config "$d/venerdi.toml" --now $now send --no-fetch
end=$(date +%s.%N)
v_rate=$(calc "$n / ($end - $start)")
start=$(date +%s.%N)
smtp-source -d -s 4 -m "$n" -l "$size" -f news@bottega.example.it -t sink@example.it 127.0.0.1:$far
end=$(date +%s.%N)
s_rate=$(calc "$n / ($end - $start)")
printf "20 ms RTT, %d messages of %d bytes, 4 connections: venerdi %.0f msg/s, smtp-source %.0f msg/s, ratio %.2f\n" \
	"$n" "$size" "$v_rate" "$s_rate" "$(calc "$v_rate / $s_rate")"
