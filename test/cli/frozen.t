#!/usr/bin/env bash
# TAP: frozen means frozen (run inside the throwaway cluster by `make sql-check`).
# A superuser alters por's tables between por_snapshot_create and the end of
# por_prove by every route the issue names; por_prove refuses each with XX001
# naming what changed, publishes no root, and records the failure.  The
# untampered snapshot still proves to the root frozen at creation.
set -u
. "$(dirname "$0")/tap.sh"
test_db por_frozen_test
DB=(psql -X -q -At -v ON_ERROR_STOP=1 -d por_frozen_test)
# 10 accounts x 2 assets in batches of 4: 12 leaves, 3 batches, 2 padding leaves
"${DB[@]}" >/dev/null <<'SQL'
CREATE EXTENSION por;
SET por.batch_log2 = 2;
SELECT por_snapshot_create($$SELECT 'acct-' || g, s, 100 * g, 0 FROM generate_series(1, 10) g, unnest(ARRAY['BTC', 'ETH']) s$$,
                           '{"BTC": {"decimals": 0, "price": "65000"}, "ETH": {"decimals": 0, "price": "3000"}}')
  FROM generate_series(1, 8);
-- 9: 128 accounts, 32 batches, long enough to change rows while a run goes on;
-- 10: 32 accounts, 8 batches (it is proven to the end, aggregation included)
SELECT por_snapshot_create($$SELECT 'acct-' || g, s, 100 * g, 0 FROM generate_series(1, $$ || n || $$) g, unnest(ARRAY['BTC', 'ETH']) s$$,
                           '{"BTC": {"decimals": 0, "price": "65000"}, "ETH": {"decimals": 0, "price": "3000"}}')
  FROM unnest(ARRAY[128, 32]) n;
-- 11, 12: 12 accounts, 3 batches, no padding
SELECT por_snapshot_create($$SELECT 'acct-' || g, s, 100 * g, 0 FROM generate_series(1, 12) g, unnest(ARRAY['BTC', 'ETH']) s$$,
                           '{"BTC": {"decimals": 0, "price": "65000"}, "ETH": {"decimals": 0, "price": "3000"}}')
  FROM generate_series(1, 2);
-- 13: like 9 and 10
SELECT por_snapshot_create($$SELECT 'acct-' || g, s, 100 * g, 0 FROM generate_series(1, 128) g, unnest(ARRAY['BTC', 'ETH']) s$$,
                           '{"BTC": {"decimals": 0, "price": "65000"}, "ETH": {"decimals": 0, "price": "3000"}}');
SQL

# prove: runs por_prove($1), the client's output (with SQLSTATE) in $work/out, returns its exit status
prove() { "${DB[@]}" -v VERBOSITY=verbose -c "SELECT encode(por_prove($1), 'hex')" >"$work/out" 2>&1; }
frozen_root() { "${DB[@]}" -c "SELECT encode(root, 'hex') FROM por.snapshot_commitments WHERE snapshot_id = $1"; }
batch_of() { "${DB[@]}" -c "SELECT leaf_index / 4 FROM por.leaves WHERE snapshot_id = $1 AND account_id = '$2'"; }
# the state after a refused run: no root, prove_status and run_log say failed with XX001
refused() { # snapshot id, description
    is "$("${DB[@]}" -c "SELECT status || ' ' || (root IS NULL) FROM por.snapshots WHERE snapshot_id = $1")" "frozen true" "$2: no root published"
    is "$("${DB[@]}" -c "SELECT state || ' ' || error_sqlstate || ' ' || (seconds_left IS NULL) FROM por.prove_status WHERE snapshot_id = $1")" \
        "failed XX001 true" "$2: prove_status says failed, XX001, no estimate"
    is "$("${DB[@]}" -c "SELECT outcome || ' ' || error_sqlstate FROM por.run_log WHERE snapshot_id = $1 AND action = 'prove' ORDER BY run_id DESC LIMIT 1")" \
        "failed XX001" "$2: run_log records the failure"
}
# prove fully, then take back the last batches: the state of a run canceled after its first batch
partly_proven() {
    prove "$1" || { echo "# proving $1 failed"; cat "$work/out"; }
    "${DB[@]}" >/dev/null <<SQL
UPDATE por.snapshots SET status = 'frozen', root = NULL, proven_at = NULL WHERE snapshot_id = $1;
DELETE FROM por.batch_proofs WHERE snapshot_id = $1 AND batch_no > 0;
DELETE FROM por.aggregation_proofs WHERE snapshot_id = $1;
UPDATE por.prove_progress SET phase = 'cancelled', batches_done = 1 WHERE snapshot_id = $1;
SQL
}
other_digest="'\\x$("${DB[@]}" -c "SELECT encode(por_poseidon_hash('{7}'), 'hex')")'::bytea"

