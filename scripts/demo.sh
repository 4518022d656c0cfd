#!/usr/bin/env bash
# make demo: the whole pipeline on a throwaway cluster.  Installs what is
# missing, builds and installs por, starts a temporary PostgreSQL, loads a
# generated ledger (DEMO_ACCOUNTS accounts x 8 assets, default 20000), freezes
# a snapshot, proves it (tree, batch proofs, aggregation levels; progress
# shown), shows the final proof (size, statement) and verifies it with
# por-verify final, writes one customer's inclusion proof to a file, prints
# the per-asset totals, exports the bundle and verifies it with por-verify
# bundle, and ends with the customer's one command: por-verify inclusion
# FILE --final final.porf.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
make -s -j2
make -s install >/dev/null
export DEMO_ACCOUNTS="${DEMO_ACCOUNTS:-20000}"
export DEMO_OUT="$PWD/demo-out"
mkdir -p "$DEMO_OUT"
pg_virtualenv -o 'shared_preload_libraries=' bash scripts/demo-inner.sh
