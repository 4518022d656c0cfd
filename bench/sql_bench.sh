#!/usr/bin/env bash
# SQL-level benchmark (not a test): por_snapshot_create + por_prove on a
# generated ledger of BENCH_ACCOUNTS accounts x 8 assets (default 10^6), on a
# throwaway cluster.  Prints "key: value unit" lines: wall times, the backend's
# peak RSS (VmHWM), inclusion proof build and verify times.
# Usage: make install && bash bench/sql_bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export BENCH_ACCOUNTS="${BENCH_ACCOUNTS:-1000000}"
exec pg_virtualenv -o 'shared_preload_libraries=' -o 'max_wal_size=4GB' -o 'work_mem=64MB' bash -c '
set -euo pipefail
PSQL=(psql -X -q -At -v ON_ERROR_STOP=1)
"${PSQL[@]}" -c "CREATE EXTENSION por"
"${PSQL[@]}" -v accounts="$BENCH_ACCOUNTS" -f scripts/gen_ledger.sql
ASSETS=$(cat <<JSON
{"BTC": {"decimals": 8, "price": "65000.25", "haircut": 95}, "ETH": {"decimals": 9, "price": "3000.5", "haircut": 90},
 "USDT": {"decimals": 6, "price": "1.0001"}, "USDC": {"decimals": 6, "price": "1"}, "SOL": {"decimals": 9, "price": "150.75", "haircut": 80},
 "XRP": {"decimals": 6, "price": "0.62"}, "DOGE": {"decimals": 8, "price": "0.15", "haircut": 70}, "TRX": {"decimals": 6, "price": "0.12", "haircut": 70}}
JSON
)
# one backend for the measured calls, so its VmHWM is their peak memory
coproc PG { "${PSQL[@]}" 2>&1; }
ask() { echo "$1" >&"${PG[1]}"; read -r line <&"${PG[0]}"; echo "$line"; }
pid=$(ask "SELECT pg_backend_pid();")
t0=$(date +%s.%N)
sid=$(ask "SELECT por_snapshot_create('"'"'ledger'"'"', \$\$$ASSETS\$\$);")
t1=$(date +%s.%N)
hwm1=$(awk "/VmHWM/ {print \$2}" /proc/$pid/status)
ask "SELECT length(por_prove($sid)::text);" >/dev/null
t2=$(date +%s.%N)
hwm2=$(awk "/VmHWM/ {print \$2}" /proc/$pid/status)
n=$BENCH_ACCOUNTS
ms() { awk -v a="$1" -v b="$2" "BEGIN { printf \"%d\", (b - a) * 1000 }"; }
echo "sql.snapshot_create.${n}x8: $(ms $t0 $t1) ms"
echo "sql.prove.${n}x8: $(ms $t1 $t2) ms"
echo "sql.snapshot_plus_prove.${n}x8: $(ms $t0 $t2) ms"
echo "sql.snapshot_create.peak_rss: $hwm1 KiB"
echo "sql.prove.peak_rss: $hwm2 KiB"
echo "\\q" >&"${PG[1]}"
"${PSQL[@]}" -v sid="$sid" -f bench/inclusion_bench.sql
' 2>&1 | grep -E "^sql\.|ERROR"