# --- 1: value moved between two accounts, totals unchanged ------------------
totals_before=$("${DB[@]}" -c "SELECT string_agg(asset || equity, ',') FROM por_snapshot_totals(1)")
"${DB[@]}" -c "UPDATE por.leaves SET equity[1] = equity[1] - 100 WHERE snapshot_id = 1 AND account_id = 'acct-3';
               UPDATE por.leaves SET equity[1] = equity[1] + 100 WHERE snapshot_id = 1 AND account_id = 'acct-9'"
is "$("${DB[@]}" -c "SELECT string_agg(asset || equity, ',') FROM por_snapshot_totals(1)")" "$totals_before" "shift: per-asset totals unchanged"
prove 1
ok $([ $? -ne 0 ]; echo $?) "shift: por_prove refuses"
first=$(( $(batch_of 1 acct-3) < $(batch_of 1 acct-9) ? $(batch_of 1 acct-3) : $(batch_of 1 acct-9) ))
like "$work/out" "XX001: por_prove\([0-9]\) failed: snapshot 1 changed after it was frozen" "shift: XX001, changed after it was frozen"
like "$work/out" "The leaves of batch $first \(leaf_index [0-9]+ to [0-9]+\)" "shift: names the first changed batch ($first)"
refused 1 "shift"

# --- 2: a padding leaf changed ------------------------------------------------
"${DB[@]}" -c "UPDATE por.leaves SET id_commitment = $other_digest
                WHERE snapshot_id = 2 AND leaf_index = (SELECT max(leaf_index) FROM por.leaves WHERE snapshot_id = 2 AND account_id IS NULL)"
pad_batch=$("${DB[@]}" -c "SELECT max(leaf_index) / 4 FROM por.leaves WHERE snapshot_id = 2 AND account_id IS NULL")
prove 2
ok $([ $? -ne 0 ]; echo $?) "padding: por_prove refuses a changed padding leaf"
like "$work/out" "XX001: por_prove\([0-9]\) failed: snapshot 2 changed after it was frozen" "padding: XX001"
like "$work/out" "The leaves of batch $pad_batch " "padding: names the padding leaf's batch ($pad_batch)"
refused 2 "padding"

# --- 3: a stored tree level replaced (resumed run) -----------------------------
root3=$(frozen_root 3)
partly_proven 3
"${DB[@]}" -c "CREATE TABLE saved_levels AS SELECT * FROM por.tree_levels WHERE snapshot_id = 3"
"${DB[@]}" -c "UPDATE por.tree_levels SET hashes = overlay(hashes PLACING $other_digest FROM 33) WHERE snapshot_id = 3 AND level = 1"
prove 3
ok $([ $? -ne 0 ]; echo $?) "level: a replaced node of level 1 is refused"
like "$work/out" "XX001: por_prove\([0-9]\) failed: stored tree level 1 of snapshot 3 differs from its recomputation" "level: XX001 names the level"
like "$work/out" "First differing node: 1 of" "level: ... and the node"
refused 3 "level"
# the top level (the root) replaced: a resumed run used to publish it
"${DB[@]}" -c "UPDATE por.tree_levels t SET hashes = s.hashes FROM saved_levels s WHERE t.snapshot_id = 3 AND s.level = t.level;
               UPDATE por.tree_levels SET hashes = $other_digest WHERE snapshot_id = 3 AND level = 4"
