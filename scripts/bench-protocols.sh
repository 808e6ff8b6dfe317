#!/usr/bin/env bash
# JMS request-reply PAY throughput and latency per broker protocol (CORE, AMQP 1.0, STOMP) with 1 and
# N clients, against the gateway in sandbox mode (shipped configuration on other ports, fresh data
# dir), next to the broker's own persistent rate per protocol (CORE, AMQP) measured in the same run
# with `artemis perf client` on a standalone broker. The load client is io.paygate.tools.JmsLoad
# (the URL's scheme picks the protocol; Qpid JMS, a test dependency, from the local Maven repository).
# Usage: scripts/bench-protocols.sh [seconds] [clients]   (after `mvn -q package -DskipTests`)
# Ports: BENCH_PORT_BASE (default 28000) + 80 (HTTP), +91..+94 (simulators), +616 (broker), +716 (baseline).
set -euo pipefail
seconds=${1:-20}
clients=${2:-8}
base=${BENCH_PORT_BASE:-28000}
http=$((base + 80)); broker=$((base + 616)); baseline=$((base + 716))
root=$(cd "$(dirname "$0")/.." && pwd)
artemis="$root/target/artemis/apache-artemis-2.56.0/bin/artemis"
[ -x "$artemis" ] || (cd "$root" && mvn -q dependency:unpack@unpack-artemis)
qpid=$(cd "$root" && mvn -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/dev/stdout \
  | tr ':' '\n' | grep 'qpid-jms-client')
for port in $http $((base + 91)) $((base + 92)) $((base + 93)) $((base + 94)) $broker $baseline; do
  if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then echo "port $port is in use (set BENCH_PORT_BASE)" >&2; exit 1; fi
done
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
await() { # await <seconds> <command...>
  local until=$((SECONDS + $1)); shift
  until "$@"; do [ $SECONDS -lt $until ] || { echo "timed out: $*" >&2; exit 1; }; sleep 0.2; done
}

# 1. The gateway, sandbox, every simulator port moved.
cp -r "$root/config" "$root/routes" "$work/"
for p in 91 92 93 94; do sed -i "s/127.0.0.1:80$p/127.0.0.1:$((base + p))/" "$work/config/merchants.yaml"; done
(cd "$work" && GATEWAY_HTTP_PORT=$http GATEWAY_PUBLIC_BASE_URL=http://127.0.0.1:$http GATEWAY_BROKER_PORT=$broker \
  GATEWAY_SANDBOX_WECHAT_PORT=$((base + 91)) GATEWAY_SANDBOX_WECHAT_TLS_PORT=$((base + 92)) \
  GATEWAY_SANDBOX_POOUL_PORT=$((base + 93)) GATEWAY_SANDBOX_YSTPAY_PORT=$((base + 94)) \
  exec java -jar "$root/target/payment-gateway.jar" > gateway.log 2>&1) &
pids+=($!)
await 90 curl -sf -o /dev/null "http://127.0.0.1:$http/observe/health"
load() { # load <url> <clients>
  java -cp "$root/target/payment-gateway.jar:$root/target/payment-gateway-sandbox.jar:$qpid" io.paygate.tools.JmsLoad \
    --url "$1" --user gateway --password sandbox-broker-password --token sandbox-demo-token-0001 --merchant demo-shop \
    --clients "$2" --seconds "$seconds" --warmup 5 2>&1 | grep -v 'INFO\|WARN'
}
# An unreported pass first, so the gateway's code is compiled (JIT) before anything is measured.
echo "warm-up (not measured): $(load "tcp://127.0.0.1:$broker" "$clients")"
for n in 1 "$clients"; do
  for url in "tcp://127.0.0.1:$broker" "amqp://127.0.0.1:$broker" "stomp://127.0.0.1:$broker"; do
    echo "gateway: PAY request-reply over ${url%%://*}, $n clients, $seconds s (after 5 s warm-up): $(load "$url" "$n")"
  done
done

# 2. The baseline: a standalone broker's persistent send-and-receive rate per protocol, same run.
"$artemis" create "$work/broker" --user bench --password bench --role amq --require-login --silent --no-web \
  --no-autotune --no-mqtt-acceptor --no-hornetq-acceptor --no-stomp-acceptor --no-amqp-acceptor > /dev/null
# Its one acceptor (every protocol) on loopback and the bench port.
sed -i "s#tcp://0.0.0.0:61616#tcp://127.0.0.1:$baseline#" "$work/broker/etc/broker.xml"
(exec "$work/broker/bin/artemis" run > "$work/broker.log" 2>&1) &
pids+=($!)
await 60 grep -q AMQ221007 "$work/broker.log"
for protocol in CORE AMQP; do
  [ $protocol = CORE ] && url=tcp://127.0.0.1:$baseline || url=amqp://127.0.0.1:$baseline
  timeout $((seconds + 60)) "$artemis" perf client --url "$url" --protocol $protocol --user bench --password bench \
    --persistent --producers "$clients" --consumers "$clients" --duration "$seconds" --warmup 5 \
    --json "$work/perf-$protocol.json" "queue://bench-$protocol" > "$work/perf-$protocol.out" 2>&1
  python3 - "$work/perf-$protocol.json" "$protocol" "$clients" <<'PY'
import json, sys
samples = [s for s in json.load(open(sys.argv[1])) if s.get("sampleType") == "interval" and not s.get("warmup")]
print("baseline %s: artemis perf client, persistent, %s producers and consumers: %.0f messages/s received"
      % (sys.argv[2], sys.argv[3], sum(s["received"] for s in samples) / max(len(samples), 1)))
PY
done
