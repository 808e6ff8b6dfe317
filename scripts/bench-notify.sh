#!/usr/bin/env bash
# Provider notifications accepted per second: signed WeChat Pay payment notifications of new sandbox
# orders POSTed to /notify/wechat/demo-shop (shipped sandbox configuration, fresh data dir, ports
# moved off the defaults so tests can run meanwhile), next to the broker's own persistent send rate
# measured in the same run with Artemis's `artemis perf client` on a standalone broker.
# The merchant callbacks of the paid orders go to NotifyLoad itself (127.0.0.1:19099, answers 200);
# it reports the callbacks' rate during the timed phase next to the notifications' and the backlog left.
# Usage: [WARMUP_ORDERS=40000] [DUPLICATES=1] [GATEWAY_TREE=dir] [PG_DB=name | MEM_STORE=1] [JFR=file.jfr] [BASELINE=1] \
#        scripts/bench-notify.sh [orders] [concurrency]
# (after `mvn -q package -DskipTests`; the Artemis distribution is unpacked by `mvn verify`, or here
# by `mvn dependency:unpack@unpack-artemis`)
# GATEWAY_TREE: another checkout (e.g. a `git worktree` of an older commit, built with `mvn package
#   -DskipTests`) whose target/*.jar, config/ and routes/ run as the gateway; the load tool is always
#   this tree's, so two builds are measured by the same client. Alternate the two for a comparison.
# PG_DB: the gateway's store is a new PostgreSQL database of that name on 127.0.0.1:5432 (user postgres,
#   created here, dropped at the end; it must not exist), and NotifyLoad also reports the database's
#   commits per notification (pg_stat_database.xact_commit); on a server with autovacuum off
#   NotifyLoad runs ANALYZE after the warm-up, as autovacuum would have.
# MEM_STORE=1: a diagnostic ceiling, never a figure for a target: the ledger in an in-memory H2
#   (GATEWAY_STORE_URL=jdbc:h2:mem:...), so no commit writes anything and nothing survives the process;
#   it shows what the rest of a notification and its callback cost when the store's commits cost nothing.
# JFR: the gateway runs with a Java Flight Recorder recording (profile settings) written to that file.
# BASELINE=0: skips the standalone broker's baseline (part 2).
set -euo pipefail
orders=${1:-2000}
concurrency=${2:-8}
warmup=${WARMUP_ORDERS:-40000}  # further orders notified first, untimed: with 200, and still with 4000,
                                # the JIT had not compiled the gateway's paths yet (docs/benchmarks.md)
duplicates=${DUPLICATES:-1}   # each notification sent this many times in a row
tree=${GATEWAY_TREE:-}
pg_db=${PG_DB:-}
mem_store=${MEM_STORE:-0}
case "$mem_store" in 0|1) ;; *) echo "MEM_STORE is 0 or 1, not '$mem_store'" >&2; exit 2 ;; esac
[ -z "$pg_db" ] || [ "$mem_store" = 0 ] || { echo "PG_DB and MEM_STORE=1 are two different ledgers: set one" >&2; exit 2; }
jfr=${JFR:-}
baseline=${BASELINE:-1}
seconds=20
http_port=18080 wechat_port=18091 broker_port=17616 callback_port=19099 offset=200
root=$(cd "$(dirname "$0")/.." && pwd)
tree=$(cd "${tree:-$root}" && pwd)
artemis="$root/target/artemis/apache-artemis-2.56.0/bin/artemis"
[ -x "$artemis" ] || (cd "$root" && mvn -q dependency:unpack@unpack-artemis)
for port in $http_port $wechat_port $broker_port $callback_port $((61616 + offset)); do
  if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then echo "port $port is in use" >&2; exit 1; fi
done
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do # wait for each, at most 30 s, then force
    for _ in $(seq 150); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$p" 2>/dev/null || true
  done
  rm -rf "$work"
  if [ -n "$pg_db" ] && [ -n "${pg_created:-}" ]; then
    psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS \"$pg_db\"" >/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
await() { # await <seconds> <command...>
  local until=$((SECONDS + $1)); shift
  until "$@"; do [ $SECONDS -lt $until ] || { echo "timed out: $*" >&2; return 1; }; sleep 0.2; done
}

