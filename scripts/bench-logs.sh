#!/usr/bin/env bash
# What metrics and JSON logs cost: PAY throughput of two gateways in one run, against the same fast
# provider (FastWechatStub), one with gateway.log.format=json and gateway.metrics.enabled=true, the
# other with plain logs and gateway.metrics.enabled=false. Both start and are warmed up first; then
# the rows alternate in ABBA order (on, off, off, on, ...) so drift of a shared machine, and of the
# JIT still compiling, falls on both. Each gateway
# writes its log to a file on disk (every PAY logs its provider call, its answer and its access
# line at INFO). Loaded with HttpLoad (POST /api/v1/payments, PAY SCAN of new orders, keep-alive).
# Prints one line per row and the ratio on/off of the summed rates.
#
# Usage: scripts/bench-logs.sh [--seconds S] [--warmup W] [--rounds R] [--clients C]
#   (after `mvn -q package -DskipTests`; defaults: 15 s per row, 10 s warm-up of each gateway,
#   2 rounds, 8 clients). Every port is a free one picked at start; data dirs under target/.
set -euo pipefail
seconds=15 warmup=10 rounds=2 clients=8
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    *) echo "usage: scripts/bench-logs.sh [--seconds S] [--warmup W] [--rounds R] [--clients C]" >&2; exit 2 ;;
  esac
done
root=$(cd "$(dirname "$0")/.." && pwd)
jar="$root/target/payment-gateway.jar"
tools="$root/target/payment-gateway-sandbox.jar"
[ -f "$jar" ] && [ -f "$tools" ] || { echo "build first: mvn -q package -DskipTests" >&2; exit 1; }
. "$root/scripts/lib/free-port.sh"
mkdir -p "$root/target"
work=$(mktemp -d "$root/target/bench-logs.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
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
stub_port=$(free_port)
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
(exec java -cp "$tools" io.paygate.tools.FastWechatStub --port "$stub_port" --mch "$mch" --appid "$appid" \
  --key "$key" --threads 8 > "$work/stub.log" 2>&1) &
pids+=($!)
await 30 "the stub" grep -q listening "$work/stub.log"

declare -A port
gateway() { # gateway <name> <log format> <metrics enabled>
  local name=$1 dir="$work/$1" http broker
  http=$(free_port) broker=$(free_port)
  port[$name]=$http
  mkdir -p "$dir/config" "$dir/data"
  cat > "$dir/config/application.properties" <<PROPS
gateway.http.host=127.0.0.1
gateway.http.port=$http
gateway.public-base-url=http://127.0.0.1:$http
gateway.broker.host=127.0.0.1
gateway.broker.port=$broker
gateway.broker.user=gateway
gateway.broker.password=bench-broker-password
gateway.sandbox.enabled=false
gateway.log.format=$2
gateway.metrics.enabled=$3
PROPS
  cat > "$dir/config/merchants.yaml" <<YAML
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
  (cd "$dir" && GATEWAY_CONFIG_DIR="$dir/config" GATEWAY_ROUTES_DIR="$root/routes" GATEWAY_DATA_DIR="$dir/data" \
    exec java ${JAVA_OPTS:-} -jar "$jar" > "$dir/gateway.log" 2>&1) &
  pids+=($!)
  await 120 "gateway $name (log: $dir/gateway.log)" curl -sf -o /dev/null "http://127.0.0.1:$http/observe/health" \
    || { tail -30 "$dir/gateway.log" >&2; exit 1; }
}
load() { # load <name> <seconds> <warmup>
  java -cp "$jar:$tools" io.paygate.tools.HttpLoad --url "http://127.0.0.1:${port[$1]}" --token "$token" \
    --merchant bench-shop --clients "$clients" --seconds "$2" --warmup "$3" | tail -1
}
gateway on json true
gateway off plain false
load on "$warmup" 0 > /dev/null
load off "$warmup" 0 > /dev/null
results="$work/results.txt"
for r in $(seq 1 "$rounds"); do
  # ABBA: on first in odd rounds, off first in even ones, so a steady drift (JIT still compiling,
  # the machine's other work) falls on both sides alike.
  order="on off"
  [ $((r % 2)) -eq 0 ] && order="off on"
  for name in $order; do
    line=$(load "$name" "$seconds" 2)
    echo "round $r $name $line" | tee -a "$results"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "log lines written: on $(wc -l < "$work/on/gateway.log"), off $(wc -l < "$work/off/gateway.log")"
grep -c '"logger":"io.paygate.access"' "$work/on/gateway.log" | sed 's/^/access lines (json): /'
python3 - "$results" <<'PY'
import re, sys
rate = {"on": [], "off": []}
for line in open(sys.argv[1]):
    parts = line.split()
    rate[parts[2]].append(float(re.search(r"rps=([\d.]+)", line).group(1)))
on, off = sum(rate["on"]), sum(rate["off"])
print("metrics+JSON logs on: %s PAY/s, off: %s PAY/s; ratio on/off = %.3f" % (
    " / ".join("%.0f" % x for x in rate["on"]), " / ".join("%.0f" % x for x in rate["off"]), on / off if off else 0))
PY