prove 3
ok $([ $? -ne 0 ]; echo $?) "level: a replaced top level is refused"
like "$work/out" "XX001: por_prove\([0-9]\) failed: stored tree level 4 of snapshot 3 differs" "level: ... naming level 4"
"${DB[@]}" -c "DELETE FROM por.tree_levels WHERE snapshot_id = 3 AND level = 2"
"${DB[@]}" -c "UPDATE por.tree_levels t SET hashes = s.hashes FROM saved_levels s WHERE t.snapshot_id = 3 AND s.level = t.level"
prove 3
ok $([ $? -ne 0 ]; echo $?) "level: a missing level is refused"
like "$work/out" "XX001: por_prove\([0-9]\) failed: snapshot 3 has a wrong set of tree levels" "level: ... as a wrong set of levels"
"${DB[@]}" -c "INSERT INTO por.tree_levels SELECT * FROM saved_levels WHERE level = 2"
prove 3
ok $? "level: with the levels restored the run resumes and finishes"
is "$(tail -1 "$work/out")" "$root3" "level: ... publishing the root frozen at creation"

# a level of the wrong length, an extra level (snapshot 3 back to the state of a canceled run)
"${DB[@]}" -c "UPDATE por.snapshots SET status = 'frozen', root = NULL, proven_at = NULL WHERE snapshot_id = 3;
               UPDATE por.tree_levels SET hashes = substring(hashes FROM 1 FOR 64) WHERE snapshot_id = 3 AND level = 1"
prove 3
ok $([ $? -ne 0 ]; echo $?) "level: a shortened level is refused"
like "$work/out" "stored tree level 1 of snapshot 3 differs from its recomputation .It holds 64 bytes, expected 6 nodes" "level: ... naming its length"
"${DB[@]}" -c "UPDATE por.tree_levels t SET hashes = s.hashes FROM saved_levels s WHERE t.snapshot_id = 3 AND s.level = t.level;
               INSERT INTO por.tree_levels VALUES (3, 5, $other_digest)"
