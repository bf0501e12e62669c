#!/usr/bin/env bash
# `make cluster`: the production topology on loopback, in the foreground — 2 `balcao serve`,
# 2 `balcao worker`, `balcao mail lmtp` (on RUN/lmtp.sock, MAIL_LMTP), `balcao mail fetch`,
# HAProxy in front (deploy/haproxy.cfg), PostgreSQL and Redis. Ctrl-C stops everything. Each
# line of output is prefixed with the process it came from.
#
#   DATABASE_URL  PostgreSQL (default postgres://postgres@127.0.0.1:5432/balcao_cluster; created)
#   REDIS_URL     a running Redis (default redis://127.0.0.1:6379/9); none answering: one is
#                 started on 127.0.0.1:6390 for the cluster's lifetime
#   CLUSTER_PORT  the proxy's port (default 8400); web processes on the next two ports
#   BALCAO        how to run the balcao command (default: .venv/bin/balcao)
# Then: bench/cluster.py proves it (same variables).
set -euo pipefail
cd "$(dirname "$0")/.."

export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/balcao_cluster}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/9}"
PORT="${CLUSTER_PORT:-8400}"
BALCAO="${BALCAO:-.venv/bin/balcao}"
export BALCAO_PROXY_BIND="127.0.0.1:$PORT"
export BALCAO_WEB1="127.0.0.1:$((PORT + 1))"
export BALCAO_WEB2="127.0.0.1:$((PORT + 2))"
export SITE_URL="${SITE_URL:-http://127.0.0.1:$PORT}"
export TRUSTED_PROXIES="${TRUSTED_PROXIES:-127.0.0.1}"
export LOG_LEVEL="${LOG_LEVEL:-WARNING}"

command -v haproxy >/dev/null || { echo "make cluster needs HAProxy: apt-get install haproxy"; exit 1; }

RUN="${CLUSTER_RUN:-/tmp/balcao-cluster-$PORT}"
mkdir -p "$RUN"
export BALCAO_PROXY_SOCKET="$RUN/haproxy.sock"
export MAIL_LMTP="$RUN/lmtp.sock"  # `balcao mail deliver` from this shell hands mail to it

loops=()
stop() {
    trap - INT TERM EXIT
    echo "cluster: stopping"
    touch "$RUN/stopping"
    for loop in "${loops[@]}"; do kill -TERM "$loop" 2>/dev/null || true; done
    for file in "$RUN"/*.pid; do kill -TERM "$(cat "$file")" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -f "$RUN"/*.pid "$RUN/stopping"
}
trap stop INT TERM EXIT
rm -f "$RUN/stopping"

# start NAME COMMAND...: kept running like systemd's Restart=always (one that exits is started
# again a second later), its output prefixed with NAME; the command's own pid in RUN/NAME.pid
# (bench/cluster.py kills a web process by it).
start() {
    local name=$1; shift
    (
        trap 'exit 0' TERM
        while [ ! -e "$RUN/stopping" ]; do
            "$@" > >(sed -u "s/^/$name | /") 2>&1 &
            echo "$!" > "$RUN/$name.pid"
            wait "$!" && code=0 || code=$?
            [ -e "$RUN/stopping" ] && break
            echo "cluster | $name exited ($code); starting it again"
            sleep 1
        done
    ) &
    loops+=($!)
}

db_name="${DATABASE_URL##*/}"
admin_url="${DATABASE_URL%/*}/postgres"
psql "$admin_url" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db_name'" | grep -q 1 \
    || psql "$admin_url" -qc "CREATE DATABASE \"$db_name\""

redis_host_port="${REDIS_URL#redis://}"; redis_host_port="${redis_host_port%%/*}"
if ! redis-cli -h "${redis_host_port%:*}" -p "${redis_host_port##*:}" ping >/dev/null 2>&1; then
    start redis redis-server --bind 127.0.0.1 --port 6390 --save "" --appendonly no
    export REDIS_URL="redis://127.0.0.1:6390/0"
    until redis-cli -p 6390 ping >/dev/null 2>&1; do sleep 0.2; done
fi

echo "cluster: migrating $DATABASE_URL, demo data once"
$BALCAO migrate --no-input -v 0
$BALCAO demo

start web1 $BALCAO serve --host 127.0.0.1 --port $((PORT + 1))
start web2 $BALCAO serve --host 127.0.0.1 --port $((PORT + 2))
start worker1 $BALCAO worker
start worker2 $BALCAO worker
start lmtp $BALCAO mail lmtp
start fetch $BALCAO mail fetch --every 30
start proxy haproxy -db -f deploy/haproxy.cfg
echo "cluster: http://$BALCAO_PROXY_BIND/ (web1 $BALCAO_WEB1, web2 $BALCAO_WEB2, redis $REDIS_URL, lmtp $MAIL_LMTP)"
echo "cluster: pids in $RUN; Ctrl-C stops all"
wait
