#!/usr/bin/env bash
# The gateway against a fast provider, next to the same provider work without the gateway, in one
# run: FastWechatStub (in-memory WeChat Pay v2, HMAC-SHA256, thread pool, TCP_NODELAY) is the
# provider; BareWechatLoad (build and sign the unifiedorder XML, POST it, verify the answer's
# signature) is the bare work; the gateway jar (sandbox off, one WeChat merchant pointing at the
# stub, HMAC-SHA256, its ledger on disk under a fresh data dir) is loaded with PAY SCAN of new
# orders over HTTP (HttpLoad, POST /api/v1/payments, keep-alive) and over JMS request-reply
# (JmsLoad), with 1 and 8 clients. Prints one table: rates, p50/p99 and the ratio gateway/bare.
#
# Usage: scripts/bench-e2e.sh [--seconds S] [--warmup W] [--gateway-warmup G] [--jit-settle MAX]
#                             [--store h2|postgres|h2-mem] [--instances 1|2] [--jar PATH]
#   (after `mvn -q package -DskipTests`; defaults: 10 s per row after a 5 s warm-up, the gateway
#   warmed up for 20 s with 8 HTTP clients before the HTTP rows
#   and 20 s with 8 JMS clients before the JMS rows, H2)
# --jit-settle MAX: after each of the two warm-ups, go on warming up in 10 s slices until the
#   gateway's JIT compiler threads used less than 5 % of one core in two slices in a row, for at
#   most MAX seconds more (default 240; 0: the fixed warm-up only). On 2 cores the JIT takes much of the CPU
#   for minutes after a start under load (docs/benchmarks.md); a gateway runs for days, so its
#   steady state is the figure to compare. Each row also prints the gateway's CPU per PAY and the
#   share of a core its JIT used during the row (from /proc: the whole process, and its C1/C2
#   compiler threads; scripts/lib/proc-cpu.py), and under the table its CPU by thread. With the
#   H2 ledger it also prints the ledger file's size at the end, per PAY answered, and each row the
#   commits one write of the file carried (gateway_store_commits_total / gateway_store_writes_total).
#   A second table gives how the machine's cores were shared during each row (its warm-up and
#   measured seconds): the gateway, the provider stub and the load client (its JVM's start included;
#   measured with /usr/bin/time, the table is left out without it), bare rows included.
# --store postgres: a fresh database on the local PostgreSQL (127.0.0.1:5432, user postgres, trust
#   auth; PGHOST/PGPORT/PGUSER override), dropped at the end. It also prints what the database did
#   per PAY over the two HTTP rows (pg_stat_database / pg_stat_user_tables deltas divided by the
#   orders created, background work of the gateway in that window included). On a server whose
#   autovacuum is off, ANALYZE runs once after the warm-up.
# --store h2-mem: a diagnostic ceiling, never a figure for a target: the ledger in an in-memory H2
#   (gateway.store.url=jdbc:h2:mem:...), so no commit writes anything and nothing survives the
#   process. It shows what the rest of the gateway (HTTP, Camel, JSON, XML, signing, the broker,
#   the provider call) costs when the store's durable commits cost nothing.
# --instances 2: two gateways on one PostgreSQL database (needs --store postgres): the first with its
#   embedded Artemis broker, the second connected to that broker (gateway.broker.url), both with
#   gateway.reconcile.cluster=true; the HTTP clients take the two in turn (client i → instance i mod 2),
#   the JMS clients share the broker and the two instances compete for payments.requests. A bench
#   shortcut for one machine: in production the broker is a broker of its own (docs/deployment.md).
# --jar PATH: run this gateway jar (another build, e.g. a baseline in a second worktree) with the
#   routes/ of its own tree (PATH/../../routes); the stub and the load clients stay this tree's.
# Every port is a free one picked at start. The data dir is under target/ (on disk, not /tmp).
# JAVA_OPTS is given to the gateway (e.g. JFR flags); the stub and the clients run with defaults.
set -euo pipefail
seconds=10 warmup=5 gateway_warmup=20 jit_settle=240 store=h2 gateway_jar="" instances=1
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --gateway-warmup) gateway_warmup=$2; shift 2 ;;
    --jit-settle) jit_settle=$2; shift 2 ;;
    --store) store=$2; shift 2 ;;
    --jar) gateway_jar=$2; shift 2 ;;
    --instances) instances=$2; shift 2 ;;
    *) echo "usage: scripts/bench-e2e.sh [--seconds S] [--warmup W] [--gateway-warmup G] [--jit-settle MAX] [--store h2|postgres|h2-mem] [--instances 1|2] [--jar PATH]" >&2
       exit 2 ;;
  esac