prove 3
ok $([ $? -ne 0 ]; echo $?) "level: an extra level above the root is refused"
like "$work/out" "snapshot 3 has a wrong set of tree levels .Level 5 found where level 5 was expected \\(levels 0 to 4\\)" "level: ... as a wrong set of levels"
"${DB[@]}" -c "DELETE FROM por.tree_levels WHERE snapshot_id = 3 AND level = 5"
# --- 4: resumed run, leaves changed after some batches were proven -------------
root4=$(frozen_root 4)
partly_proven 4
in0=$("${DB[@]}" -c "SELECT string_agg(account_id, ' ' ORDER BY leaf_index) FROM por.leaves WHERE snapshot_id = 4 AND leaf_index < 4 AND account_id IS NOT NULL")
set -- $in0
if [ $# -ge 2 ]; then
    "${DB[@]}" -c "UPDATE por.leaves SET equity[2] = equity[2] - 50 WHERE snapshot_id = 4 AND account_id = '$1';
                   UPDATE por.leaves SET equity[2] = equity[2] + 50 WHERE snapshot_id = 4 AND account_id = '$2'"
    prove 4
    ok $([ $? -ne 0 ]; echo $?) "resume: a shift inside the already proven batch 0 is refused"
    like "$work/out" "The leaves of batch 0 .*checked before proving" "resume: named before any batch is proven"
    refused 4 "resume"
    is "$("${DB[@]}" -c "SELECT count(*) FROM por.batch_proofs WHERE snapshot_id = 4")" "1" "resume: no batch proven from changed leaves"
    "${DB[@]}" -c "UPDATE por.leaves SET equity[2] = equity[2] + 50 WHERE snapshot_id = 4 AND account_id = '$1';
                   UPDATE por.leaves SET equity[2] = equity[2] - 50 WHERE snapshot_id = 4 AND account_id = '$2'"
else
    ok 1 "resume: batch 0 of snapshot 4 should hold two accounts ($in0)"
fi
prove 4
ok $? "resume: undone, the run resumes and finishes"
is "$(tail -1 "$work/out")" "$root4" "resume: ... publishing the root frozen at creation"

# --- 5: leaves and commitment changed together (recomputed with por_tree_agg) ---
"${DB[@]}" >/dev/null <<'SQL'
UPDATE por.leaves SET equity[1] = equity[1] - 100 WHERE snapshot_id = 5 AND account_id = 'acct-2';
UPDATE por.leaves SET equity[1] = equity[1] + 100 WHERE snapshot_id = 5 AND account_id = 'acct-8';
UPDATE por.snapshot_commitments
   SET root = (SELECT (por_tree_agg(id_commitment, equity, debt)).root FROM por.leaves WHERE snapshot_id = 5),
       batch_roots = (SELECT string_agg(r, ''::bytea ORDER BY b)
                        FROM (SELECT leaf_index / 4 AS b, (por_tree_agg(id_commitment, equity, debt)).root AS r
                                FROM por.leaves WHERE snapshot_id = 5 GROUP BY 1) x)
 WHERE snapshot_id = 5;
SQL
is "$("${DB[@]}" -c "SELECT root = (SELECT (por_tree_agg(id_commitment, equity, debt)).root FROM por.leaves WHERE snapshot_id = 5) FROM por.snapshot_commitments WHERE snapshot_id = 5")" \
    "t" "forged: the commitment is the tree of the changed leaves"
prove 5
ok $([ $? -ne 0 ]; echo $?) "forged: por_prove refuses a recomputed commitment"
like "$work/out" "XX001: por_prove\([0-9]\) failed: snapshot 5 changed after it was frozen" "forged: XX001"
like "$work/out" "does not carry a valid MAC under the master key" "forged: the MAC under the master key is what catches it"
refused 5 "forged"

# --- 6: a stored batch proof row altered before the run finishes ---------------
root6=$(frozen_root 6)
partly_proven 6
"${DB[@]}" -c "UPDATE por.batch_proofs SET batch_root = $other_digest WHERE snapshot_id = 6 AND batch_no = 0"
prove 6
ok $([ $? -ne 0 ]; echo $?) "proof row: a changed batch_root column is refused"
like "$work/out" "XX001: por_prove\([0-9]\) failed: stored proof of batch 0 of snapshot 6 does not match the snapshot" "proof row: XX001 names the batch"
like "$work/out" "the batch_root column differs" "proof row: ... and why"
# another snapshot's proof of batch 0 (proven, valid, same shape) in its place
prove 7 >/dev/null
"${DB[@]}" -c "UPDATE por.batch_proofs b SET proof = o.proof, batch_root = o.batch_root FROM por.batch_proofs o
                WHERE b.snapshot_id = 6 AND b.batch_no = 0 AND o.snapshot_id = 7 AND o.batch_no = 0"
prove 6
ok $([ $? -ne 0 ]; echo $?) "proof row: a valid proof of another snapshot is refused"
like "$work/out" "the proof names another snapshot" "proof row: ... as another snapshot's"
refused 6 "proof row"
"${DB[@]}" -c "DELETE FROM por.batch_proofs WHERE snapshot_id = 6 AND batch_no = 0"
prove 6
ok $? "proof row: with the row removed the run proves the batch again and finishes"
is "$(tail -1 "$work/out")" "$root6" "proof row: ... publishing the root frozen at creation"

# --- 7: rows changed while a run goes on ------------------------------------------
# accounts 2 and 3 of a batch (leaf_index 4b .. 4b+3, no padding in 128 or 32 accounts)
pair() { "${DB[@]}" -c "SELECT string_agg(account_id, ' ' ORDER BY leaf_index) FROM (SELECT account_id, leaf_index FROM por.leaves
                          WHERE snapshot_id = $1 AND leaf_index / 4 = $2 ORDER BY leaf_index LIMIT 2) x"; }
shift_in() { # snapshot, batch
    set -- "$1" "$2" $(pair "$1" "$2")
    "${DB[@]}" -c "UPDATE por.leaves SET equity[1] = equity[1] - 1 WHERE snapshot_id = $1 AND account_id = '$3';
                   UPDATE por.leaves SET equity[1] = equity[1] + 1 WHERE snapshot_id = $1 AND account_id = '$4'"
}
( prove 9; echo $? >"$work/run9.rc"; cp "$work/out" "$work/run9" ) &
job=$!
wait_for "SELECT coalesce((SELECT batches_done >= 1 FROM por.prove_progress WHERE snapshot_id = 9), false)" 120
shift_in 9 31
wait "$job"
ok $([ "$(cat "$work/run9.rc")" != 0 ]; echo $?) "during a run: leaves of a batch not yet proven changed, the run refuses"
like "$work/run9" "The leaves of batch 31 .*checked before proving the batch" "during a run: ... at that batch, before proving it"
refused 9 "during a run"
is "$("${DB[@]}" -c "SELECT count(*) FROM por.batch_proofs WHERE snapshot_id = 9 AND batch_no = 31")" "0" "during a run: no proof of the changed batch"

( prove 10; echo $? >"$work/run10.rc"; cp "$work/out" "$work/run10" ) &
job=$!
wait_for "SELECT coalesce((SELECT batches_done >= 2 FROM por.prove_progress WHERE snapshot_id = 10), false)" 120
shift_in 10 0
wait "$job"
ok $([ "$(cat "$work/run10.rc")" != 0 ]; echo $?) "after its proof: leaves of a proven batch changed during the run, the run refuses"
like "$work/run10" "The leaves of batch 0 .*checked before publishing" "after its proof: ... in the final check before publishing"
refused 10 "after its proof"
is "$("${DB[@]}" -c "SELECT count(*) FROM por.batch_proofs WHERE snapshot_id = 10")" "8" "after its proof: every batch was proven, none published"

# --- 8: a batch proof of the same snapshot id made in another database ------------
# (same master key: the same cluster; other balances for 11, other time for 12)
test_db por_frozen_other
OTHER=(psql -X -q -At -v ON_ERROR_STOP=1 -d por_frozen_other)
"${OTHER[@]}" >/dev/null <<'SQL'
CREATE EXTENSION por;
SET por.batch_log2 = 2;
SELECT setval(pg_get_serial_sequence('por.snapshots', 'snapshot_id'), 10);
SELECT por_snapshot_create($$SELECT 'acct-' || g, s, 100 * g + 1, 0 FROM generate_series(1, 12) g, unnest(ARRAY['BTC', 'ETH']) s$$,
                           '{"BTC": {"decimals": 0, "price": "65000"}, "ETH": {"decimals": 0, "price": "3000"}}');
SELECT por_snapshot_create($$SELECT 'acct-' || g, s, 100 * g, 0 FROM generate_series(1, 12) g, unnest(ARRAY['BTC', 'ETH']) s$$,
                           '{"BTC": {"decimals": 0, "price": "65000"}, "ETH": {"decimals": 0, "price": "3000"}}');
SELECT por_prove(11), por_prove(12);
SQL
for id in 11 12; do
    prove $id >/dev/null
    "${DB[@]}" -c "UPDATE por.snapshots SET status = 'frozen', root = NULL, proven_at = NULL WHERE snapshot_id = $id"
    "${OTHER[@]}" -c "SELECT encode(proof, 'hex') FROM por.batch_proofs WHERE snapshot_id = $id AND batch_no = 1" >"$work/proof$id.hex"
    # (printf is a builtin: a 300 KB argument would be too long for exec)
    printf "UPDATE por.batch_proofs SET proof = decode('%s', 'hex') WHERE snapshot_id = %s AND batch_no = 1;\n" \
        "$(cat "$work/proof$id.hex")" "$id" >"$work/swap$id.sql"
    "${DB[@]}" -f "$work/swap$id.sql" >/dev/null
done
is "$("${DB[@]}" -c "SELECT bool_and(por_verify_batch(proof)) FROM por.batch_proofs WHERE snapshot_id IN (11, 12)")" "t" \
    "other database: the swapped-in proofs are valid proofs"
is "$("${OTHER[@]}" -c "SELECT encode(batch_root, 'hex') FROM por.batch_proofs WHERE snapshot_id = 12 AND batch_no = 1")" \
    "$("${DB[@]}" -c "SELECT encode(batch_root, 'hex') FROM por.batch_proofs WHERE snapshot_id = 12 AND batch_no = 1")" \
    "other database: snapshot 12's copy has the same leaves (same key, ids, balances; no padding)"
prove 11
ok $([ $? -ne 0 ]; echo $?) "other database: a proof of other balances under the same snapshot id is refused"
like "$work/out" "stored proof of batch 1 of snapshot 11 does not match the snapshot .the proof's batch root is not the frozen batch root" \
    "other database: ... as not proving the frozen batch root"
prove 12
ok $([ $? -ne 0 ]; echo $?) "other database: a proof of the same leaves under other parameters is refused"
like "$work/out" "stored proof of batch 1 of snapshot 12 does not match the snapshot .the proof carries another params digest" \
    "other database: ... as carrying another params digest"
refused 12 "other database"

# --- 9: the columns beside a proof --------------------------------------------------
"${DB[@]}" -c "UPDATE por.batch_proofs SET equity_totals[1] = equity_totals[1] + 1 WHERE snapshot_id = 6 AND batch_no = 2;
               UPDATE por.snapshots SET status = 'frozen', root = NULL, proven_at = NULL WHERE snapshot_id = 6"
prove 6
ok $([ $? -ne 0 ]; echo $?) "columns: a changed equity_totals column is refused"
like "$work/out" "the batch proof rows of snapshot 6 do not match its proofs" "columns: ... naming the rows"
"${DB[@]}" -c "UPDATE por.batch_proofs SET equity_totals[1] = equity_totals[1] - 1 WHERE snapshot_id = 6 AND batch_no = 2;
               UPDATE por.batch_proofs SET params_digest = $other_digest WHERE snapshot_id = 6 AND batch_no = 1"
prove 6
ok $([ $? -ne 0 ]; echo $?) "columns: a changed params_digest column is refused"
like "$work/out" "the batch proof rows of snapshot 6 do not match its proofs" "columns: ... naming the rows"
"${DB[@]}" -c "UPDATE por.batch_proofs SET params_digest = (SELECT params_digest FROM por.snapshots WHERE snapshot_id = 6)
                WHERE snapshot_id = 6 AND batch_no = 1;
               CREATE TABLE saved_proof AS SELECT * FROM por.batch_proofs WHERE snapshot_id = 6 AND batch_no = 2;
               UPDATE por.batch_proofs SET proof = '\\x504f5246' WHERE snapshot_id = 6 AND batch_no = 2"
prove 6
ok $([ $? -ne 0 ]; echo $?) "proof bytes: a malformed stored proof is refused"
like "$work/out" "stored proof of batch 2 of snapshot 6 does not match the snapshot" "proof bytes: ... naming the batch"
"${DB[@]}" -c "UPDATE por.batch_proofs b SET proof = s.proof FROM saved_proof s WHERE b.snapshot_id = 6 AND b.batch_no = 2;
               INSERT INTO por.batch_proofs SELECT snapshot_id, 3, batch_root, params_digest, equity_totals, debt_totals, proof, prove_ms, proven_at
                 FROM saved_proof"
prove 6
ok $([ $? -ne 0 ]; echo $?) "proof rows: a row past the last batch is refused"
like "$work/out" "stored proof of batch 3 of snapshot 6 does not match the snapshot .a batch number past the snapshot's last batch" \
    "proof rows: ... naming it"
"${DB[@]}" -c "DELETE FROM por.batch_proofs WHERE snapshot_id = 6 AND batch_no = 3"
prove 6
ok $? "proof rows: with every row restored the run finishes"
is "$(tail -1 "$work/out")" "$root6" "proof rows: ... publishing the root frozen at creation"
# a proof deleted during a run, after the run counted it as done
( prove 13; echo $? >"$work/run13.rc"; cp "$work/out" "$work/run13" ) &
job=$!
wait_for "SELECT coalesce((SELECT batches_done >= 2 FROM por.prove_progress WHERE snapshot_id = 13), false)" 120
"${DB[@]}" -c "DELETE FROM por.batch_proofs WHERE snapshot_id = 13 AND batch_no = 0"
wait "$job"
ok $([ "$(cat "$work/run13.rc")" != 0 ]; echo $?) "proof rows: a proof deleted during the run is refused"
like "$work/run13" "snapshot 13 does not have its 32 batch proofs .Batch 0 has none" "proof rows: ... naming the batch without one"
refused 13 "proof deleted"

# --- 7: untampered snapshots ----------------------------------------------------
prove 8
ok $? "untouched: por_prove succeeds"
is "$(tail -1 "$work/out")" "$(frozen_root 8)" "untouched: the published root is the root frozen at creation"
is "$("${DB[@]}" -c "SELECT (por_tree_agg(id_commitment, equity, debt)).root = por_root(8) FROM por.leaves WHERE snapshot_id = 8")" "t" \
    "untouched: ... and the tree of the leaves"
is "$("${DB[@]}" -c "SELECT count(*) FROM por.snapshot_commitments c JOIN por.snapshots s USING (snapshot_id)
                      WHERE octet_length(c.batch_roots) = 32 * (s.leaf_count >> s.batch_log2)")" "13" \
    "every snapshot has a commitment with one root per batch"

done_testing
