#!/usr/bin/env bash
# Stops what scripts/cluster-up.sh started (the two gateways, the simulator, the broker pair), by the
# process ids it recorded under cluster/: SIGTERM, then SIGKILL after 30 s. PostgreSQL keeps running
# and the database paygate_cluster keeps its rows. With --purge, also drops that database and
# deletes cluster/ (secrets, broker journal, simulator state, logs).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CLUSTER=${CLUSTER_DIR:-$ROOT/cluster}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
DB=${CLUSTER_DB:-paygate_cluster}

say() { printf 'cluster-down: %s\n' "$*"; }

stop() {
    local name=$1 pidfile=$2
    [ -f "$pidfile" ] || return 0
    local pid
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        for _ in $(seq 150); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.2
        done
        if kill -0 "$pid" 2>/dev/null; then
            say "$name (pid $pid) still running after 30 s: SIGKILL"
            kill -KILL "$pid"
        fi
        say "$name stopped"
    fi
    rm -f "$pidfile"
}

# Gateways first (they drain their work), then what they use.
stop "gateway 1" "$CLUSTER/gateway1/pid"
stop "gateway 2" "$CLUSTER/gateway2/pid"
stop "simulator" "$CLUSTER/simulator/pid"
# The backup before the primary, so that it does not take over from a primary stopping.
stop "backup broker" "$CLUSTER/broker-backup/pid"
stop "primary broker" "$CLUSTER/broker-primary/pid"
# the single broker of an older cluster-up.sh
stop "broker" "$CLUSTER/broker/pid"

if [ "${1:-}" = "--purge" ]; then
    psql -d postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" && say "database $DB dropped"
    rm -rf "$CLUSTER"
    say "$CLUSTER deleted"
fi