# 1. The gateway, on its own ports; demo-shop's WeChat base URL and notifyUrl moved with them.
cp -r "$tree/config" "$tree/routes" "$work/"
# a rebuild during the run does not touch these copies
cp "$tree/target/payment-gateway.jar" "$work/"
mkdir "$work/tool"
cp "$root/target/payment-gateway.jar" "$root/target/payment-gateway-sandbox.jar" "$work/tool/"
jar="$work/payment-gateway.jar"
store_env=() pg_url=""
if [ -n "$pg_db" ]; then
  psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE \"$pg_db\"" >/dev/null
  pg_created=1
  pg_url="jdbc:postgresql://127.0.0.1:5432/$pg_db?user=postgres"
  store_env=(GATEWAY_STORE_URL="jdbc:postgresql://127.0.0.1:5432/$pg_db" GATEWAY_STORE_USER=postgres GATEWAY_STORE_PASSWORD=)
elif [ "$mem_store" = 1 ]; then
  store_env=(GATEWAY_STORE_URL="jdbc:h2:mem:notify-bench;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000")
  echo "DIAGNOSTIC: the ledger is in memory (MEM_STORE=1): a ceiling without durable commits, not a figure"
fi
jfr_opt=()
[ -z "$jfr" ] || jfr_opt=("-XX:StartFlightRecording=settings=profile,filename=$(realpath -m "$jfr")")
sed -i -e "s#baseUrl: http://127.0.0.1:8091#baseUrl: http://127.0.0.1:$wechat_port#" \
  -e "s#notifyUrl: http://127.0.0.1:9099/#notifyUrl: http://127.0.0.1:$callback_port/#" "$work/config/merchants.yaml"
grep -q "127.0.0.1:$wechat_port" "$work/config/merchants.yaml" || { echo "baseUrl not rewritten" >&2; exit 1; }
grep -q "127.0.0.1:$callback_port" "$work/config/merchants.yaml" || { echo "notifyUrl not rewritten" >&2; exit 1; }
(cd "$work" && exec env "${store_env[@]}" GATEWAY_HTTP_PORT=$http_port GATEWAY_PUBLIC_BASE_URL=http://127.0.0.1:$http_port \
  GATEWAY_SANDBOX_WECHAT_PORT=$wechat_port GATEWAY_BROKER_PORT=$broker_port \
  java "${jfr_opt[@]}" -jar "$jar" > gateway.log 2>&1) &
gateway=$!
pids+=($gateway)
await 600 curl -sf -o /dev/null http://127.0.0.1:$http_port/observe/health || { tail -20 "$work/gateway.log" >&2; exit 1; }
echo "gateway ($(git -C "$tree" rev-parse --short HEAD 2>/dev/null || echo "$tree")): WeChat Pay notifications" \
     "of $orders new orders, $concurrency concurrent senders (after $warmup warm-up orders); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
timeout $((orders / 2 + 300)) java -cp "$work/tool/payment-gateway.jar:$work/tool/payment-gateway-sandbox.jar" io.paygate.tools.NotifyLoad \
  --url http://127.0.0.1:$http_port --orders "$orders" --concurrency "$concurrency" --warmup "$warmup" --duplicates "$duplicates" \
  --callback-port $callback_port ${pg_url:+--pg-url "$pg_url"}
kill "$gateway"
for _ in $(seq 150); do kill -0 "$gateway" 2>/dev/null || break; sleep 0.2; done
echo "gateway log: $(grep -c ' ERROR ' "$work/gateway.log" || true) ERROR, $(grep -c ' WARN ' "$work/gateway.log" || true) WARN lines"
grep -E ' (ERROR|WARN) ' "$work/gateway.log" | head -5 || true

[ "$baseline" != 0 ] || exit 0
# 2. The baseline: a standalone broker's persistent send rate, same machine, same run.
"$artemis" create "$work/broker" --user bench --password bench --role amq --require-login --silent --no-web \
  --no-autotune --no-amqp-acceptor --no-mqtt-acceptor --no-stomp-acceptor --no-hornetq-acceptor \
  --port-offset $offset > /dev/null
(exec "$work/broker/bin/artemis" run > "$work/broker.log" 2>&1) &
pids+=($!)
await 60 grep -q AMQ221007 "$work/broker.log"
echo "baseline: artemis perf client, persistent, $concurrency producers and consumers, $seconds s (after 5 s warm-up)"
timeout $((seconds + 60)) "$artemis" perf client --url tcp://127.0.0.1:$((61616 + offset)) --user bench --password bench \
  --persistent --producers "$concurrency" --consumers "$concurrency" --duration "$seconds" --warmup 5 \
  --json "$work/perf.json" queue://bench > "$work/perf.out" 2>&1
sed -n '/--- SUMMARY/,$p' "$work/perf.out"
python3 - "$work/perf.json" "$seconds" <<'PY'
import json, sys
samples = [s for s in json.load(open(sys.argv[1])) if s.get("sampleType") == "interval" and not s.get("warmup")]
print("baseline persistent messages received per second: %.0f" % (sum(s["received"] for s in samples) / max(len(samples), 1)))
PY