done
case "$store" in h2|postgres|h2-mem) ;; *) echo "--store is h2, postgres or h2-mem" >&2; exit 2 ;; esac
case "$jit_settle" in ''|*[!0-9]*) echo "--jit-settle is a number of seconds (0: the fixed warm-up only)" >&2; exit 2 ;; esac
case "$instances" in 1) ;; 2) [ "$store" = postgres ] || { echo "--instances 2 needs --store postgres (H2 opens in one process)" >&2; exit 2; } ;;
  *) echo "--instances is 1 or 2" >&2; exit 2 ;; esac
root=$(cd "$(dirname "$0")/.." && pwd)
jar="$root/target/payment-gateway.jar"
tools="$root/target/payment-gateway-sandbox.jar"
[ -f "$jar" ] && [ -f "$tools" ] || { echo "build first: mvn -q package -DskipTests" >&2; exit 1; }
routes="$root/routes"
if [ -n "$gateway_jar" ]; then
  jar=$(cd "$(dirname "$gateway_jar")" && pwd)/$(basename "$gateway_jar")
  routes=$(cd "$(dirname "$jar")/../routes" && pwd) || { echo "no routes/ next to $jar's target/" >&2; exit 2; }
  [ -f "$jar" ] || { echo "no jar at $gateway_jar" >&2; exit 2; }
fi
. "$root/scripts/lib/free-port.sh"
stub_port=$(free_port) http_port=$(free_port) broker_port=$(free_port) http_port2=$(free_port)
mkdir -p "$root/target"
work=$(mktemp -d "$root/target/bench-e2e.XXXXXX")
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

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores, store $store, gateway $jar"
(exec java -cp "$tools" io.paygate.tools.FastWechatStub --port "$stub_port" --mch "$mch" --appid "$appid" \
  --key "$key" --threads 8 > "$work/stub.log" 2>&1) &
pids+=($!)
stub_pid=$!
await 30 "the stub" grep -q listening "$work/stub.log"

