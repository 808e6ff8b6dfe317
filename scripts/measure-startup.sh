#!/usr/bin/env bash
# Time from `java -jar` to the first 200 of /observe/health, and resident memory when idle
# (VmRSS 10 s after ready), for the shipped sandbox configuration in a fresh data dir.
# Baseline in the same run: the same JVM starting the jar's WeChat simulator alone (JDK HTTP
# server, no Camel, no database) until it listens, and its idle RSS.
# Usage: scripts/measure-startup.sh [runs]   (after `mvn -q package -DskipTests`)
set -euo pipefail
runs=${1:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
for i in $(seq 1 "$runs"); do
  work=$(mktemp -d)
  cp -r "$root/config" "$root/routes" "$work/"
  cd "$work"
  start=$(date +%s%N)
  java -jar "$root/target/payment-gateway.jar" > gateway.log 2>&1 &
  pid=$!
  until curl -sf -o /dev/null http://127.0.0.1:8080/observe/health; do
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
