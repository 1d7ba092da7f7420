#!/usr/bin/env bash
# Sends one issue to 1,000, 10,000 and 100,000 subscribers over 4 SMTP
# connections to Postfix's smtp-sink on 127.0.0.1 and, in the same run,
# has smtp-source push the same number of messages of the same size to the
# same sink over 4 sessions. Prints messages per second, the ratio, and
# venerdi's peak RSS per list size.
#
# Usage: scripts/bench-send.sh [SIZES...]   (default: 1000 10000 100000)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v smtp-sink >/dev/null 2>&1 && [ ! -x /usr/sbin/smtp-sink ]; then
	# The package only; no mail system is configured or started.
	echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postfix >/dev/null
fi
if [ ! -x /usr/bin/time ]; then
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
fi
export PATH="$PATH:/usr/sbin"
calc() { awk "BEGIN { print $1 }"; }
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)

go build -o bin/venerdi ./cmd/venerdi
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
port=$((20000 + RANDOM % 20000))
user=$(id -un)
[ "$user" = root ] && user=postfix
smtp-sink -u "$user" 127.0.0.1:$port 256 &
sleep 0.5

now=2026-12-04T09:00:00+01:00
printf "%8s  %12s  %12s  %6s  %10s\n" subscribers "venerdi m/s" "source m/s" ratio "peak RSS"
for n in "${sizes[@]}"; do
	d="$work/$n"
	mkdir -p "$d"
	cp -r testdata/blog testdata/webinars.json "$d/"
	sed -e 's/^host = ""/host = "127.0.0.1"/' -e "s/^port = 587/port = $port/" -e 's/^tls = "starttls"/tls = "none"/' \
		-e '/^list_id/a address = "Bottega Digitale srl, Via Roma 1, 40121 Bologna"' \
		testdata/venerdi.toml > "$d/venerdi.toml"
	awk -v n="$n" 'BEGIN { print "email,name"; for (i = 0; i < n; i++) printf "s%07d@example.it,Subscriber %d\n", i, i }' > "$d/subs.csv"
	bin/venerdi --config "$d/venerdi.toml" subscribers import "$d/subs.csv"
	bin/venerdi --config "$d/venerdi.toml" --now $now fetch
	size=$(bin/venerdi --config "$d/venerdi.toml" --now $now preview --format eml | wc -c)

	start=$(date +%s.%N)
	/usr/bin/time -f "%M" -o "$d/rss" bin/venerdi --config "$d/venerdi.toml" --now $now send --no-fetch
	end=$(date +%s.%N)
	v_rate=$(calc "$n / ($end - $start)")

	start=$(date +%s.%N)
	smtp-source -d -s 4 -m "$n" -l "$size" -f news@bottega.example.it -t sink@example.it 127.0.0.1:$port
	end=$(date +%s.%N)
	s_rate=$(calc "$n / ($end - $start)")

	printf "%8d  %12.0f  %12.0f  %6.2f  %8d kB   (message %d bytes)\n" "$n" "$v_rate" "$s_rate" \
		"$(calc "$v_rate / $s_rate")" "$(cat "$d/rss")" "$size"
done
