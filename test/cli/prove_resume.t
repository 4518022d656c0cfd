#!/usr/bin/env bash
# TAP: por_prove keeps finished batches when it is canceled or the server
# crashes, and the next por_prove resumes from them (run inside the throwaway
# cluster by `make sql-check`).  Another session watches the progress:
# por.prove_status tells running, cancelled, crashed and proven apart (an
# estimate only while running) and por.run_log records how every run ended.
# Concurrent calls: prove_concurrent.t.
set -u
. "$(dirname "$0")/tap.sh"
test_db por_resume_test
DB=(psql -X -q -At -v ON_ERROR_STOP=1 -d por_resume_test)
BATCHES=$LEDGER_BATCHES
ledger_snapshots 5

snapshot_rows() { "${DB[@]}" -c "SELECT batch_no || ' ' || proven_at || ' ' || md5(proof) FROM por.batch_proofs WHERE snapshot_id = $1 ORDER BY batch_no"; }

# --- cancel -----------------------------------------------------------------
( "${DB[@]}" -c "SET application_name = 'por-resume-test'" -c "SELECT por_prove(1)" >"$work/run1" 2>&1; echo $? >"$work/run1.rc" ) &
job=$!
wait_for "SELECT coalesce((SELECT batches_done >= 2 FROM por.prove_progress WHERE snapshot_id = 1), false)" 120
ok $? "progress reaches 2 batches"
seen=$("${DB[@]}" -c "SELECT state || ' ' || phase || ' ' || running || ' ' || (batches_total = $BATCHES) || ' ' || (batches_done < batches_total) || ' ' || (seconds_left > 0) FROM por.prove_status WHERE snapshot_id = 1")
is "$seen" "running batches true true true true" "another session sees the phase, a live worker, done < total and an estimate"
"${DB[@]}" -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'por-resume-test'" >/dev/null
wait "$job"
ok $([ "$(cat "$work/run1.rc")" != 0 ]; echo $?) "the canceled por_prove reports an error"
ok $(grep -q "canceling statement" "$work/run1"; echo $?) "... the cancel"
wait_for "SELECT NOT running FROM por.prove_status WHERE snapshot_id = 1" 120
ok $? "the worker stops after the cancel"
wait_for "SELECT state = 'cancelled' FROM por.prove_status WHERE snapshot_id = 1" 30
ok $? "prove_status says cancelled"
is "$("${DB[@]}" -c "SELECT running || ' ' || (seconds_left IS NULL) || ' ' || error_sqlstate FROM por.prove_status WHERE snapshot_id = 1")" \
    "false true 57014" "... not running, no estimate, SQLSTATE 57014"
is "$("${DB[@]}" -c "SELECT outcome || ' ' || error_sqlstate || ' ' || ((detail ->> 'batches_done')::int >= 2) FROM por.run_log WHERE snapshot_id = 1 AND action = 'prove'")" \
    "cancelled 57014 true" "run_log records the cancelled run and how far it got"