results="$work/results.txt"
gateway_pids=""
snapshot() { # snapshot <file>: the gateway processes' and threads' CPU now (scripts/lib/proc-cpu.py)
  python3 "$root/scripts/lib/proc-cpu.py" snapshot $gateway_pids > "$1"
}
row() { # row <name> <clients> <java main> <args...>
  local name=$1 clients=$2 main=$3; shift 3
  local line t0=$SECONDS group_before group_after
  snapshot "$work/cpu.before"
  python3 "$root/scripts/lib/proc-cpu.py" snapshot "$stub_pid" > "$work/stub.before"
  group_before=$(group_writes)
  rm -f "$work/client.time"
  # the load client's own CPU (user + system seconds, its JVM's start and warm-up included), when
  # /usr/bin/time is there
  local timed=()
  [ -x /usr/bin/time ] && timed=(/usr/bin/time -f "%U %S" -o "$work/client.time")
  line=$("${timed[@]}" java -cp "$jar:$tools" "$main" "$@" --clients "$clients" --seconds "$seconds" --warmup "$warmup" | tail -1)
  group_after=$(group_writes)
  snapshot "$work/cpu.after"
  python3 "$root/scripts/lib/proc-cpu.py" snapshot "$stub_pid" > "$work/stub.after"
  # the gateway's CPU over the row's warm-up and measured seconds, per second of it, and by thread;
  # the same for the stub and the load client: how the machine's cores were shared during the row
  local elapsed=$((SECONDS - t0))
  line="$line $(python3 "$root/scripts/lib/proc-cpu.py" cores "$work/cpu.before" "$work/cpu.after" "$elapsed")"
  line="$line stubcores=$(python3 "$root/scripts/lib/proc-cpu.py" cores "$work/stub.before" "$work/stub.after" "$elapsed" \
    | sed 's/gwcores=\([0-9.]*\).*/\1/')"
  [ -s "$work/client.time" ] && line="$line clientcores=$(awk -v s="$elapsed" 'END {printf "%.2f", ($1 + $2) / (s > 0 ? s : 1)}' "$work/client.time")"
  [ -z "$gateway_pids" ] || python3 "$root/scripts/lib/proc-cpu.py" threads "$work/cpu.before" "$work/cpu.after" \
    "$name $clients" >> "$work/threads.txt"
  if [ -n "$group_before" ] && [ -n "$group_after" ]; then # the embedded ledger's commits per write of its file
    line="$line $(echo "$group_before $group_after" | awk '{w = $4 - $2; printf "commits/write=%.2f", (w > 0 ? ($3 - $1) / w : 0)}')"
  fi
  echo "$name $clients $line" | tee -a "$results"
}
group_writes() { # "commits writes" of the first gateway's H2 ledger (gateway_store_*_total), else nothing
  [ "$store" = h2 ] && [ -n "$gateway_pids" ] || return 0
  curl -sf "http://127.0.0.1:$http_port/observe/metrics" | awk '
    /^gateway_store_commits_total / {c = $NF} /^gateway_store_writes_total / {w = $NF}
    END {if (c != "" && w != "") printf "%d %d", c, w}'
}
settle() { # settle <warm-up command...>: runs it in 10 s slices until the JIT used < 5 % of a core in two in a row
  [ "$jit_settle" -gt 0 ] || return 0
  local spent=0 quiet=0 share
  while :; do
    snapshot "$work/cpu.before"
    "$@" 10
    snapshot "$work/cpu.after"
    spent=$((spent + 10))
    if share=$(python3 "$root/scripts/lib/proc-cpu.py" jit "$work/cpu.before" "$work/cpu.after" 10 0.05); then
      quiet=$((quiet + 1))
    else
      quiet=0
    fi
    if [ "$quiet" -ge 2 ]; then
      echo "JIT settled after $spent s more warm-up (last 10 s: $share of a core)"; return 0
    fi
    if [ "$spent" -ge "$jit_settle" ]; then
      echo "JIT not settled after $spent s more warm-up (last 10 s: $share of a core)"; return 0
    fi
  done
}

# 1. The bare provider work.
java -cp "$tools" io.paygate.tools.BareWechatLoad --url "http://127.0.0.1:$stub_port" --mch "$mch" --appid "$appid" \
  --key "$key" --clients 8 --seconds "$warmup" --warmup 1 > /dev/null
for c in 1 8; do
  row bare "$c" io.paygate.tools.BareWechatLoad --url "http://127.0.0.1:$stub_port" --mch "$mch" --appid "$appid" --key "$key"
done

# 2. The gateway.
store_url=""
if [ "$store" = postgres ]; then
  pgdb="paygate_bench_$$_$RANDOM"
  createdb "$pgdb"
  store_url="jdbc:postgresql://$PGHOST:$PGPORT/$pgdb"
elif [ "$store" = h2-mem ]; then
  store_url="jdbc:h2:mem:paygate-bench;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000"
  echo "DIAGNOSTIC: the ledger is in memory (--store h2-mem): a ceiling without durable commits, not a figure"
