#!/usr/bin/env bash
# make demo: the whole pipeline on a throwaway cluster.  Installs what is
# missing, builds and installs por, starts a temporary PostgreSQL, loads a
# generated ledger (DEMO_ACCOUNTS accounts x 8 assets, default 100000), freezes
# a snapshot, proves it, writes one customer's inclusion proof to a file,
# verifies it with por-verify and prints the per-asset totals.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
make -s -j2
make -s install >/dev/null
export DEMO_ACCOUNTS="${DEMO_ACCOUNTS:-100000}"
export DEMO_OUT="$PWD/demo-out"
mkdir -p "$DEMO_OUT"
pg_virtualenv -o 'shared_preload_libraries=' bash scripts/demo-inner.sh
