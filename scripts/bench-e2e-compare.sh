#!/usr/bin/env bash
# End-to-end figures of two builds in the same run: the gateway jar of a baseline revision and the
# gateway jar of this working tree, each started in turn with its own shipped sandbox configuration
# and routes (fresh data dir), loaded over JMS by the same client (this tree's JmsLoad: PAY of new
# orders, request-reply on temporary queues) with 1 and then 8 clients. Rounds alternate baseline,
# current, baseline, current, so drift of the machine falls on both. Prints requests per second and
# p50 per run, and the current/baseline ratio of the means.
# Usage: scripts/bench-e2e-compare.sh REV [seconds] [rounds]
#   (after `mvn -q package -DskipTests` of this tree; REV is built in a throwaway git worktree)
# The provider is the in-process sandbox simulator of each build: read the ratio, not the rate.
# JAVA_OPTS (default -Dsun.net.httpserver.nodelay=true, so the simulators' JDK HTTP server does not
# wait ~40 ms for delayed ACKs on every answer) is given to both gateways; JAVA_OPTS= leaves it out.
set -euo pipefail
rev=${1:?usage: scripts/bench-e2e-compare.sh REV [seconds] [rounds]}
seconds=${2:-15}
rounds=${3:-2}
root=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$root/target/payment-gateway.jar" ] && [ -f "$root/target/payment-gateway-sandbox.jar" ] || {
  echo "build this tree first: mvn -q package -DskipTests" >&2; exit 1; }
for port in 8080 8091 8092 8093 8094 61616; do
  if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then echo "port $port is in use" >&2; exit 1; fi
done
work=$(mktemp -d)
base="$work/baseline"
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  wait 2>/dev/null || true
  git -C "$root" worktree remove --force "$base" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
git -C "$root" worktree add -q --detach "$base" "$rev"
(cd "$base" && mvn -q ${MVN_ARGS:-} package -DskipTests)
client_cp="$root/target/payment-gateway.jar:$root/target/payment-gateway-sandbox.jar"

run() { # run <side> <jar dir> <clients>
  local side=$1 dir=$2 clients=$3
  local run="$work/run-$side"
  rm -rf "$run"; mkdir -p "$run"
  cp -r "$dir/config" "$dir/routes" "$run/"
  # shellcheck disable=SC2086
  (cd "$run" && exec java ${JAVA_OPTS-"-Dsun.net.httpserver.nodelay=true"} -jar "$dir/target/payment-gateway.jar" > gateway.log 2>&1) &
  pid=$!
  local until=$((SECONDS + 90))
  until curl -sf -o /dev/null http://127.0.0.1:8080/observe/health; do
    [ $SECONDS -lt $until ] || { echo "$side did not start" >&2; tail -20 "$run/gateway.log" >&2; exit 1; }
    sleep 0.3
  done
  local line
  line=$(java -cp "$client_cp" io.paygate.tools.JmsLoad --user gateway --password sandbox-broker-password \
    --token sandbox-demo-token-0001 --merchant demo-shop --clients "$clients" --seconds "$seconds" --warmup 5 | tail -1)
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  echo "$side $clients $line" | tee -a "$work/results.txt"
}

for r in $(seq 1 "$rounds"); do
  for clients in 1 8; do
    run baseline "$base" "$clients"
    run current "$root" "$clients"
  done
done
python3 - "$work/results.txt" "$rev" <<'PY'
import re, sys, statistics
rows = {}
for line in open(sys.argv[1]):
    side, clients, rest = line.split(" ", 2)
    rps = float(re.search(r"rps=([\d.]+)", rest).group(1))
    p50 = float(re.search(r"p50=([\d.]+)ms", rest).group(1))
    errors = int(re.search(r"errors=(\d+)", rest).group(1))
    rows.setdefault((int(clients), side), []).append((rps, p50, errors))
print("| clients | baseline %s PAY/s | current PAY/s | ratio | baseline p50 ms | current p50 ms | errors |" % sys.argv[2])
print("| --- | --- | --- | --- | --- | --- | --- |")
for clients in sorted({c for c, _ in rows}):
    b, c = rows[(clients, "baseline")], rows[(clients, "current")]
    mb, mc = statistics.mean(x[0] for x in b), statistics.mean(x[0] for x in c)
    print("| %d | %s | %s | %.2f | %s | %s | %d |" % (clients, " / ".join("%.1f" % x[0] for x in b),
          " / ".join("%.1f" % x[0] for x in c), mc / mb, " / ".join("%.1f" % x[1] for x in b),
          " / ".join("%.1f" % x[1] for x in c), sum(x[2] for x in b + c)))
PY
