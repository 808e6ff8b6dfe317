#!/usr/bin/env bash
# A bounded soak: the gateway jar against the fast provider stub of scripts/bench-e2e.sh
# (FastWechatStub), driven at a FIXED rate over HTTP by io.paygate.tools.SoakLoad (PAY SCAN of new
# orders, every 10th request a QUERY of the last order whose PAY was answered), for a fixed number
# of minutes. Every minute: a full GC in the gateway (`jcmd <pid> GC.run`), then its heap used and
# committed (`jcmd <pid> GC.heap_info`), its resident memory (VmRSS of /proc/<pid>/status) and the
# ledger's size on disk (the H2 file, or the PostgreSQL database's pg_database_size); one
# table row a minute (the load's counts of a minute can come a few seconds later: the whole table is
# printed again at the end with them), and at the end the slope (mean of the last 5 minutes minus
# mean of the first 5, per minute between their centres) and the error count.
#
# Usage: scripts/soak.sh [--rate R|half] [--minutes M] [--store h2|postgres] [--peak-seconds S]
#   (after `mvn -q package -DskipTests`; defaults: --rate half, --minutes 25, --store h2)
# --rate half: first measures the peak (HttpLoad, 8 clients, --peak-seconds, default 20, after a
#   20 s warm-up) and soaks at half of it; the peak's orders stay in the ledger.
# --store postgres: a fresh database on the local PostgreSQL (127.0.0.1:5432, user postgres, trust
#   auth; PGHOST/PGPORT/PGUSER override), dropped at the end.
# Every port is a free one picked at start (never the shipped ones). The data dir is a fresh one
# under target/ (on disk), removed at the end. On a PostgreSQL whose autovacuum is off, ANALYZE runs on
# the soak's database once a minute (what autovacuum does). JAVA_OPTS is given to the gateway. Exit status 0
# only if no request failed.
set -euo pipefail
rate=half minutes=25 store=h2 peak_seconds=20
while [ $# -gt 0 ]; do
  case "$1" in
    --rate) rate=$2; shift 2 ;;
    --minutes) minutes=$2; shift 2 ;;
    --store) store=$2; shift 2 ;;
    --peak-seconds) peak_seconds=$2; shift 2 ;;
    *) echo "usage: scripts/soak.sh [--rate R|half] [--minutes M] [--store h2|postgres] [--peak-seconds S]" >&2
       exit 2 ;;
  esac
done
case "$store" in h2|postgres) ;; *) echo "--store is h2 or postgres" >&2; exit 2 ;; esac
[ "$minutes" -ge 10 ] 2>/dev/null || { echo "--minutes is at least 10 (the slope compares 5 and 5)" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
jar="$root/target/payment-gateway.jar"
tools="$root/target/payment-gateway-sandbox.jar"
[ -f "$jar" ] && [ -f "$tools" ] || { echo "build first: mvn -q package -DskipTests" >&2; exit 1; }
command -v jcmd > /dev/null || { echo "jcmd (JDK) is needed" >&2; exit 1; }
. "$root/scripts/lib/free-port.sh"
stub_port=$(free_port) http_port=$(free_port) broker_port=$(free_port)
mkdir -p "$root/target"
work=$(mktemp -d "$root/target/soak.XXXXXX")
# Copies, so that a rebuild or an edit during the soak does not change the jars or routes under a running JVM.
cp "$jar" "$work/payment-gateway.jar"; cp "$tools" "$work/payment-gateway-sandbox.jar"; cp -r "$root/routes" "$work/routes"
jar="$work/payment-gateway.jar" tools="$work/payment-gateway-sandbox.jar"
pids=()
pgdb=""
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "$pgdb" ] && dropdb --if-exists "$pgdb" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
await() { # await <seconds> <what> <command...>
  local until=$((SECONDS + $1)) what=$2; shift 2
  until "$@" 2>/dev/null; do
    [ $SECONDS -lt $until ] || { echo "timed out waiting for $what" >&2; return 1; }
    sleep 0.2
  done
}