kept=$("${DB[@]}" -c "SELECT count(*) FROM por.batch_proofs WHERE snapshot_id = 1")
ok $([ "$kept" -ge 2 ] && [ "$kept" -lt $BATCHES ]; echo $?) "finished batches are kept ($kept of $BATCHES)"
is "$("${DB[@]}" -c "SELECT status || ' ' || (root IS NULL) FROM por.snapshots WHERE snapshot_id = 1")" "frozen true" "not proven yet"
snapshot_rows 1 >"$work/before1"
root=$("${DB[@]}" -c "SELECT encode(por_prove(1), 'hex')")
ok $([ ${#root} -eq 64 ]; echo $?) "por_prove again finishes"
is "$("${DB[@]}" -c "SELECT count(*) FROM por.batch_proofs WHERE snapshot_id = 1")" "$BATCHES" "all batches proven"
snapshot_rows 1 >"$work/after1"
ok $([ "$(grep -cxF -f "$work/before1" "$work/after1")" -eq "$kept" ]; echo $?) "the kept batches were not proven again"
is "$("${DB[@]}" -c "SELECT bool_and(por_verify_batch(proof)) FROM por.batch_proofs WHERE snapshot_id = 1")" "t" "every batch proof verifies"
is "$("${DB[@]}" -c "SELECT phase || ' ' || batches_done || '/' || batches_total FROM por.prove_progress WHERE snapshot_id = 1")" "done $BATCHES/$BATCHES" "progress says done"
is "$("${DB[@]}" -c "SELECT encode(root, 'hex') FROM por.snapshots WHERE snapshot_id = 1")" "$root" "the root is published"

# --- crash ------------------------------------------------------------------
( "${DB[@]}" -c "SELECT por_prove(2)" >"$work/run2" 2>&1; echo $? >"$work/run2.rc" ) &
job=$!
wait_for "SELECT coalesce((SELECT batches_done >= 1 FROM por.prove_progress WHERE snapshot_id = 2), false)" 120
ok $? "second snapshot: progress reaches 1 batch"
pid=$("${DB[@]}" -c "SELECT worker_pid FROM por.prove_progress WHERE snapshot_id = 2")
kill -9 "$pid"
wait "$job"
ok $([ "$(cat "$work/run2.rc")" != 0 ]; echo $?) "killing the worker (a crash: the server restarts) fails the caller"
i=0
until "${DB[@]}" -c "SELECT 1" >/dev/null 2>&1 || [ $i -ge 600 ]; do sleep 0.1; i=$((i + 1)); done
is "$("${DB[@]}" -c "SELECT state || ' ' || phase || ' ' || running || ' ' || (seconds_left IS NULL) FROM por.prove_status WHERE snapshot_id = 2")" \
    "crashed batches false true" "after the crash prove_status says crashed (the phase it died in), no estimate"
kept=$("${DB[@]}" -c "SELECT count(*) FROM por.batch_proofs WHERE snapshot_id = 2")
ok $([ "$kept" -ge 1 ] && [ "$kept" -lt $BATCHES ]; echo $?) "after crash recovery the committed batches are there ($kept of $BATCHES)"
snapshot_rows 2 >"$work/before2"
root2=$("${DB[@]}" -c "SELECT encode(por_prove(2), 'hex')")
ok $([ ${#root2} -eq 64 ]; echo $?) "por_prove after the crash finishes"
snapshot_rows 2 >"$work/after2"
ok $([ "$(grep -cxF -f "$work/before2" "$work/after2")" -eq "$kept" ]; echo $?) "the batches from before the crash were kept, not redone"
is "$("${DB[@]}" -c "SELECT count(*) || ' ' || bool_and(por_verify_batch(proof)) FROM por.batch_proofs WHERE snapshot_id = 2")" "$BATCHES true" "all batches proven and verifying"
is "$("${DB[@]}" -c "SELECT string_agg(outcome, ',' ORDER BY run_id) FROM por.run_log WHERE action = 'prove' AND snapshot_id = 2")" \
    "crashed,success" "run_log: the crashed run (recorded by the next one), then the success"
is "$("${DB[@]}" -c "SELECT (detail ->> 'batches_done')::int >= 1 AND finished_at > started_at FROM por.run_log WHERE action = 'prove' AND snapshot_id = 2 AND outcome = 'crashed'")" \
    "t" "... with how far it got and its last sign of life"
is "$("${DB[@]}" -c "SELECT string_agg(outcome, ',' ORDER BY run_id) FROM por.run_log WHERE action = 'prove' AND snapshot_id = 1")" \
    "cancelled,success" "run_log of the canceled snapshot: cancelled, then success"
is "$("${DB[@]}" -c "SELECT state || ' ' || (seconds_left IS NULL) FROM por.prove_status WHERE snapshot_id = 2")" "proven true" "prove_status says proven, no estimate"

# --- the worker terminated (pg_terminate_backend) -----------------------------
( "${DB[@]}" -v VERBOSITY=verbose -c "SELECT por_prove(3)" >"$work/run3" 2>&1; echo $? >"$work/run3.rc" ) &
job=$!
wait_for "SELECT coalesce((SELECT batches_done >= 1 FROM por.prove_progress WHERE snapshot_id = 3), false)" 120
ok $? "third snapshot: progress reaches 1 batch"
"${DB[@]}" -c "SELECT pg_terminate_backend(worker_pid) FROM por.prove_progress WHERE snapshot_id = 3" >/dev/null
wait "$job"
ok $([ "$(cat "$work/run3.rc")" != 0 ]; echo $?) "terminating the worker fails the caller"
ok $(grep -q "57014: por_prove(3) was canceled" "$work/run3"; echo $?) "... with 57014, the run was canceled"
is "$("${DB[@]}" -c "SELECT state || ' ' || running || ' ' || (seconds_left IS NULL) FROM por.prove_status WHERE snapshot_id = 3")" \
    "cancelled false true" "prove_status says cancelled"
is "$("${DB[@]}" -c "SELECT string_agg(outcome || ' ' || error_sqlstate, ',') FROM por.run_log WHERE action = 'prove' AND snapshot_id = 3")" \
    "cancelled 57014" "run_log records it"

# --- the worker canceled (pg_cancel_backend) -----------------------------------
( "${DB[@]}" -v VERBOSITY=verbose -c "SELECT por_prove(5)" >"$work/run5" 2>&1; echo $? >"$work/run5.rc" ) &
job=$!
wait_for "SELECT coalesce((SELECT batches_done >= 1 FROM por.prove_progress WHERE snapshot_id = 5), false)" 120
ok $? "fifth snapshot: progress reaches 1 batch"
"${DB[@]}" -c "SELECT pg_cancel_backend(worker_pid) FROM por.prove_progress WHERE snapshot_id = 5" >/dev/null
wait "$job"
ok $(grep -q "57014: por_prove(5) was canceled: canceling statement due to user request" "$work/run5"; echo $?) \
    "canceling the worker fails the caller with 57014"
is "$("${DB[@]}" -c "SELECT state || ' ' || (seconds_left IS NULL) FROM por.prove_status WHERE snapshot_id = 5")" "cancelled true" \
    "prove_status says cancelled, no estimate"
is "$("${DB[@]}" -c "SELECT string_agg(outcome || ' ' || error_sqlstate, ',') FROM por.run_log WHERE action = 'prove' AND snapshot_id = 5")" \
    "cancelled 57014" "run_log records it"

# --- statement_timeout of the caller -------------------------------------------
"${DB[@]}" -v VERBOSITY=verbose -c "SET statement_timeout = '1500ms'" -c "SELECT por_prove(4)" >"$work/run4" 2>&1
ok $([ $? -ne 0 ] && grep -q "canceling statement due to statement timeout" "$work/run4"; echo $?) "statement_timeout cancels por_prove"
wait_for "SELECT state = 'cancelled' FROM por.prove_status WHERE snapshot_id = 4" 30
ok $? "prove_status says cancelled"
is "$("${DB[@]}" -c "SELECT string_agg(outcome || ' ' || error_sqlstate, ',') FROM por.run_log WHERE action = 'prove' AND snapshot_id = 4")" \
    "cancelled 57014" "run_log records it"
root4=$("${DB[@]}" -c "SELECT encode(por_prove(4), 'hex')")
ok $([ ${#root4} -eq 64 ]; echo $?) "por_prove resumes and finishes"
is "$("${DB[@]}" -c "SELECT string_agg(outcome, ',' ORDER BY run_id) FROM por.run_log WHERE action = 'prove' AND snapshot_id = 4")" \
    "cancelled,success" "run_log: cancelled, then success"

done_testing
