#!/usr/bin/env bash
# Create (or refresh) the project's virtualenv in .venv and install Partage with its dev extras.
#
# Idempotent and cheap on re-runs: the editable install is skipped while pyproject.toml (and the
# interpreter) are unchanged since the last successful install, which is recorded in a stamp file
# inside .venv. Used by both README commands and by scripts/test.sh.
#
# Environment:
#   PARTAGE_PYTHON   interpreter to build the venv with (default: first Python 3.11 found)
#   PARTAGE_VENV     venv location (default: <repo>/.venv)
set -euo pipefail

repo_root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cd -- "$repo_root"

venv=${PARTAGE_VENV:-$repo_root/.venv}
stamp=$venv/.partage-bootstrap.stamp

log() { printf '[bootstrap] %s\n' "$*" >&2; }

is_py311() {
    # Run the candidate rather than trusting its name: a pyenv shim named python3.11 exists even
    # when pyenv has no 3.11 selected, and then fails when called.
    "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' >/dev/null 2>&1
}

find_python() {
    local candidate
    for candidate in "${PARTAGE_PYTHON:-}" python3.11 python3 /usr/bin/python3.11; do
        [[ -n $candidate ]] || continue
        if command -v -- "$candidate" >/dev/null 2>&1 && is_py311 "$candidate"; then
            command -v -- "$candidate"
            return 0
        fi
    done
    return 1
}

as_root() {
    if [[ $(id -u) -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        log "need root (or sudo) to run: $*"
        exit 2
    fi
}

create_venv() {
    local python=$1
    log "creating $venv with $python"
    if "$python" -m venv "$venv"; then
        return 0
    fi
    # Debian's own python3.11 ships without ensurepip until python3.11-venv is installed.
    rm -rf -- "$venv"
    if [[ $python == /usr/bin/* ]] && command -v apt-get >/dev/null 2>&1; then
        log "installing Debian's python3.11-venv (ensurepip is missing)"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq
        as_root env DEBIAN_FRONTEND=noninteractive \
            apt-get -o DPkg::Lock::Timeout=600 install -y -qq python3.11-venv >/dev/null
        "$python" -m venv "$venv"
        return 0
    fi
    log "could not create a venv with $python"
    exit 1
}

main() {
    if [[ -d $venv ]]; then
        if [[ ! -e $venv/bin/python ]]; then
            # Its interpreter vanished (pyenv version removed, Python upgraded): nothing in it
            # can run any more, so rebuilding is the only way forward.
            log "$venv has lost its interpreter: recreating it"
            rm -rf -- "$venv"
        elif ! is_py311 "$venv/bin/python"; then
            # Runs but is not 3.11, or cannot be run by this user: not ours to delete.
            log "$venv/bin/python is not a runnable Python 3.11; remove $venv to rebuild it"
            exit 1
        fi
    fi

    if [[ ! -d $venv ]]; then
        local python
        if ! python=$(find_python); then
            log "no Python 3.11 found (tried \$PARTAGE_PYTHON, python3.11, python3, /usr/bin/python3.11)"
            exit 1
        fi
        create_venv "$python"
    fi

    # The stamp covers what decides the install's content: the dependency list and the interpreter.
    local want
    want=$(
        {
            cat pyproject.toml
            "$venv/bin/python" -c 'import sys; print(sys.version)'
        } | sha256sum | cut -d' ' -f1
    )
    if [[ -f $stamp && $(<"$stamp") == "$want" ]]; then
        log "venv up to date ($venv)"
        return 0
    fi

    log "installing partage[dev] into $venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e '.[dev]'
    # Written only after a successful install, so a failed one is retried next time.
    printf '%s\n' "$want" >"$stamp"
    log "done"
}

main "$@"