# A bench-only merchant: these values sign calls to the stub and nothing else.
mch=1900000109 appid=wxbench0000000001 key=benchkey0000000000000000000000001 token=bench-token-000000000001

echo "soak: store $store, $minutes minutes, $(nproc) cores, load average before $(cut -d' ' -f1-3 /proc/loadavg)"
(exec java -cp "$tools" io.paygate.tools.FastWechatStub --port "$stub_port" --mch "$mch" --appid "$appid" \
  --key "$key" --threads 8 > "$work/stub.log" 2>&1) &
pids+=($!)
await 30 "the stub" grep -q listening "$work/stub.log"

store_url=""
if [ "$store" = postgres ]; then
  pgdb="paygate_soak_$$_$RANDOM"
  createdb "$pgdb"
  store_url="jdbc:postgresql://$PGHOST:$PGPORT/$pgdb"
  if [ "$(psql -d "$pgdb" -Atc 'SHOW autovacuum')" = off ]; then
    # What autovacuum would do as the tables grow (docs/deployment.md, "Keep PostgreSQL's autovacuum on").
    analyze_each_minute=1
    echo "this PostgreSQL runs with autovacuum off: the soak runs ANALYZE on its database once a minute"
  fi
fi
mkdir -p "$work/config" "$work/data"
cat > "$work/config/application.properties" <<PROPS
gateway.http.host=127.0.0.1
gateway.http.port=$http_port
gateway.public-base-url=http://127.0.0.1:$http_port
gateway.broker.host=127.0.0.1
gateway.broker.port=$broker_port
gateway.broker.user=gateway
gateway.broker.password=soak-broker-password
gateway.store.url=$store_url
gateway.store.user=$([ "$store" = postgres ] && echo "$PGUSER" || echo gateway)
gateway.sandbox.enabled=false
PROPS
cat > "$work/config/merchants.yaml" <<YAML
merchants:
  bench-shop:
    provider: wechat
    apiToken: $token
    callbackSecret: bench-callback-secret
    notifyUrl: http://127.0.0.1:9/payments/events
    callbackHosts: [127.0.0.1]
    wechat:
      baseUrl: http://127.0.0.1:$stub_port
      appId: $appid
      mchId: "$mch"
      apiKey: $key
      signType: HMAC-SHA256
YAML
# shellcheck disable=SC2086
(cd "$work" && GATEWAY_CONFIG_DIR="$work/config" GATEWAY_ROUTES_DIR="$work/routes" GATEWAY_DATA_DIR="$work/data" \
  exec java ${JAVA_OPTS:-} -jar "$jar" > "$work/gateway.log" 2>&1) &
gateway=$!
pids+=($gateway)
await 120 "the gateway (log: $work/gateway.log)" curl -sf -o /dev/null "http://127.0.0.1:$http_port/observe/health" \
  || { tail -30 "$work/gateway.log" >&2; exit 1; }

if [ "$rate" = half ]; then
  java -cp "$jar:$tools" io.paygate.tools.HttpLoad --url "http://127.0.0.1:$http_port" --token "$token" \
    --merchant bench-shop --clients 8 --seconds 20 --warmup 0 > /dev/null
  peak=$(java -cp "$jar:$tools" io.paygate.tools.HttpLoad --url "http://127.0.0.1:$http_port" --token "$token" \
    --merchant bench-shop --clients 8 --seconds "$peak_seconds" --warmup 2 | tail -1)
  echo "peak (HttpLoad, 8 clients, ${peak_seconds} s): $peak"
  rate=$(echo "$peak" | sed -n 's/.*rps=\([0-9.]*\).*/\1/p' | awk '{printf "%d", $1 / 2}')
  [ "$rate" -ge 1 ] || { echo "no peak measured" >&2; exit 1; }
fi
echo "soak rate: $rate requests/s (90% PAY, 10% QUERY)"

