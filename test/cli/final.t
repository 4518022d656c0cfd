#!/usr/bin/env bash
# TAP: the final proof from por_prove to the customer (run inside the
# throwaway cluster by `make sql-check`).  A run canceled in the aggregation
# phase keeps its finished aggregation proofs and the next por_prove resumes
# from them; the final proof exported from SQL verifies with por-verify final
# and a customer's inclusion proof checks against it in one command
# (por-verify inclusion --final), another snapshot's final proof refuses it;
# the exported bundle holds the final proof (the batch proofs optional);
# concurrent por_prove calls prove each aggregation node once.
set -u
. "$(dirname "$0")/tap.sh"
VERIFY="${POR_VERIFY:-build/por-verify}"
test_db por_final_test
DB=(psql -X -q -At -v ON_ERROR_STOP=1 -d por_final_test)
# fan-in 2 for every session (por_prove's caller passes its setting to the worker)
"${DB[@]}" -c "ALTER DATABASE por_final_test SET por.fan_in_log2 = 1" >/dev/null
# 1: 22 accounts x 2 assets in batches of 4: 24 leaves, 6 batches, 3 levels (3 + 2 + 1 nodes); 2: 3 batches, 2 levels
"${DB[@]}" >/dev/null <<'SQL'
CREATE EXTENSION por;
SET por.batch_log2 = 2;
SELECT por_snapshot_create($$SELECT 'acct-' || g, s, 100 * g + length(s), 0 FROM generate_series(1, 22) g, unnest(ARRAY['BTC', 'ETH']) s$$,
                           '{"BTC": {"decimals": 8, "price": "65000"}, "ETH": {"decimals": 0, "price": "3000"}}');
SELECT por_snapshot_create($$SELECT 'acct-' || g, s, 100 * g, 0 FROM generate_series(1, 12) g, unnest(ARRAY['BTC', 'ETH']) s$$,
                           '{"BTC": {"decimals": 8, "price": "65000"}, "ETH": {"decimals": 0, "price": "3000"}}');
SQL
agg_rows() { "${DB[@]}" -c "SELECT level || ' ' || node_index || ' ' || proven_at || ' ' || md5(proof) FROM por.aggregation_proofs WHERE snapshot_id = $1 ORDER BY 1"; }
# writes the bytea the query returns into a file
bytes() { "${DB[@]}" -c "SELECT encode(($1), 'hex')" | perl -ne 'chomp; print pack("H*", $_)' >"$2"; }

# --- cancel in the aggregation phase, resume ---------------------------------------
( "${DB[@]}" -c "SET application_name = 'por-final-test'" -c "SELECT por_prove(1)" >"$work/run1" 2>&1; echo $? >"$work/run1.rc" ) &
job=$!
wait_for "SELECT coalesce((SELECT agg_nodes_done >= 2 FROM por.prove_progress WHERE snapshot_id = 1), false)" 300
ok $? "progress reaches 2 aggregation proofs"
is "$("${DB[@]}" -c "SELECT state || ' ' || phase || ' ' || (agg_level >= 1) || ' ' || agg_nodes_total || ' ' || batches_done FROM por.prove_status WHERE snapshot_id = 1")" \
    "running aggregation true 7 6" "another session sees the aggregation phase, its level and 7 proofs to make (6 nodes, the compression) after 6 batches"
