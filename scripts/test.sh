#!/usr/bin/env bash
# THE test command (README, CI): bash scripts/test.sh [PYTEST ARGS...]
#
# Sets up the venv, starts a throwaway RabbitMQ and PostgreSQL (scripts/services.sh) that are
# stopped again on any exit, runs ruff and import-linter, then pytest with the given arguments.
# Exits non-zero if any of them failed; pytest's own code wins when it failed, and its exit 5
# ("no tests collected") stays a failure.
#
# Environment:
#   PARTAGE_KEEP_SERVICES_DIR=1   keep the services' folder (logs, data) after the run
set -euo pipefail

repo_root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cd -- "$repo_root"

venv=${PARTAGE_VENV:-$repo_root/.venv}
services=(bash "$repo_root/scripts/services.sh")
tmp_base=${TMPDIR:-/tmp}

log() { printf '[test.sh] %s\n' "$*" >&2; }

# ---------------------------------------------------------------- phase timing

now() { printf '%s' "${EPOCHREALTIME/,/.}"; }
timings=()
phase_started=
phase_name=
phase() {
    phase_end
    phase_name=$1
    phase_started=$(now)
    log "== $phase_name"
}
phase_end() {
    [[ -n $phase_name ]] || return 0
    local took
    took=$(awk -v a="$phase_started" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }')
    timings+=("$phase_name $took")
    log "   $phase_name took $took"
    phase_name=
}

# ---------------------------------------------------------------- browser tests

# ensure_browser: Debian's chromium and chromium-driver, only when the suite has browser tests
# (tests/browser). They are ~300 MB, so a tree without browser tests does not pay for them.
ensure_browser() {
    [[ -d tests/browser ]] || return 0
    phase browser-packages
    "${services[@]}" install-packages chromium chromium-driver
}

# ---------------------------------------------------------------- services lifecycle

services_dir=
pytest_summary=
cleanup() {
    local rc=$?
    # Ignore further Ctrl-C while cleaning up: an interrupted teardown is what leaks servers.
    trap '' INT TERM HUP
    if [[ -n $services_dir ]]; then
        phase teardown
        "${services[@]}" stop "$services_dir" || log "warning: stopping the services failed"
        if [[ ${PARTAGE_KEEP_SERVICES_DIR:-} == 1 ]]; then
            log "kept $services_dir"
        else
            rm -rf -- "$services_dir"
        fi
        phase_end
    fi
    phase_end
    if ((${#timings[@]})); then
        log "timings: $(printf '%s | ' "${timings[@]}" | sed 's/ | $//')"
    fi
    # Repeat pytest's closing line last, so it stays the last line of the run's output.
    [[ -z $pytest_summary ]] || printf '%s\n' "$pytest_summary"
    exit "$rc"
}
trap cleanup EXIT
# Turn signals into a normal exit so the EXIT trap runs (and reports the conventional code).
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# A previous run killed with SIGKILL (or a crashed machine) cannot run its trap. Its folder
# names its owner's pid: stop what it left and remove it, unless that owner still runs.
reap_stale_runs() {
    local owner_file owner stale
    for owner_file in "$tmp_base"/partage-test.*/owner.pid; do
        [[ -f $owner_file ]] || continue
        owner=$(<"$owner_file")
        if [[ $owner =~ ^[0-9]+$ ]] && kill -0 "$owner" 2>/dev/null; then
            continue
        fi
        stale=$(dirname -- "$owner_file")
        log "cleaning up a stale run's services in $stale"
        "${services[@]}" stop "$stale" || true
        rm -rf -- "$stale"
    done
}

# ---------------------------------------------------------------- the run

phase bootstrap
bash "$repo_root/scripts/bootstrap.sh"
# What `activate` does that matters here, without sourcing it under `set -u`.
export VIRTUAL_ENV=$venv
export PATH=$venv/bin:$PATH

ensure_browser

phase services
reap_stale_runs
services_dir=$(mktemp -d "$tmp_base/partage-test.XXXXXX")
printf '%s\n' "$$" >"$services_dir/owner.pid"
"${services[@]}" start "$services_dir"
# shellcheck source=/dev/null
source "$services_dir/env.sh"
# CI must never pass by silently skipping the tests that need the real services.
export PARTAGE_TEST_REQUIRE_SERVICES=1

failed=()

phase ruff
ruff check . || failed+=(ruff)

phase lint-imports
lint-imports || failed+=(lint-imports)

phase pytest
pytest_log=$services_dir/pytest.log
color=()
[[ -t 1 ]] && color=(--color=yes) # tee below hides the terminal from pytest
set +e
# tee ignores Ctrl-C so that pytest's own interrupted report still reaches the terminal.
pytest "${color[@]}" "$@" 2>&1 | (
    trap '' INT
    tee "$pytest_log"
)
pytest_rc=${PIPESTATUS[0]}
set -e
# pytest's closing line ("== 3 passed in 1.2s ==", or without the = under -q), minus colours.
pytest_summary=$(sed 's/\x1b\[[0-9;]*m//g' "$pytest_log" |
    grep -E '([0-9]+ [a-z]+|no tests ran)( \(.*\))? in [0-9.]+s' | tail -n 1 || true)
phase_end

if ((pytest_rc == 5)); then
    log "FAILED: pytest collected no tests (exit 5)"
elif ((pytest_rc != 0)); then
    log "FAILED: pytest exited $pytest_rc"
fi
if ((${#failed[@]})); then
    log "FAILED: ${failed[*]}"
fi
if ((pytest_rc != 0)); then
    exit "$pytest_rc"
elif ((${#failed[@]})); then
    exit 1
fi
log "all checks passed"
