#!/usr/bin/env bash
# TAP: concurrent por_prove calls on one snapshot from separate connections
# (run inside the throwaway cluster by `make sql-check`), started together and
# staggered by 1, 2 and 3 seconds: one run proves, the others wait for it and
# return the stored root; no failed phase, no duplicate batch (23505), one
# successful run in the run log, each batch proven once.
set -u
. "$(dirname "$0")/tap.sh"
test_db por_concurrent_test
DB=(psql -X -q -At -v ON_ERROR_STOP=1 -d por_concurrent_test)
BATCHES=$LEDGER_BATCHES
ledger_snapshots 4

# race: snapshot id, delay of the second call in seconds
race() {
    local id=$1 delay=$2
    ( "${DB[@]}" -v VERBOSITY=verbose -c "SELECT encode(por_prove($id), 'hex')" >"$work/a$id" 2>&1; echo $? >"$work/a$id.rc" ) &
    local j1=$!
    sleep "$delay"
    local running
    running=$("${DB[@]}" -c "SELECT coalesce((SELECT state FROM por.prove_status WHERE snapshot_id = $id), 'starting')")
    ( "${DB[@]}" -v VERBOSITY=verbose -c "SELECT encode(por_prove($id), 'hex')" >"$work/b$id" 2>&1; echo $? >"$work/b$id.rc" ) &
    local j2=$!
    wait "$j1" "$j2"
    local what="snapshot $id, second call after ${delay} s"
    [ "$delay" = 0 ] || is "$running" "running" "$what: the first run is still running when the second call starts"
    is "$(cat "$work/a$id.rc") $(cat "$work/b$id.rc")" "0 0" "$what: both calls succeed"
    ok $([ "$(wc -c <"$work/a$id")" -eq 65 ] && cmp -s "$work/a$id" "$work/b$id"; echo $?) "$what: ... with the same root"
    ok $(! grep -q "23505" "$work/a$id" "$work/b$id"; echo $?) "$what: no duplicate key error"
    is "$("${DB[@]}" -c "SELECT count(*) || ' ' || count(DISTINCT batch_no) FROM por.batch_proofs WHERE snapshot_id = $id")" \
        "$BATCHES $BATCHES" "$what: each batch proven once"
    is "$("${DB[@]}" -c "SELECT state || ' ' || phase || ' ' || batches_done || ' ' || coalesce(error_sqlstate, '-') FROM por.prove_status WHERE snapshot_id = $id")" \
        "proven done $BATCHES -" "$what: prove_status says proven, no error"
    is "$("${DB[@]}" -c "SELECT string_agg(outcome, ',') FROM por.run_log WHERE snapshot_id = $id AND action = 'prove'")" \
        "success" "$what: one run in the run log, a success"
}
race 1 0
race 2 1
race 3 2
race 4 3

done_testing