"${DB[@]}" -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'por-final-test'" >/dev/null
wait "$job"
ok $([ "$(cat "$work/run1.rc")" != 0 ]; echo $?) "the canceled por_prove reports an error"
wait_for "SELECT state = 'cancelled' FROM por.prove_status WHERE snapshot_id = 1" 120
ok $? "prove_status says cancelled"
kept=$("${DB[@]}" -c "SELECT count(*) FROM por.aggregation_proofs WHERE snapshot_id = 1")
ok $([ "$kept" -ge 2 ] && [ "$kept" -lt 7 ]; echo $?) "finished aggregation proofs are kept ($kept of 7)"
is "$("${DB[@]}" -c "SELECT status || ' ' || (root IS NULL) FROM por.snapshots WHERE snapshot_id = 1")" "frozen true" "not proven yet"
agg_rows 1 >"$work/before"
root=$("${DB[@]}" -c "SELECT encode(por_prove(1), 'hex')")
ok $([ ${#root} -eq 64 ]; echo $?) "por_prove again finishes"
agg_rows 1 >"$work/after"
ok $([ "$(grep -cxF -f "$work/before" "$work/after")" -eq "$kept" ]; echo $?) "the kept aggregation proofs were not proven again"
is "$("${DB[@]}" -c "SELECT string_agg(level || ':' || node_index, ' ' ORDER BY level, node_index) FROM por.aggregation_proofs WHERE snapshot_id = 1")" \
    "1:0 1:1 1:2 2:0 2:1 3:0 4:0" "every node of the 3 levels and the compression proof (level 4) are proven once"
is "$("${DB[@]}" -c "SELECT string_agg(outcome, ',' ORDER BY run_id) FROM por.run_log WHERE snapshot_id = 1 AND action = 'prove'")" \
    "cancelled,success" "run_log: cancelled, then success"
is "$("${DB[@]}" -c "SELECT encode(root, 'hex') FROM por.snapshot_commitments WHERE snapshot_id = 1")" "$root" "the published root is the frozen one"

# --- the final proof and the customer's one command ----------------------------------
bytes "por_final_proof(1)" "$work/final.porf"
PUB=(--root "$root" --params-digest "$("${DB[@]}" -c "SELECT encode(por_params_digest(1), 'hex')")")
"$VERIFY" final "$work/final.porf" "${PUB[@]}" >"$work/out" 2>&1
ok $? "por-verify final accepts the final proof exported from SQL at the published root and params digest"
like "$work/out" "$root" "... and prints its root"
"${DB[@]}" -c "SELECT por_inclusion_proof_json(1, 'acct-7')" >"$work/p.json"
"$VERIFY" inclusion "$work/p.json" --final "$work/final.porf" >"$work/out" 2>&1
ok $? "por-verify inclusion --final: the customer's proof leads to the final proof's root"
bytes "por_inclusion_proof(1, 'acct-7')" "$work/p.bin"
"$VERIFY" inclusion "$work/p.bin" --final "$work/final.porf" >"$work/out" 2>&1
ok $? "... the binary inclusion proof too"
is "$("${DB[@]}" -c "SELECT encode(por_prove(2), 'hex') <> '$root'")" "t" "snapshot 2 proven, another root"
bytes "por_final_proof(2)" "$work/final2.porf"
"$VERIFY" inclusion "$work/p.json" --final "$work/final2.porf" >"$work/out" 2>&1
is "$?" "1" "another snapshot's final proof: INVALID (exit 1)"
perl -0777 -pe 'substr($_, length($_) / 2, 1) ^= "\x01"' "$work/final.porf" >"$work/tampered.porf"
"$VERIFY" final "$work/tampered.porf" >"$work/out" 2>&1
ok $([ $? -ne 0 ]; echo $?) "a final proof with one bit flipped is rejected"
"$VERIFY" inclusion "$work/p.json" --final "$work/tampered.porf" >"$work/out" 2>&1
ok $([ $? -ne 0 ]; echo $?) "... and so is an inclusion proof checked against it"

# --- the bundle -----------------------------------------------------------------------
srv="/tmp/por_final_bundle_$$"
test_paths+=("$srv" "$srv-final")
is "$("${DB[@]}" -c "SELECT por_export_bundle(1, '$srv')")" "8" "por_export_bundle writes 6 batch proofs, the final proof and the manifest"
cp -r "$srv" "$work/bundle"
cmp -s "$work/bundle/final.porf" "$work/final.porf"
ok $? "the bundle's final.porf is por_final_proof's"
like "$work/bundle/bundle.json" '"final_proof": "final.porf"' "the manifest names the final proof"
"$VERIFY" final "$work/bundle/final.porf" "${PUB[@]}" >"$work/out" 2>&1
ok $? "por-verify final accepts the bundle's final proof"
"$VERIFY" bundle "$work/bundle" "${PUB[@]}" >"$work/out" 2>&1
ok $? "por-verify bundle accepts the bundle with its batch proofs"
is "$("${DB[@]}" -c "SELECT por_export_bundle(1, '$srv-final', include_batches => false)")" "2" "without the batch proofs: the final proof and the manifest"
ls "$srv-final" >"$work/ls"
is "$(tr '\n' ' ' <"$work/ls")" "bundle.json final.porf " "... and nothing else"

# --- concurrent calls ------------------------------------------------------------------
"${DB[@]}" -c "SELECT por_snapshot_create(\$\$SELECT 'acct-' || g, s, 10 * g, 0 FROM generate_series(1, 12) g, unnest(ARRAY['BTC', 'ETH']) s\$\$,
                   '{\"BTC\": {\"decimals\": 8, \"price\": \"65000\"}, \"ETH\": {\"decimals\": 0, \"price\": \"3000\"}}', 2)" >/dev/null
for i in 1 2 3; do ( "${DB[@]}" -c "SELECT encode(por_prove(3), 'hex')" >"$work/c$i" 2>&1; echo $? >"$work/c$i.rc" ) & done
wait
is "$(cat "$work/c1.rc" "$work/c2.rc" "$work/c3.rc" | tr '\n' ' ')" "0 0 0 " "three concurrent por_prove calls succeed"
is "$(sort -u "$work/c1" "$work/c2" "$work/c3" | wc -l)" "1" "... with one root"
is "$("${DB[@]}" -c "SELECT count(*) FROM por.aggregation_proofs WHERE snapshot_id = 3")" "4" "... and each aggregation node and the compression proven once"
is "$("${DB[@]}" -c "SELECT count(*) FROM por.run_log WHERE snapshot_id = 3 AND action = 'prove'")" "1" "... in one run"
is "$("${DB[@]}" -c "SELECT por_verify_final(por_final_proof(3))")" "t" "... whose final proof verifies"

# --- dropping a snapshot drops its aggregation proofs -----------------------------------
"${DB[@]}" -c "SELECT por_snapshot_drop(3)" >/dev/null
is "$("${DB[@]}" -c "SELECT count(*) FROM por.aggregation_proofs WHERE snapshot_id = 3")" "0" "por_snapshot_drop deletes the aggregation proofs"
done_testing
