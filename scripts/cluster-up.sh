#!/usr/bin/env bash
# Two gateways on one machine, as in production but small (docs/deployment.md, "Several gateways"):
#   - the PostgreSQL database paygate_cluster at 127.0.0.1:5432 (created if missing; the local server
#     is started with pg_ctlcluster if it is down),
#   - an external Artemis primary/backup pair with replication, from the distribution, configured with
#     docs/broker.xml and its HA-PAIR block (primary tcp://127.0.0.1:61626, backup tcp://127.0.0.1:61627);
#     the gateways connect with the failover URL (both)?ha=true&reconnectAttempts=-1,
#   - one standalone WeChat simulator (http 18091, https 18092) that both gateways call,
#   - gateway 1 on http://127.0.0.1:8081 and gateway 2 on http://127.0.0.1:8082, one merchant
#     (cluster-shop), gateway.reconcile.cluster=true.
# Everything lives under cluster/ (gitignored): one folder per process with its config, data,
# log and pid. scripts/cluster-down.sh stops it all. Needs the built jars: mvn -q package -DskipTests.
#
# Environment: CLUSTER_DIR (default <repo>/cluster), PGHOST/PGPORT/PGUSER (127.0.0.1, 5432, postgres),
# CLUSTER_DB (paygate_cluster), ARTEMIS_HOME (default: the unpacked distribution under target/, else
# unpacked from the local Maven repository into cluster/).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CLUSTER=${CLUSTER_DIR:-$ROOT/cluster}
JAR=$ROOT/target/payment-gateway.jar
SANDBOX_JAR=$ROOT/target/payment-gateway-sandbox.jar
ARTEMIS_VERSION=2.56.0
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
DB=${CLUSTER_DB:-paygate_cluster}
PRIMARY_PORT=61626
BACKUP_PORT=61627
BROKER_URL="(tcp://127.0.0.1:$PRIMARY_PORT,tcp://127.0.0.1:$BACKUP_PORT)?ha=true&reconnectAttempts=-1"
SIM_PORT=18091
SIM_TLS_PORT=18092
GATEWAY_PORTS=(8081 8082)
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
export PGHOST PGPORT PGUSER

say() { printf 'cluster-up: %s\n' "$*"; }
die() { printf 'cluster-up: %s\n' "$*" >&2; exit 1; }

running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Waits for a line in a log file, failing if the process behind the pid file dies first.
await_log() {
    local log=$1 text=$2 pidfile=$3 seconds=$4
    for _ in $(seq $((seconds * 5))); do
        grep -q "$text" "$log" 2>/dev/null && return 0
        running "$pidfile" || die "$(basename "$(dirname "$log")") stopped; see $log"
        sleep 0.2
    done
    die "no '$text' in $log within $seconds s"
}

[ -f "$JAR" ] && [ -f "$SANDBOX_JAR" ] || die "build first: mvn -q package -DskipTests"
mkdir -p "$CLUSTER"

# Secrets of this cluster, made once and kept in cluster/secrets.env (never printed).
if [ ! -f "$CLUSTER/secrets.env" ]; then
    umask 077
    {
        echo "BROKER_PASSWORD=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
        echo "CLIENT_PASSWORD=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
        echo "MERCHANT_TOKEN=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
        echo "WECHAT_KEY=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
        echo "CALLBACK_SECRET=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
    } > "$CLUSTER/secrets.env"
    umask 022
fi
# The brokers' cluster password (the pair's own secret), added to a secrets.env of an older version.
if ! grep -q '^BROKER_CLUSTER_PASSWORD=' "$CLUSTER/secrets.env"; then
    echo "BROKER_CLUSTER_PASSWORD=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" >> "$CLUSTER/secrets.env"
fi
# shellcheck disable=SC1091
. "$CLUSTER/secrets.env"

# 1. PostgreSQL: the server, then the database.
if ! pg_isready -q; then
    say "PostgreSQL at $PGHOST:$PGPORT is down; starting the local cluster"
    version=$(ls /etc/postgresql | head -n 1)
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
    for _ in $(seq 50); do pg_isready -q && break; sleep 0.2; done
    pg_isready -q || die "PostgreSQL did not come up"
