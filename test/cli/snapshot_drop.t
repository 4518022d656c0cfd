#!/usr/bin/env bash
# TAP: por_snapshot_drop refuses a snapshot while a por_prove run holds it,
# por_snapshot_retain skips it, and the frozen orphan a canceled run leaves
# behind is removable (run inside the throwaway cluster by `make sql-check`).
set -u
. "$(dirname "$0")/tap.sh"

test_db por_drop_test
DB=(psql -X -q -At -v ON_ERROR_STOP=1 -v VERBOSITY=sqlstate -d por_drop_test)
ledger_snapshots 2
running="SELECT EXISTS (SELECT 1 FROM por.prove_progress WHERE snapshot_id = %s AND batches_done >= 1)
           AND EXISTS (SELECT 1 FROM pg_stat_activity WHERE backend_type = 'por prove')"
no_worker="SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE backend_type = 'por prove')"

# --- a snapshot being proven is kept -------------------------------------------
( "${DB[@]}" -c "SELECT por_prove(1)" >"$work/run1" 2>&1; echo $? >"$work/run1.rc" ) &
job=$!
wait_for "$(printf "$running" 1)" 120
is "$("${DB[@]}" -c "SELECT por_snapshot_drop(1)" 2>&1)" "ERROR:  55006" "por_snapshot_drop of a snapshot being proven: 55006"
"${DB[@]}" -c "SELECT por_snapshot_retain(older_than => '0')" >"$work/retain" 2>&1
is "$(tr '\n' ' ' <"$work/retain")" "NOTICE:  00000 1 " "por_snapshot_retain skips it with a NOTICE and drops the other snapshot"
is "$("${DB[@]}" -c "SELECT string_agg(snapshot_id::text, ',' ORDER BY snapshot_id) FROM por.snapshots")" "1" \
   "... so only the snapshot being proven is left"
wait "$job"
is "$(cat "$work/run1.rc")" "0" "the proving run was not disturbed"
is "$("${DB[@]}" -c "SELECT status FROM por.snapshots WHERE snapshot_id = 1")" "proven" "snapshot 1 is proven"
wait_for "$no_worker" 30
is "$("${DB[@]}" -c "SELECT por_snapshot_drop(1)" 2>&1)" "" "once proven, it can be dropped"

# --- the frozen orphan of a canceled run is removable ----------------------------
ledger_create 1
( "${DB[@]}" -c "SET application_name = 'por-drop-test'" -c "SELECT por_prove(3)" >"$work/run3" 2>&1; echo $? >"$work/run3.rc" ) &
job=$!
wait_for "$(printf "$running" 3)" 120
"${DB[@]}" -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'por-drop-test'" >/dev/null
wait "$job"
is "$(cat "$work/run3.rc")" "1" "por_prove(3) was canceled"
wait_for "$no_worker" 30
is "$("${DB[@]}" -c "SELECT status || ' ' || (SELECT count(*) > 0 FROM por.batch_proofs WHERE snapshot_id = 3) FROM por.snapshots WHERE snapshot_id = 3")" \
   "frozen true" "it left a frozen snapshot with some batch proofs"
is "$("${DB[@]}" -c "SELECT por_snapshot_drop(3)" 2>&1)" "" "the orphan is dropped"
is "$("${DB[@]}" -c "SELECT (SELECT count(*) FROM por.snapshots) + (SELECT count(*) FROM por.batch_proofs) + (SELECT count(*) FROM por.leaves)
                            + (SELECT count(*) FROM por.tree_levels) + (SELECT count(*) FROM por.prove_progress)")" "0" "with all its rows"

done_testing
