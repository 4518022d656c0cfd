#!/usr/bin/env bash
# SQL-level benchmark (not a test): por_snapshot_create + por_prove on a
# generated ledger of BENCH_ACCOUNTS accounts (default 10^6) x BENCH_ASSETS
# assets (8: scripts/gen_ledger.sql; any other count: gen_ledger_wide.sql), on
# a throwaway cluster.  Prints "key: value unit" lines: wall times (por_prove
# split into tree, batch proofs and aggregation levels, from the run log), the
# final proof's size and por_verify_final's time, the backend's and the
# proving worker's peak RSS (VmHWM), inclusion proof build and verify times.
# Usage: make install && BENCH_ACCOUNTS=100000 BENCH_ASSETS=53 bash bench/sql_bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export BENCH_ACCOUNTS="${BENCH_ACCOUNTS:-1000000}"
export BENCH_ASSETS="${BENCH_ASSETS:-8}"
exec pg_virtualenv -o 'shared_preload_libraries=' -o 'max_wal_size=4GB' -o 'work_mem=64MB' bash -c '
set -euo pipefail
PSQL=(psql -X -q -At -v ON_ERROR_STOP=1)
"${PSQL[@]}" -c "CREATE EXTENSION por"
if [ "$BENCH_ASSETS" = 8 ]; then
"${PSQL[@]}" -v accounts="$BENCH_ACCOUNTS" -f scripts/gen_ledger.sql
ASSETS=$(cat <<JSON
{"BTC": {"decimals": 8, "price": "65000.25", "haircut": 95}, "ETH": {"decimals": 9, "price": "3000.5", "haircut": 90},
 "USDT": {"decimals": 6, "price": "1.0001"}, "USDC": {"decimals": 6, "price": "1"}, "SOL": {"decimals": 9, "price": "150.75", "haircut": 80},
 "XRP": {"decimals": 6, "price": "0.62"}, "DOGE": {"decimals": 8, "price": "0.15", "haircut": 70}, "TRX": {"decimals": 6, "price": "0.12", "haircut": 70}}
JSON
)
else
"${PSQL[@]}" -v accounts="$BENCH_ACCOUNTS" -v assets="$BENCH_ASSETS" -f scripts/gen_ledger_wide.sql
ASSETS=$("${PSQL[@]}" -c "SELECT assets FROM ledger_assets")
fi
# one backend for the measured calls, so its VmHWM is their peak memory
coproc PG { "${PSQL[@]}" 2>&1; }
ask() { echo "$1" >&"${PG[1]}"; read -r line <&"${PG[0]}"; echo "$line"; }
pid=$(ask "SELECT pg_backend_pid();")
t0=$(date +%s.%N)
sid=$(ask "SELECT por_snapshot_create('"'"'ledger'"'"', \$\$$ASSETS\$\$);")
t1=$(date +%s.%N)
hwm1=$(awk "/VmHWM/ {print \$2}" /proc/$pid/status)
# the proving worker is another process: sample its peak while it runs
( while sleep 1; do w=$("${PSQL[@]}" -c "SELECT worker_pid FROM por.prove_progress WHERE snapshot_id = $sid AND phase NOT IN ('"'"'done'"'"', '"'"'failed'"'"')" 2>/dev/null || true);
    [ -n "$w" ] && awk "/VmHWM/ {print \$2}" /proc/$w/status 2>/dev/null; done > /tmp/por_bench_worker_hwm ) &
sampler=$!
ask "SELECT length(por_prove($sid)::text);" >/dev/null
t2=$(date +%s.%N)
kill $sampler 2>/dev/null || true
hwm2=$(awk "/VmHWM/ {print \$2}" /proc/$pid/status)
hwmw=$(sort -n /tmp/por_bench_worker_hwm | tail -1)
n=${BENCH_ACCOUNTS}x${BENCH_ASSETS}
ms() { awk -v a="$1" -v b="$2" "BEGIN { printf \"%d\", (b - a) * 1000 }"; }
echo "sql.snapshot_create.${n}: $(ms $t0 $t1) ms"
echo "sql.prove.${n}: $(ms $t1 $t2) ms"
"${PSQL[@]}" -c "SELECT '"'"'sql.prove.tree.${n}: '"'"' || round((detail->>'"'"'tree_seconds'"'"')::numeric * 1000) || '"'"' ms'"'"' || chr(10) ||
                        '"'"'sql.prove.batches.${n}: '"'"' || round((detail->>'"'"'batch_seconds'"'"')::numeric * 1000) || '"'"' ms ('"'"' || (detail->>'"'"'batches'"'"') || '"'"' batches)'"'"'
                   FROM por.run_log WHERE snapshot_id = $sid AND action = '"'"'prove'"'"'"
"${PSQL[@]}" -c "SELECT '"'"'sql.prove.aggregation.${n}: '"'"' || round((detail->>'"'"'aggregation_seconds'"'"')::numeric * 1000) || '"'"' ms ('"'"'
                        || (detail->>'"'"'aggregation_nodes'"'"') || '"'"' proofs, '"'"' || (detail->>'"'"'levels'"'"') || '"'"' levels, fan-in '"'"'
                        || (detail->>'"'"'fan_in'"'"') || '"'"', keys '"'"' || round((detail->>'"'"'aggregation_key_seconds'"'"')::numeric * 1000) || '"'"' ms)'"'"' || chr(10) ||
                        '"'"'sql.prove.finish.${n}: '"'"' || round((detail->>'"'"'finish_seconds'"'"')::numeric * 1000) || '"'"' ms (the final checks: tree rebuilt, every proof checked)'"'"' || chr(10) ||
                        '"'"'sql.final_proof.bytes.${n}: '"'"' || (detail->>'"'"'final_proof_bytes'"'"') || '"'"' bytes'"'"' || chr(10) ||
                        '"'"'sql.prove.worker_max_rss.${n}: '"'"' || (detail->>'"'"'peak_rss_mb'"'"') || '"'"' MiB (getrusage)'"'"'
                   FROM por.run_log WHERE snapshot_id = $sid AND action = '"'"'prove'"'"'"
tv0=$(date +%s.%N)
"${PSQL[@]}" -c "SELECT por_verify_final(por_final_proof($sid)), por_verify_final(por_final_proof($sid))" >/dev/null
tv1=$(date +%s.%N)
"${PSQL[@]}" -c "SELECT por_verify_final(por_final_proof($sid))" >/dev/null
tv2=$(date +%s.%N)
echo "sql.verify_final.first_call.${n}: $(ms $tv0 $tv1) ms (keys derived, then once more cached)"
echo "sql.verify_final.new_session.${n}: $(ms $tv1 $tv2) ms (keys derived again: the cache is per session)"
echo "sql.snapshot_plus_prove.${n}: $(ms $t0 $t2) ms"
echo "sql.snapshot_create.peak_rss: $hwm1 KiB"
echo "sql.prove.backend_peak_rss: $hwm2 KiB"
echo "sql.prove.worker_peak_rss: ${hwmw:-?} KiB"
echo "\\q" >&"${PG[1]}"
"${PSQL[@]}" -v sid="$sid" -f bench/inclusion_bench.sql
' 2>&1 | grep -E "^sql\.|ERROR"
