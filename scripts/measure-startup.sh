#!/usr/bin/env bash
# Time from `java -jar` to the first 200 of /observe/health, and resident memory when idle
# (VmRSS 10 s after ready), for the shipped sandbox configuration in a fresh data dir.
# Baseline in the same run: the same JVM starting the jar's WeChat simulator alone (JDK HTTP
# server, no Camel, no database) until it listens, and its idle RSS.
# Every port (HTTP, broker, the simulators') is a free one picked for each run, set through the
# environment (GATEWAY_HTTP_PORT, ...): never the shipped 8080, 8091-8094, 61616.
# JAVA_OPTS is given to the gateway only (e.g. the distribution's "-Xms256m -Xmx512m"); the
# baseline runs with the JVM's defaults.
# Usage: scripts/measure-startup.sh [runs]   (after `mvn -q package -DskipTests`)
set -euo pipefail
runs=${1:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
echo "JAVA_OPTS of the gateway: ${JAVA_OPTS:-(none)}; load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
for i in $(seq 1 "$runs"); do
  work=$(mktemp -d)
  cp -r "$root/config" "$root/routes" "$work/"
  cd "$work"
  http_port=$(free_port)
  start=$(date +%s%N)
  # shellcheck disable=SC2086
  GATEWAY_HTTP_PORT=$http_port GATEWAY_PUBLIC_BASE_URL=http://127.0.0.1:$http_port GATEWAY_BROKER_PORT=$(free_port) \
    GATEWAY_SANDBOX_WECHAT_PORT=$(free_port) GATEWAY_SANDBOX_WECHAT_TLS_PORT=$(free_port) \
    GATEWAY_SANDBOX_POOUL_PORT=$(free_port) GATEWAY_SANDBOX_YSTPAY_PORT=$(free_port) \
    java ${JAVA_OPTS:-} -jar "$root/target/payment-gateway.jar" > gateway.log 2>&1 &
  pid=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$http_port/observe/health"; do
    kill -0 $pid 2>/dev/null || { echo "gateway died:"; cat gateway.log; exit 1; }
    sleep 0.05
  done
  ready=$(( ($(date +%s%N) - start) / 1000000 ))
  sleep 10
  rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
  kill $pid; wait $pid 2>/dev/null || true
  start=$(date +%s%N)
  java -cp "$root/target/payment-gateway.jar:$root/target/payment-gateway-sandbox.jar" io.paygate.sandbox.SandboxMain --wechat-port 0 \
    --wechat-merchant 1:wxbaseline:baselinekey0000000000000000000001 > base.log 2>&1 &
  pid=$!
  until grep -q "listening on" base.log; do sleep 0.01; done
  base_ready=$(( ($(date +%s%N) - start) / 1000000 ))
  sleep 10
  base_rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
  kill $pid; wait $pid 2>/dev/null || true
  echo "run $i: gateway ready after ${ready} ms, idle RSS $((rss / 1024)) MiB;" \
       "baseline ready after ${base_ready} ms, idle RSS $((base_rss / 1024)) MiB;" \
       "ratio start $(awk "BEGIN {printf \"%.1f\", $ready / $base_ready}"), RSS $(awk "BEGIN {printf \"%.1f\", $rss / $base_rss}")"
  cd "$root"; rm -rf "$work"
done
