#!/usr/bin/env bash
# JMS request-reply throughput and latency of the gateway (PAY of new orders against the in-process
# WeChat sandbox, shipped sandbox configuration, fresh data dir), next to the broker's own persistent
# send rate measured in the same run with Artemis's `artemis perf client` on a standalone broker.
# Usage: scripts/bench-jms.sh [seconds] [clients]   (after `mvn -q package -DskipTests`; the Artemis
# distribution is unpacked by `mvn verify`, or here by `mvn dependency:unpack@unpack-artemis`)
set -euo pipefail
seconds=${1:-20}
clients=${2:-8}
root=$(cd "$(dirname "$0")/.." && pwd)
artemis="$root/target/artemis/apache-artemis-2.56.0/bin/artemis"
[ -x "$artemis" ] || (cd "$root" && mvn -q dependency:unpack@unpack-artemis)
for port in 8080 8091 61616 61716; do
  if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then echo "port $port is in use" >&2; exit 1; fi
done
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
await() { # await <seconds> <command...>
  local until=$((SECONDS + $1)); shift
  until "$@"; do [ $SECONDS -lt $until ] || { echo "timed out: $*" >&2; exit 1; }; sleep 0.2; done
}

# 1. The gateway.
cp -r "$root/config" "$root/routes" "$work/"
(cd "$work" && exec java -jar "$root/target/payment-gateway.jar" > gateway.log 2>&1) &
pids+=($!)
await 60 curl -sf -o /dev/null http://127.0.0.1:8080/observe/health
echo "gateway: JMS request-reply, PAY, $clients clients, $seconds s (after 5 s warm-up)"
java -cp "$root/target/payment-gateway.jar:$root/target/payment-gateway-sandbox.jar" io.paygate.tools.JmsLoad --user gateway --password sandbox-broker-password \
  --token sandbox-demo-token-0001 --merchant demo-shop --clients "$clients" --seconds "$seconds" --warmup 5

# 2. The baseline: a standalone broker's persistent send rate, same machine, same run.
"$artemis" create "$work/broker" --user bench --password bench --role amq --require-login --silent --no-web \
  --no-autotune --no-amqp-acceptor --no-mqtt-acceptor --no-stomp-acceptor --no-hornetq-acceptor \
  --port-offset 100 > /dev/null
(exec "$work/broker/bin/artemis" run > "$work/broker.log" 2>&1) &
pids+=($!)
await 60 grep -q AMQ221007 "$work/broker.log"
echo "baseline: artemis perf client, persistent, $clients producers and consumers, $seconds s (after 5 s warm-up)"
timeout $((seconds + 60)) "$artemis" perf client --url tcp://127.0.0.1:61716 --user bench --password bench --persistent \
  --producers "$clients" --consumers "$clients" --duration "$seconds" --warmup 5 --json "$work/perf.json" \
  queue://bench > "$work/perf.out" 2>&1
sed -n '/--- SUMMARY/,$p' "$work/perf.out"
python3 - "$work/perf.json" "$seconds" <<'PY'
import json, sys
samples = [s for s in json.load(open(sys.argv[1])) if s.get("sampleType") == "interval" and not s.get("warmup")]
print("baseline persistent messages received per second: %.0f" % (sum(s["received"] for s in samples) / max(len(samples), 1)))
PY
