#!/usr/bin/env bash
# README command 1: set up what is missing, then run Partage's demo end to end.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/partage demo "$@"