fi
if [ "$(psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]; then
    say "creating database $DB"
    createdb "$DB"
fi
STORE_URL="jdbc:postgresql://$PGHOST:$PGPORT/$DB"

# 2. The brokers: a primary/backup pair with replication, each an Artemis instance from the
# distribution configured with docs/broker.xml and its HA-PAIR block in force (docs/deployment.md).
if [ -z "${ARTEMIS_HOME:-}" ]; then
    ARTEMIS_HOME=$ROOT/target/artemis/apache-artemis-$ARTEMIS_VERSION
    if [ ! -x "$ARTEMIS_HOME/bin/artemis" ]; then
        ARTEMIS_HOME=$CLUSTER/apache-artemis-$ARTEMIS_VERSION
        if [ ! -x "$ARTEMIS_HOME/bin/artemis" ]; then
            tgz=$HOME/.m2/repository/org/apache/artemis/apache-artemis/$ARTEMIS_VERSION/apache-artemis-$ARTEMIS_VERSION-bin.tar.gz
            [ -f "$tgz" ] || die "no Artemis distribution: run mvn -q verify -Dit.test=ExternalBrokerIT once, or set ARTEMIS_HOME"
            tar xzf "$tgz" -C "$CLUSTER"
        fi
    fi
fi
if running "$CLUSTER/broker/pid"; then
    die "a single broker of an older cluster-up.sh is running: scripts/cluster-down.sh first"
fi

# Creates the instance $1 (primary or backup) listening on port $2, its partner on port $3.
create_broker() {
    local role=$1 port=$2 other=$3 home=$CLUSTER/broker-$1
    [ -d "$home/etc" ] && return 0
    say "creating the $role broker instance in $home"
    "$ARTEMIS_HOME/bin/artemis" create "$home" --user gateway --password "$BROKER_PASSWORD" --role gateway \
        --require-login --silent --no-web --no-autotune --no-amqp-acceptor --no-mqtt-acceptor \
        --no-stomp-acceptor --no-hornetq-acceptor > "$CLUSTER/broker-$role-create.log"
    # The HA-PAIR block in force: its marker lines gone, this broker's and the other's address, the
    # pair's cluster password; on the backup, <backup/> for the <primary> element.
    sed -e '/^ *<!-- HA-PAIR$/d' -e '/^ *HA-PAIR -->$/d' \
        -e "s#tcp://127.0.0.1:61616#tcp://127.0.0.1:$port#" \
        -e "s#<connector name=\"this-broker\">tcp://primary.example:61616<#<connector name=\"this-broker\">tcp://127.0.0.1:$port<#" \
        -e "s#<connector name=\"other-broker\">tcp://backup.example:61616<#<connector name=\"other-broker\">tcp://127.0.0.1:$other<#" \
        -e "s#<cluster-password>CHANGE-ME<#<cluster-password>$BROKER_CLUSTER_PASSWORD<#" \
        -e "s#payments.events.demo-shop#payments.events.cluster-shop#" \
        -e "s#merchant = 'demo-shop'#merchant = 'cluster-shop'#" "$ROOT/docs/broker.xml" > "$home/etc/broker.xml"
    if [ "$role" = backup ]; then
        sed -i -e '/^ *<primary>$/,/^ *<\/primary>$/c\        <backup/>' "$home/etc/broker.xml"
    fi
    grep -q "tcp://127.0.0.1:$other<" "$home/etc/broker.xml" || die "docs/broker.xml has no HA-PAIR block as expected"
    printf '\nmerchant-systems = %s\n' "$CLIENT_PASSWORD" >> "$home/etc/artemis-users.properties"
    printf '\nclient = merchant-systems\n' >> "$home/etc/artemis-roles.properties"
}

# Starts the instance $1 unless it runs; waits for the text $2 in its log.
start_broker() {
    local role=$1 ready=$2 home=$CLUSTER/broker-$1
    if running "$home/pid"; then
        say "$role broker already running (pid $(cat "$home/pid"))"
        return 0
    fi
    : > "$home/broker.log"
    JAVA_ARGS="-Xms64m -Xmx512m" nohup "$home/bin/artemis" run > "$home/broker.log" 2>&1 &
    echo $! > "$home/pid"
    await_log "$home/broker.log" "$ready" "$home/pid" 120
}

create_broker primary $PRIMARY_PORT $BACKUP_PORT
create_broker backup $BACKUP_PORT $PRIMARY_PORT
# The primary first (AMQ221007: active; after a failover, once it has taken over from the backup
# again), then the backup (AMQ221031: synchronized with the primary and announced).
start_broker primary AMQ221007
say "primary broker up: tcp://127.0.0.1:$PRIMARY_PORT"
start_broker backup AMQ221031
say "backup broker up and in sync: tcp://127.0.0.1:$BACKUP_PORT"

# 3. The WeChat simulator both gateways call.
SIM=$CLUSTER/simulator
mkdir -p "$SIM"
if running "$SIM/pid"; then
    say "simulator already running (pid $(cat "$SIM/pid"))"
else
    : > "$SIM/simulator.log"
    nohup "$JAVA" -Xmx128m -cp "$JAR:$SANDBOX_JAR" io.paygate.sandbox.SandboxMain --wechat-port $SIM_PORT \
        --wechat-merchant "1900:wxcluster:$WECHAT_KEY" --wechat-tls-port $SIM_TLS_PORT --wechat-tls-dir "$SIM/tls" \
        --state-file "$SIM/state.jsonl" > "$SIM/simulator.log" 2>&1 &
    echo $! > "$SIM/pid"
    await_log "$SIM/simulator.log" "tls listening on" "$SIM/pid" 90
    say "simulator up: http://127.0.0.1:$SIM_PORT (control API under /sandbox/wechat/)"
fi

# 4. The gateways.
for n in 1 2; do
    port=${GATEWAY_PORTS[$((n - 1))]}
    home=$CLUSTER/gateway$n
    mkdir -p "$home/config" "$home/data"
    cat > "$home/config/application.properties" <<EOF
# gateway $n of scripts/cluster-up.sh: shared database and broker pair, its own port and data folder
gateway.http.host=127.0.0.1
gateway.http.port=$port
gateway.public-base-url=http://127.0.0.1:$port
gateway.store.url=$STORE_URL
gateway.store.user=$PGUSER
gateway.store.pool-size=8
gateway.broker.url=$BROKER_URL
gateway.broker.user=gateway
gateway.broker.password=\${env:CLUSTER_BROKER_PASSWORD}
gateway.reconcile.cluster=true
gateway.sandbox.enabled=false
EOF
    cat > "$home/config/merchants.yaml" <<EOF
merchants:
  cluster-shop:
    provider: wechat
    apiToken: \${env:CLUSTER_MERCHANT_TOKEN}
    wechat:
      baseUrl: 'http://127.0.0.1:$SIM_PORT'
      secapiBaseUrl: 'https://127.0.0.1:$SIM_TLS_PORT'
      appId: wxcluster
      mchId: '1900'
      apiKey: \${env:CLUSTER_WECHAT_KEY}
      certificate: {path: '$SIM/tls/1900.p12', serverCa: '$SIM/tls/ca.pem'}
EOF
    if running "$home/pid"; then
        say "gateway $n already running (pid $(cat "$home/pid"))"
        continue
    fi
    : > "$home/gateway.log"
    (cd "$home" && CLUSTER_BROKER_PASSWORD=$BROKER_PASSWORD CLUSTER_MERCHANT_TOKEN=$MERCHANT_TOKEN \
        CLUSTER_WECHAT_KEY=$WECHAT_KEY GATEWAY_CONFIG_DIR=$home/config GATEWAY_DATA_DIR=$home/data \
        GATEWAY_ROUTES_DIR=$ROOT/routes nohup "$JAVA" -Xms128m -Xmx384m -jar "$JAR" > "$home/gateway.log" 2>&1 &
        echo $! > "$home/pid")
done
for n in 1 2; do
    port=${GATEWAY_PORTS[$((n - 1))]}
    home=$CLUSTER/gateway$n
    for _ in $(seq 600); do
        curl -fsS -o /dev/null "http://127.0.0.1:$port/observe/health" 2>/dev/null && break
        running "$home/pid" || die "gateway $n stopped; see $home/gateway.log"
        sleep 0.2
    done
    curl -fsS -o /dev/null "http://127.0.0.1:$port/observe/health" || die "gateway $n not healthy; see $home/gateway.log"
    say "gateway $n up: http://127.0.0.1:$port (log $home/gateway.log)"
done
say "merchant cluster-shop; its token and the other secrets are in $CLUSTER/secrets.env"
say "broker failover URL (gateways and merchant systems): $BROKER_URL"
say "stop with scripts/cluster-down.sh"
