#!/usr/bin/env bash
# Throwaway RabbitMQ and PostgreSQL for the test suite, with every bit of state inside one folder.
#
# Usage:
#   scripts/services.sh start DIR           install the Debian packages if missing, start both
#   scripts/services.sh stop DIR            stop both (tolerates half-started or already-gone)
#   scripts/services.sh rabbitmq-stop DIR   stop only the broker, keeping its port and data
#   scripts/services.sh rabbitmq-start DIR  start the broker again (same port, same data)
#   scripts/services.sh env DIR             print the `export ...` lines of DIR/env.sh
#   scripts/services.sh install-packages PKG...   apt-get install PKG... when any is missing
#
# Why not the system services: there is no init system on CI, the /usr/sbin wrappers switch to
# the rabbitmq user and its Erlang cookie, and a private instance on free ports can never clash
# with another run, a developer's own broker or database, or a previous crashed run.
#
# Every server runs in its own session (setsid / pg_ctl) so a Ctrl-C in the terminal does not
# kill it behind our back: the caller's trap stops it cleanly with `stop`.
set -euo pipefail

repo_root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
rabbit_bin=/usr/lib/rabbitmq/bin
# Seconds to wait for a server to accept clients; generous because CI has 2 busy cores.
ready_timeout=${PARTAGE_SERVICES_TIMEOUT:-120}

log() { printf '[services] %s\n' "$*" >&2; }
die() {
    log "error: $*"
    exit 1
}