fi
gateway() { # gateway <n> <http port>: instance n's configuration, started; waits until healthy
  local n=$1 port=$2 dir="$work/g$1"
  mkdir -p "$dir/config" "$dir/data"
  {
    echo "gateway.http.host=127.0.0.1"
    echo "gateway.http.port=$port"
    echo "gateway.public-base-url=http://127.0.0.1:$port"
    if [ "$n" = 1 ]; then
      echo "gateway.broker.host=127.0.0.1"
      echo "gateway.broker.port=$broker_port"
    else
      echo "gateway.broker.url=tcp://127.0.0.1:$broker_port"
    fi
    echo "gateway.broker.user=gateway"
    echo "gateway.broker.password=bench-broker-password"
    echo "gateway.store.url=$store_url"
    echo "gateway.store.user=$([ "$store" = postgres ] && echo "$PGUSER" || echo gateway)"
    echo "gateway.sandbox.enabled=false"
    if [ "$instances" = 2 ]; then echo "gateway.reconcile.cluster=true"; fi
  } > "$dir/config/application.properties"
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
  # shellcheck disable=SC2086
  (cd "$dir" && GATEWAY_CONFIG_DIR="$dir/config" GATEWAY_ROUTES_DIR="$routes" GATEWAY_DATA_DIR="$dir/data" \
    exec java ${JAVA_OPTS:-} -jar "$jar" > "$dir/gateway.log" 2>&1) &
  pids+=($!)
  gateway_pids="$gateway_pids $!"
  await 300 "gateway $n (log: $dir/gateway.log)" curl -sf -o /dev/null "http://127.0.0.1:$port/observe/health" \
    || { tail -30 "$dir/gateway.log" >&2; exit 1; }
}
gateway 1 "$http_port"
http_urls="http://127.0.0.1:$http_port"
if [ "$instances" = 2 ]; then
  gateway 2 "$http_port2"
  http_urls="$http_urls,http://127.0.0.1:$http_port2"
fi
warmup_http() { # warmup_http <seconds>
  java -cp "$jar:$tools" io.paygate.tools.HttpLoad --url "$http_urls" --token "$token" \
    --merchant bench-shop --clients 8 --seconds "$1" --warmup 0 > /dev/null
}
warmup_jms() { # warmup_jms <seconds>
  java -cp "$jar:$tools" io.paygate.tools.JmsLoad --url "tcp://127.0.0.1:$broker_port" --user gateway \
    --password bench-broker-password --token "$token" --merchant bench-shop --clients 8 \
    --seconds "$1" --warmup 0 > /dev/null
}
warmup_http "$gateway_warmup"
settle warmup_http
pg_counts() { # one line: orders, then the database's counters (pg_stat_* as of the last flush)
  psql -X -A -t -F ' ' -d "$pgdb" -c "SELECT (SELECT count(*) FROM payment_order), d.xact_commit, d.xact_rollback,
    (SELECT sum(coalesce(seq_scan,0) + coalesce(idx_scan,0)) FROM pg_stat_user_tables),
    (SELECT sum(n_tup_ins) FROM pg_stat_user_tables), (SELECT sum(n_tup_upd) FROM pg_stat_user_tables),
    (SELECT sum(n_tup_del) FROM pg_stat_user_tables)
    FROM pg_stat_database d WHERE d.datname = current_database()"
}
# With autovacuum off (this project's machines) the tables are never analyzed and the statements keep
# the plans made on empty tables: ANALYZE once after the warm-up, as autovacuum would have by then
# (docs/deployment.md, "Keep PostgreSQL's autovacuum on").
if [ "$store" = postgres ] && [ "$(psql -X -A -t -d "$pgdb" -c 'SHOW autovacuum')" = off ]; then
  echo "this PostgreSQL runs with autovacuum off: ANALYZE after the warm-up"
  psql -X -q -d "$pgdb" -c ANALYZE
fi
# A backend reports its counters when it goes idle, at most once a second, or after 10 s idle.
[ "$store" = postgres ] && { sleep 11; before_counts=$(pg_counts); }
for c in 1 8; do
  row http "$c" io.paygate.tools.HttpLoad --url "$http_urls" --token "$token" --merchant bench-shop
done
if [ "$store" = postgres ]; then
  sleep 11
  python3 - "$before_counts" "$(pg_counts)" <<'PY'
