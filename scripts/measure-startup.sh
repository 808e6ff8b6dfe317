#!/usr/bin/env bash
# Time from `java -jar` to the first 200 of /observe/health, and resident memory when idle
# (VmRSS 10 s after ready), for the shipped sandbox configuration in a fresh data dir; then the time
# to ready of a restart on that data dir (ledger and sandbox keys already there).
# Baseline in the same run: the same JVM starting the jar's WeChat simulator alone (JDK HTTP
# server, no Camel, no database) until it listens, and its idle RSS.
# Every port (HTTP, broker, the simulators') is a free one picked for each run, set through the
# environment (GATEWAY_HTTP_PORT, ...): never the shipped 8080, 8091-8094, 61616.
# JAVA_OPTS is given to the gateway only (e.g. the distribution's, src/dist/config/payment-gateway.env);
# the baseline runs with the JVM's defaults. GATEWAY_TREE=dir measures another checkout of the
# gateway instead (its target/payment-gateway.jar with its own config/ and routes/; e.g. a `git
# worktree` of an earlier commit built with `mvn package -DskipTests`, for a before/after pair in one
# run); IDLE_SECONDS (default 10) is how long after ready the idle RSS is read. SANDBOX=off starts the
# gateway as production runs it: the sandbox disabled and one WeChat merchant of its own in
# merchants.yaml (never called), instead of the shipped sandbox configuration.
# Usage: scripts/measure-startup.sh [runs]   (after `mvn -q package -DskipTests`)
set -euo pipefail
runs=${1:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
tree=${GATEWAY_TREE:-$root}
jar=$tree/target/payment-gateway.jar
idle=${IDLE_SECONDS:-10}
. "$root/scripts/lib/free-port.sh"
echo "gateway $jar, sandbox ${SANDBOX:-on}; JAVA_OPTS of the gateway: ${JAVA_OPTS:-(none)}; idle RSS read ${idle} s after ready; load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
for i in $(seq 1 "$runs"); do
  work=$(mktemp -d)
  cp -r "$tree/config" "$tree/routes" "$work/"
  sandbox=true
  if [ "${SANDBOX:-on}" = off ]; then
    sandbox=false
    printf 'merchants:\n  shop:\n    provider: wechat\n    apiToken: abcdefghijklmnopq\n    wechat: {baseUrl: "http://127.0.0.1:1", appId: wxstartup, mchId: "1", apiKey: startupkey0000000000000000000001}\n' \
      > "$work/config/merchants.yaml"
  fi
  cd "$work"
  # First start on the fresh data dir (ledger created, sandbox keys made), then a restart on it.
  for phase in fresh restart; do
    http_port=$(free_port)
    start=$(date +%s%N)
    # shellcheck disable=SC2086
    GATEWAY_SANDBOX_ENABLED=$sandbox GATEWAY_HTTP_PORT=$http_port GATEWAY_PUBLIC_BASE_URL=http://127.0.0.1:$http_port GATEWAY_BROKER_PORT=$(free_port) \
      GATEWAY_SANDBOX_WECHAT_PORT=$(free_port) GATEWAY_SANDBOX_WECHAT_TLS_PORT=$(free_port) \
      GATEWAY_SANDBOX_POOUL_PORT=$(free_port) GATEWAY_SANDBOX_YSTPAY_PORT=$(free_port) \
      java ${JAVA_OPTS:-} -jar "$jar" > "gateway-$phase.log" 2>&1 &
    pid=$!
    until curl -sf -o /dev/null "http://127.0.0.1:$http_port/observe/health"; do
      kill -0 $pid 2>/dev/null || { echo "gateway died:"; cat "gateway-$phase.log"; exit 1; }
      if [ $(( ($(date +%s%N) - start) / 1000000000 )) -ge 120 ]; then
        # a gateway that neither gets healthy nor exits
        echo "gateway not healthy after 120 s: $(curl -s "http://127.0.0.1:$http_port/observe/health")"
        kill $pid; wait $pid 2>/dev/null || true; exit 1
      fi
      sleep 0.05
    done
    if [ "$phase" = fresh ]; then
      ready=$(( ($(date +%s%N) - start) / 1000000 ))
      sleep "$idle"
      rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
    else
      restart=$(( ($(date +%s%N) - start) / 1000000 ))
    fi
    kill $pid; wait $pid 2>/dev/null || true
  done
  start=$(date +%s%N)
  java -cp "$root/target/payment-gateway.jar:$root/target/payment-gateway-sandbox.jar" io.paygate.sandbox.SandboxMain --wechat-port 0 \
    --wechat-merchant 1:wxbaseline:baselinekey0000000000000000000001 > base.log 2>&1 &
  pid=$!
  until grep -q "listening on" base.log; do sleep 0.01; done
  base_ready=$(( ($(date +%s%N) - start) / 1000000 ))
  sleep "$idle"
  base_rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
  kill $pid; wait $pid 2>/dev/null || true
  echo "run $i: gateway ready after ${ready} ms (fresh data dir), ${restart} ms (restart), idle RSS $((rss / 1024)) MiB;" \
       "baseline ready after ${base_ready} ms, idle RSS $((base_rss / 1024)) MiB;" \
       "ratio start $(awk "BEGIN {printf \"%.1f\", $ready / $base_ready}"), RSS $(awk "BEGIN {printf \"%.1f\", $rss / $base_rss}")"
  cd "$root"; rm -rf "$work"
done