sample() { # prints "<heap used MiB after full GC> <RSS MiB> <heap committed MiB>" of the gateway
  jcmd "$gateway" GC.run > /dev/null
  local info heap committed rss
  info=$(jcmd "$gateway" GC.heap_info)
  heap=$(echo "$info" | sed -n 's/.* used \([0-9]*\)K.*/\1/p' | head -1)
  committed=$(echo "$info" | sed -n 's/.* total \([0-9]*\)K.*/\1/p' | head -1)
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$gateway/status")
  awk -v h="$heap" -v r="$rss" -v c="$committed" 'BEGIN {printf "%.1f %.1f %.1f\n", h / 1024, r / 1024, c / 1024}'
}
ledger() { # prints the ledger's size on disk in MiB: the H2 file, or the PostgreSQL database
  if [ "$store" = postgres ]; then
    psql -d "$pgdb" -Atc 'SELECT pg_database_size(current_database())' | awk '{printf "%.1f\n", $1 / 1048576}'
  else
    stat -c %s "$work/data/ledger.mv.db" | awk '{printf "%.1f\n", $1 / 1048576}'
  fi
}
echo "minute 0 (before the load): $(sample) (heap MiB used after GC, RSS MiB, heap MiB committed); ledger $(ledger) MiB"
java -cp "$jar:$tools" io.paygate.tools.SoakLoad --url "http://127.0.0.1:$http_port" --token "$token" \
  --merchant bench-shop --rate "$rate" --minutes "$minutes" > "$work/load.txt" 2> "$work/load.err" &
load=$!
pids+=($load)
begin=$SECONDS
: > "$work/mem.txt"
header() {
  printf '| minute | heap used after full GC (MiB) | RSS (MiB) | heap committed (MiB) | PAY | QUERY | errors | p50 ms | p99 ms | load avg | ledger (MiB) |\n'
  printf '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n'
}
row() { # row <minute> <heap> <rss> <committed> <load avg> <ledger MiB>
  local line
  line=$(grep "^minute=$1 " "$work/load.txt" || true)
  field() { echo "$line" | sed -n "s/.* $1=\([0-9.]*\).*/\1/p"; }
  printf '| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" "$(field pay)" "$(field query)" \
    "$(field errors)" "$(field p50)" "$(field p99)" "$5" "$6"
}
header
for m in $(seq 1 "$minutes"); do
  while [ $((SECONDS - begin)) -lt $((m * 60 + 3)) ]; do sleep 1; done
  kill -0 "$gateway" 2>/dev/null || { echo "the gateway died: $(tail -20 "$work/gateway.log")" >&2; exit 1; }
  [ -z "${analyze_each_minute:-}" ] || psql -d "$pgdb" -qc ANALYZE
  mem=$(sample)
  avg=$(cut -d' ' -f1 /proc/loadavg) size=$(ledger)
  echo "$m $mem $avg $size" >> "$work/mem.txt"
  # shellcheck disable=SC2086
  row $m $mem "$avg" "$size"
done
wait "$load" && load_rc=0 || load_rc=$?
echo
echo "The whole table, with every minute's load counts:"
header
while read -r m heap rss committed avg size; do row "$m" "$heap" "$rss" "$committed" "$avg" "$size"; done < "$work/mem.txt"
tail -1 "$work/load.txt"
[ -s "$work/load.err" ] && cat "$work/load.err"
python3 - "$work/mem.txt" <<'PY'
import sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
first, last = rows[:5], rows[-5:]
span = (sum(r[0] for r in last) - sum(r[0] for r in first)) / 5
for col, name in ((1, "heap used after full GC"), (2, "RSS")):
    a = sum(r[col] for r in first) / 5
    b = sum(r[col] for r in last) / 5
    print("%s: first 5 minutes %.1f MiB, last 5 minutes %.1f MiB, slope %+.2f MiB/minute" % (name, a, b, (b - a) / span))
PY
echo "errors (failed or dropped requests): $(sed -n 's/^total.* errors=\([0-9]*\).*/\1/p' "$work/load.txt")"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$load_rc"