now() { printf '%s' "${EPOCHREALTIME/,/.}"; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

is_root() { [[ $(id -u) -eq 0 ]]; }

# --------------------------------------------------------------------------- Debian packages

apt_updated=
ensure_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
    ((${#missing[@]})) || return 0

    local sudo=()
    if ! is_root; then
        if command -v sudo >/dev/null 2>&1; then
            sudo=(sudo)
        else
            log "missing Debian packages: ${missing[*]}"
            log "install them as root: apt-get install -y ${missing[*]}"
            exit 2
        fi
    fi
    local started
    started=$(now)
    # The lock timeout makes us wait for a concurrent apt/dpkg (e.g. unattended installs)
    # instead of failing at once.
    local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900)
    if [[ -z $apt_updated ]]; then
        log "apt-get update"
        "${apt[@]}" update -qq
        apt_updated=1
    fi
    log "apt-get install ${missing[*]}"
    "${apt[@]}" install -y -qq "${missing[@]}" >/dev/null
    log "installed ${missing[*]} in $(elapsed "$started")"
}

# --------------------------------------------------------------------------- state of DIR

pg_bin_dir() {
    # Debian 12's `postgresql` is 15; take the newest installed major if 15 is not there.
    if [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then
        printf '/usr/lib/postgresql/15/bin'
        return
    fi
    local found
    found=$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/initdb' 2>/dev/null |
        sort -V | tail -n 1)
    [[ -n $found ]] || die "PostgreSQL server binaries not found under /usr/lib/postgresql"
    dirname -- "$found"
}

venv_python() {
    local py=${PARTAGE_VENV:-$repo_root/.venv}/bin/python
    if [[ ! -x $py ]]; then
        bash "$repo_root/scripts/bootstrap.sh"
    fi
    printf '%s' "$py"
}

free_ports() {
    # Ask the kernel for N distinct free loopback ports, holding all sockets open until every
    # port is chosen so that the same port cannot come back twice.
    "$(venv_python)" - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}

# Runs a PostgreSQL tool as the user that owns the cluster: `postgres` when we are root (initdb
# refuses root), ourselves otherwise. The cd avoids "could not change directory" noise when the
# caller's cwd is not readable by that user.
as_pg() {
    if is_root; then
        (cd -- "$pg_root" && runuser -u postgres -- "$@")
    else
        (cd -- "$pg_root" && "$@")
    fi
}

load_state() {
    dir=$1
    [[ -f $dir/state.sh ]] || die "$dir/state.sh not found: run \`$0 start $dir\` first"
    # shellcheck source=/dev/null
    source "$dir/state.sh"
    rabbit_dir=$dir/rabbitmq
    rabbit_env_vars
    pg_bin=$(pg_bin_dir)
}

create_state() {
    dir=$1
    mkdir -p -- "$dir"
    dir=$(cd -- "$dir" && pwd)
    if [[ -f $dir/state.sh ]]; then
        load_state "$dir"
        return
    fi
    local ports free
    free=$(free_ports 4) || die "could not pick free ports"
    read -r -a ports <<<"$free"
    amqp_port=${ports[0]}
    dist_port=${ports[1]}
    epmd_port=${ports[2]}
    pg_port=${ports[3]}
    # A unique node name so that even a shared epmd could never confuse two brokers.
    node_name="rabbit-partage-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')@localhost"

    # The cluster must live where the postgres user can write. DIR normally qualifies once it is
    # traversable; if a parent is not (e.g. under /root), fall back to a private folder in /tmp.
    pg_root=$dir/postgres
    mkdir -p -- "$pg_root"
    if is_root; then
        chmod o+x -- "$dir"
        chown postgres: -- "$pg_root"
        if ! runuser -u postgres -- test -w "$pg_root"; then
            rmdir -- "$pg_root"
            pg_root=$(mktemp -d "${TMPDIR:-/tmp}/partage-pg.XXXXXX")
            chmod 755 -- "$pg_root"
            chown postgres: -- "$pg_root"
        fi
    fi

    {
        printf 'amqp_port=%q\n' "$amqp_port"
        printf 'dist_port=%q\n' "$dist_port"
        printf 'epmd_port=%q\n' "$epmd_port"
        printf 'pg_port=%q\n' "$pg_port"
        printf 'node_name=%q\n' "$node_name"
        printf 'pg_root=%q\n' "$pg_root"
    } >"$dir/state.sh"
    load_state "$dir"

    # Written up front: the URLs only depend on the ports, and a caller may want them even when a
    # start fails (to print them in an error message).
    {
        printf "export PARTAGE_TEST_POSTGRES_URL='postgresql+psycopg://postgres@127.0.0.1:%s/postgres'\n" "$pg_port"
        printf "export PARTAGE_TEST_AMQP_URL='amqp://guest:guest@127.0.0.1:%s/%%2F'\n" "$amqp_port"
        printf "export PARTAGE_TEST_SERVICES_DIR=%q\n" "$dir"
    } >"$dir/env.sh"
}

# pid_alive PID [PATTERN]: true if PID runs (zombies count as gone: PID 1 here reaps orphans
# late) and, when PATTERN is given, its command line contains it, so a pid file left by a long
# gone run can never make us signal an unrelated process that reused the number.
pid_alive() {
    local pid=${1:-} state
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    state=$(awk '/^State:/ { print $2 }' "/proc/$pid/status" 2>/dev/null) || return 1
    [[ -n $state && $state != Z ]] || return 1
    [[ -z ${2:-} ]] || tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2"
}

# Waits up to $2 seconds for pid $1 to exit; returns non-zero if it is still there.
wait_pid_gone() {
    local pid=$1 deadline=$((SECONDS + $2))
    while pid_alive "$pid"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.1
    done
}

# --------------------------------------------------------------------------- RabbitMQ

# Runs a command with the private broker's environment. Every RabbitMQ CLI call needs it too:
# HOME holds the Erlang cookie, ERL_EPMD_PORT finds the node, the node name addresses it.
rabbit_env_vars() {
    rabbit_vars=(
        HOME="$rabbit_dir/home"
        ERL_EPMD_PORT="$epmd_port"
        RABBITMQ_NODENAME="$node_name"
        RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
        RABBITMQ_NODE_PORT="$amqp_port"
        RABBITMQ_DIST_PORT="$dist_port"
        RABBITMQ_MNESIA_BASE="$rabbit_dir/mnesia"
        RABBITMQ_LOG_BASE="$rabbit_dir/log"
        RABBITMQ_CONFIG_FILE="$rabbit_dir/rabbitmq.conf"
        RABBITMQ_ADVANCED_CONFIG_FILE="$rabbit_dir/advanced.config"
        RABBITMQ_ENABLED_PLUGINS_FILE="$rabbit_dir/enabled_plugins"
        RABBITMQ_PID_FILE="$rabbit_dir/rabbitmq.pid"
        RABBITMQ_CONF_ENV_FILE="$rabbit_dir/rabbitmq-env.conf"
        # The distribution listener is reachable from loopback only, like everything else here.
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}'
    )
}
rabbit_env() { env "${rabbit_vars[@]}" "$@"; }

epmd_start() {
    # Our own epmd on a private port, started by us so that we know its pid and can always stop
    # it: the Erlang VM would otherwise daemonize one that outlives the broker.
    if pid_alive "$(cat "$rabbit_dir/epmd.pid" 2>/dev/null)" epmd; then
        return
    fi
    setsid epmd -port "$epmd_port" -address 127.0.0.1 </dev/null >>"$rabbit_dir/log/epmd.log" 2>&1 &
    echo $! >"$rabbit_dir/epmd.pid"
    local deadline=$((SECONDS + 10))
    until epmd -port "$epmd_port" -names >/dev/null 2>&1; do
        ((SECONDS < deadline)) || die "epmd did not start on port $epmd_port"
        sleep 0.05
    done
}

epmd_stop() {
    local pid
    pid=$(cat "$rabbit_dir/epmd.pid" 2>/dev/null || true)
    epmd -port "$epmd_port" -kill >/dev/null 2>&1 || true
    if pid_alive "$pid" epmd && ! wait_pid_gone "$pid" 5; then
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f -- "$rabbit_dir/epmd.pid"
}

rabbit_running() { pid_alive "$(cat "$rabbit_dir/server.pid" 2>/dev/null)" rabbitmq-server; }

# Starts the broker without waiting for it (see rabbit_wait), so PostgreSQL can boot meanwhile.
rabbit_launch() {
    mkdir -p -- "$rabbit_dir/home" "$rabbit_dir/mnesia" "$rabbit_dir/log"
    if rabbit_running; then
        return
    fi
    # An empty env file so /etc/rabbitmq/rabbitmq-env.conf is never read; no plugins at all (the
    # management plugin costs seconds of boot and a port); guest may log in over loopback only,
    # which is RabbitMQ's default and all the tests need.
    : >"$rabbit_dir/rabbitmq-env.conf"
    printf '[].\n' >"$rabbit_dir/enabled_plugins"
    printf '[].\n' >"$rabbit_dir/advanced.config"
    cat >"$rabbit_dir/rabbitmq.conf" <<'CONF'
loopback_users.guest = true
log.console = false
log.file.level = info
# The test machine's disk may be nearly full of caches; do not block publishers for that.
disk_free_limit.absolute = 1MB
CONF
    epmd_start
    # Foreground mode inside its own session (not -detached): early boot errors land in
    # server.out instead of vanishing, and we get a pid to watch while waiting.
    # A plain command (not the rabbit_env function), so that $! is the server script itself
    # rather than a forked copy of this shell.
    env "${rabbit_vars[@]}" setsid "$rabbit_bin/rabbitmq-server" \
        </dev/null >>"$rabbit_dir/log/server.out" 2>&1 &
    echo $! >"$rabbit_dir/server.pid"
}

# Waits until the broker accepts a real AMQP connection (the port opens seconds after
# `rabbitmq-diagnostics ping` succeeds, so only a client login proves readiness).
rabbit_wait() {
    local started=$1 py
    py=$(venv_python)
    if ! "$py" - "$amqp_port" "$(cat "$rabbit_dir/server.pid")" "$ready_timeout" <<'PY'; then
import logging, os, sys, time
import pika

logging.disable(logging.CRITICAL)  # pika logs every refused attempt
port, pid, timeout = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
params = pika.ConnectionParameters(
    host="127.0.0.1", port=port, credentials=pika.PlainCredentials("guest", "guest"),
    connection_attempts=1, socket_timeout=2, blocked_connection_timeout=5,
)
deadline = time.monotonic() + timeout
while True:
    try:
        pika.BlockingConnection(params).close()
        sys.exit(0)
    except Exception as exc:  # any failure just means "not yet"
        last = exc
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit(f"RabbitMQ exited during boot ({last!r})")
    if time.monotonic() > deadline:
        sys.exit(f"RabbitMQ did not accept AMQP within {timeout:.0f}s ({last!r})")
    time.sleep(0.2)
PY
        log "RabbitMQ failed to start; last lines of its logs:"
        tail -n 40 "$rabbit_dir/log/server.out" "$rabbit_dir"/log/*.log >&2 2>/dev/null || true
        exit 1
    fi
    log "RabbitMQ ready on 127.0.0.1:$amqp_port (node $node_name) in $(elapsed "$started")"
}

rabbit_stop() {
    local server_pid erl_pid
    server_pid=$(cat "$rabbit_dir/server.pid" 2>/dev/null || true)
    erl_pid=$(cat "$rabbit_dir/rabbitmq.pid" 2>/dev/null || true)
    local pids=()
    pid_alive "$erl_pid" beam && pids+=("$erl_pid")
    pid_alive "$server_pid" rabbitmq-server && pids+=("$server_pid")
    if ((${#pids[@]})); then
        # `stop PIDFILE` returns only once the VM process is gone, so the port is free after it.
        if ! rabbit_env timeout 90 "$rabbit_bin/rabbitmqctl" -q stop "$rabbit_dir/rabbitmq.pid" \
            >/dev/null 2>&1; then
            log "rabbitmqctl stop failed; terminating the broker's processes"
            kill -TERM "${pids[@]}" 2>/dev/null || true
        fi
        local pid
        for pid in "${pids[@]}"; do
            if pid_alive "$pid" && ! wait_pid_gone "$pid" 20; then
                kill -KILL "$pid" 2>/dev/null || true
            fi
        done
    fi
    rm -f -- "$rabbit_dir/server.pid"
}

# --------------------------------------------------------------------------- PostgreSQL

pg_start() {
    local started=$1
    local data=$pg_root/data sock=$pg_root/sock
    if [[ ! -f $data/PG_VERSION ]]; then
        as_pg mkdir -p -- "$sock"
        # trust + no-sync: a throwaway cluster on loopback; durability is not the point here.
        as_pg "$pg_bin/initdb" -D "$data" -U postgres -A trust --no-sync -E UTF8 \
            --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
            {
                cat "$dir/initdb.log" >&2
                die "initdb failed"
            }
    fi
    if ! as_pg "$pg_bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        as_pg "$pg_bin/pg_ctl" -D "$data" -l "$pg_root/postgres.log" -w -t "$ready_timeout" \
            -o "-p $pg_port -k '$sock' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
            start >/dev/null ||
            {
                tail -n 40 "$pg_root/postgres.log" >&2 || true
                die "PostgreSQL failed to start"
            }
    fi
    # pg_ctl -w already waited; check the TCP listener the tests use, with a real query.
    local deadline=$((SECONDS + ready_timeout))
    until "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port" &&
        "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -XAtqc 'select 1' \
            >/dev/null 2>&1; do
        ((SECONDS < deadline)) || die "PostgreSQL does not answer on 127.0.0.1:$pg_port"
        sleep 0.1
    done
    log "PostgreSQL ready on 127.0.0.1:$pg_port in $(elapsed "$started")"
}

pg_stop() {
    local data=$pg_root/data
    [[ -f $data/postmaster.pid ]] || return 0
    if ! as_pg timeout 60 "$pg_bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1; then
        local pid
        pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)
        if pid_alive "$pid" postgres; then
            log "pg_ctl stop failed; killing postmaster $pid"
            kill -QUIT "$pid" 2>/dev/null || true # immediate shutdown
            wait_pid_gone "$pid" 10 || kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
}

# --------------------------------------------------------------------------- commands

need_dir() { [[ -n ${1:-} ]] || die "usage: $0 $cmd DIR"; }

cmd_start() {
    need_dir "${1:-}"
    local started
    started=$(now)
    ensure_packages rabbitmq-server postgresql
    create_state "$1"
    rabbit_launch
    pg_start "$started"
    rabbit_wait "$started"
    log "services up in $(elapsed "$started"); environment in $dir/env.sh"
}

cmd_stop() {
    need_dir "${1:-}"
    if [[ ! -f $1/state.sh ]]; then
        log "nothing to stop in $1"
        return 0
    fi
    local started
    started=$(now)
    load_state "$1"
    # Keep going whatever fails: stopping is the last thing a run does and must not leak.
    rabbit_stop || true
    epmd_stop || true
    pg_stop || true
    # A fallback cluster folder outside DIR is ours alone and would otherwise leak in /tmp.
    if [[ $pg_root != "$dir"/* && $pg_root == "${TMPDIR:-/tmp}"/partage-pg.* ]]; then
        rm -rf -- "$pg_root"
    fi
    log "services stopped in $(elapsed "$started")"
}

cmd_rabbitmq_stop() {
    need_dir "${1:-}"
    local started
    started=$(now)
    load_state "$1"
    rabbit_stop
    log "RabbitMQ stopped in $(elapsed "$started")"
}

cmd_rabbitmq_start() {
    need_dir "${1:-}"
    local started
    started=$(now)
    load_state "$1"
    rabbit_launch
    rabbit_wait "$started"
}

cmd_env() {
    need_dir "${1:-}"
    [[ -f $1/env.sh ]] || die "$1/env.sh not found: run \`$0 start $1\` first"
    cat -- "$1/env.sh"
}

cmd=${1:-}
shift || true
case $cmd in
start) cmd_start "$@" ;;
stop) cmd_stop "$@" ;;
rabbitmq-stop) cmd_rabbitmq_stop "$@" ;;
rabbitmq-start) cmd_rabbitmq_start "$@" ;;
env) cmd_env "$@" ;;
install-packages) ensure_packages "$@" ;;
*)
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 64
    ;;
esac