import sys
b, a = [list(map(int, x.split())) for x in sys.argv[1:3]]
d = [y - x for x, y in zip(b, a)]
n = d[0] or 1
print("per PAY over the HTTP rows (%d orders; PostgreSQL counters, the gateway's background work included): "
      "commits %.2f, rollbacks %.2f, table scans (seq+idx) %.2f, rows inserted %.2f, updated %.2f, deleted %.2f"
      % (d[0], d[1] / n, d[2] / n, d[3] / n, d[4] / n, d[5] / n, d[6] / n))
PY
fi
warmup_jms "$gateway_warmup"
settle warmup_jms
for c in 1 8; do
  row jms "$c" io.paygate.tools.JmsLoad --url "tcp://127.0.0.1:$broker_port" --user gateway \
    --password bench-broker-password --token "$token" --merchant bench-shop
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$store" = h2 ]; then
  # What the embedded ledger's file holds on disk after the run, against the PAYs answered: H2 keeps
  # the chunks a write replaced for its retention time (45 s) before it reuses their space.
  answered=$(curl -sf "http://127.0.0.1:$http_port/observe/metrics" \
    | awk '/^gateway_requests_total\{/ {s += $NF} END {printf "%d", s}')
  bytes=$(stat -c %s "$work/g1/data/ledger.mv.db" 2>/dev/null || echo 0)
  echo "ledger file at the end: $((bytes >> 20)) MiB, $answered PAYs answered ($([ "${answered:-0}" -gt 0 ] && echo $((bytes / answered)) || echo 0) bytes of file per PAY)"
fi
cat "$work/threads.txt"

python3 - "$results" "$store, $instances instance(s)" <<'PY'
import re, sys
rows = {}
for line in open(sys.argv[1]):
    name, clients, rest = line.split(" ", 2)
    g = lambda k: (lambda m: float(m.group(1)) if m else None)(re.search(k + r"=([\d.]+)", rest))
    rows[(name, int(clients))] = dict(rps=g("rps"), p50=g("p50"), p99=g("p99"), errors=int(g("errors")),
                                      cores=g("gwcores"), jit=g("jitcores"), stub=g("stubcores"), client=g("clientcores"))
print()
print("| entry (%s) | clients | gateway PAY/s | bare calls/s | ratio | gateway p50 ms | bare p50 ms | gateway p99 ms | bare p99 ms | errors | gateway CPU ms/PAY | JIT, cores |" % sys.argv[2])
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for name in ("http", "jms"):
    for c in (1, 8):
        g, b = rows[(name, c)], rows[("bare", c)]
        print("| %s | %d | %.0f | %.0f | %.2f | %.2f | %.2f | %.2f | %.2f | %d | %.2f | %.2f |" % (name.upper(), c, g["rps"], b["rps"],
              g["rps"] / b["rps"] if b["rps"] else 0, g["p50"], b["p50"], g["p99"], b["p99"], g["errors"] + b["errors"],
              g["cores"] * 1000 / g["rps"] if g["rps"] else 0, g["jit"]))
for c in (1, 8):
    h, j = rows[("http", c)], rows[("jms", c)]
    print("JMS/HTTP with %d client(s): %.2f" % (c, j["rps"] / h["rps"] if h["rps"] else 0))
# How the machine's cores were shared during each row (warm-up and measured seconds): the gateway,
# the provider stub, the load client (its JVM's start included). The bare rows have no gateway.
if all(r["stub"] is not None and r["client"] is not None for r in rows.values()):
    print()
    print("| row | clients | gateway, cores | stub, cores | load client, cores | all three |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name in ("bare", "http", "jms"):
        for c in (1, 8):
            r = rows[(name, c)]
            print("| %s | %d | %.2f | %.2f | %.2f | %.2f |" % (name.upper() if name != "bare" else "bare", c, r["cores"],
                  r["stub"], r["client"], r["cores"] + r["stub"] + r["client"]))
PY
