#!/usr/bin/env bash
# TAP: pg_dump keeps por's data (run inside the throwaway cluster by `make
# sql-check`).  A proven snapshot, a frozen one, owners and logs are dumped,
# restored into a fresh database (CREATE EXTENSION comes from the dump), and
# there the inclusion and batch proofs verify in SQL and with por-verify, the
# frozen snapshot proves to its frozen root, and new rows get fresh ids.
set -u
VERIFY="${POR_VERIFY:-build/por-verify}"
. "$(dirname "$0")/tap.sh"
srv="/tmp/por_backup_bundle_$$"
test_paths+=("$srv")
test_db por_backup_src
test_db por_backup_dst
SRC=(psql -X -q -At -v ON_ERROR_STOP=1 -d por_backup_src)
DST=(psql -X -q -At -v ON_ERROR_STOP=1 -d por_backup_dst)
"${SRC[@]}" >/dev/null <<'SQL'
CREATE EXTENSION por;
SET por.batch_log2 = 2;
INSERT INTO por.account_owners VALUES ('acct-3', 'por_customer');
SELECT por_snapshot_create($$SELECT 'acct-' || g, s, 100 * g + 0.5, CASE WHEN s = 'USDT' THEN g ELSE 0 END
                             FROM generate_series(1, 10) g, unnest(ARRAY['BTC', 'USDT']) s$$,
                           '{"BTC": {"decimals": 8, "price": "65000.25", "haircut": 95}, "USDT": {"decimals": 6, "price": "1"}}')
  FROM generate_series(1, 2);
SELECT por_prove(1);
SQL
root=$("${SRC[@]}" -c "SELECT encode(por_root(1), 'hex')")
frozen2=$("${SRC[@]}" -c "SELECT encode(root, 'hex') FROM por.snapshot_commitments WHERE snapshot_id = 2")
counts="SELECT (SELECT count(*) FROM por.snapshots) || ' ' || (SELECT count(*) FROM por.snapshot_assets) || ' ' ||
               (SELECT count(*) FROM por.leaves) || ' ' || (SELECT count(*) FROM por.snapshot_commitments) || ' ' ||
               (SELECT count(*) FROM por.tree_levels) || ' ' || (SELECT count(*) FROM por.batch_proofs) || ' ' ||
               (SELECT count(*) FROM por.run_log) || ' ' || (SELECT count(*) FROM por.account_owners) || ' ' ||
               (SELECT count(*) FROM por.prove_progress)"
content="SELECT md5(string_agg(x, ',' ORDER BY x)) FROM (
           SELECT snapshot_id::text || status || coalesce(encode(root, 'hex'), '') || params_digest::text AS x FROM por.snapshots
           UNION ALL SELECT snapshot_id::text || leaf_index || coalesce(account_id, '') || id_commitment::text || equity::text || debt::text FROM por.leaves
           UNION ALL SELECT snapshot_id::text || level || md5(hashes) FROM por.tree_levels
           UNION ALL SELECT snapshot_id::text || batch_no || md5(proof) FROM por.batch_proofs
           UNION ALL SELECT snapshot_id::text || md5(batch_roots) || mac::text FROM por.snapshot_commitments
           UNION ALL SELECT run_id::text || action || outcome FROM por.run_log) t"
src_counts=$("${SRC[@]}" -c "$counts")
src_content=$("${SRC[@]}" -c "$content")
ok $([ ${#src_content} -eq 32 ]; echo $?) "a digest of the source database's por rows"

pg_dump -Fc -f "$work/por.dump" por_backup_src 2>"$work/dump.err"
ok $? "pg_dump succeeds"
pg_restore -d por_backup_dst "$work/por.dump" 2>"$work/restore.err"
ok $? "pg_restore into an empty database succeeds"
sed 's/^/#   /' "$work/dump.err" "$work/restore.err" | head -10
is "$("${DST[@]}" -c "SELECT extversion FROM pg_extension WHERE extname = 'por'")" "1.1" "the restore created the extension"
is "$("${DST[@]}" -c "$counts")" "$src_counts" "every por table has its rows (snapshots, assets, leaves, commitments, levels, proofs, log, owners, progress)"
is "$("${DST[@]}" -c "$content")" "$src_content" "... with the same content"
is "$("${DST[@]}" -c "SELECT encode(por_root(1), 'hex')")" "$root" "the published root"
is "$("${DST[@]}" -c "SELECT state FROM por.prove_status WHERE snapshot_id = 1")" "proven" "prove_status says proven"

# the proofs verify in the restored database
is "$("${DST[@]}" -c "SELECT bool_and(por_verify_inclusion(por_inclusion_proof(1, account_id), por_root(1), por_params_digest(1)))
                        FROM por.leaves WHERE snapshot_id = 1 AND account_id IS NOT NULL")" "t" \
    "every inclusion proof verifies against the root and params digest (por_verify_inclusion)"
is "$("${DST[@]}" -c "SELECT count(*) || ' ' || bool_and(por_verify_batch(proof)) FROM por.batch_proofs WHERE snapshot_id = 1")" "3 true" \
    "every batch proof verifies (por_verify_batch)"
is "$("${DST[@]}" -c "SELECT por_verify_final(por_final_proof(1)) AND (por_final_statement(por_final_proof(1)) ->> 'root') = encode(por_root(1), 'hex')")" "t" \
    "the final proof (from the restored aggregation proofs) verifies and states the published root"
"${DST[@]}" -c "SELECT por_inclusion_proof_json(1, 'acct-3')" >"$work/p.json"
"$VERIFY" inclusion "$work/p.json" --root "$root" --params-digest "$("${DST[@]}" -c "SELECT encode(por_params_digest(1), 'hex')")" >"$work/v1" 2>&1
ok $? "por-verify inclusion: a proof exported from the restored database verifies at the published root"
files=$("${DST[@]}" -c "SELECT por_export_bundle(1, '$srv')")
is "$files" "5" "por_export_bundle from the restored database"
cp -r "$srv" "$work/bundle"
"$VERIFY" bundle "$work/bundle" --root "$root" --params-digest "$("${DST[@]}" -c "SELECT encode(por_params_digest(1), 'hex')")" >"$work/v2" 2>&1
ok $? "por-verify bundle: the restored batch proofs verify at the published root and params digest"
ok $(grep -q "$root" "$work/bundle/bundle.json"; echo $?) "... for the published root"

# the frozen snapshot proves there, to the root frozen before the dump
is "$("${DST[@]}" -c "SELECT encode(por_prove(2), 'hex')")" "$frozen2" "the frozen snapshot proves after the restore, to its frozen root"
is "$("${DST[@]}" -c "SELECT string_agg(outcome, ',' ORDER BY run_id) FROM por.run_log WHERE snapshot_id = 2 AND action = 'prove'")" "success" \
    "... logged in the restored run log (its sequence was restored: no duplicate run_id)"
is "$("${DST[@]}" -c "SET por.batch_log2 = 2; SELECT por_snapshot_create('SELECT ''x'', ''BTC'', 1, 0', '{\"BTC\": {\"decimals\": 8, \"price\": \"1\"}}')")" "3" \
    "a new snapshot gets the next id, not one restored"

# a dump taken during a run leaves the run's progress out: the restored copy is not running
"${SRC[@]}" -c "UPDATE por.prove_progress SET phase = 'batches' WHERE snapshot_id = 1"
pg_dump -Fc -t por.prove_progress --data-only -f "$work/progress.dump" por_backup_src 2>/dev/null
ok $([ "$(pg_restore -f - "$work/progress.dump" 2>/dev/null | grep -c '^1	batches')" -eq 0 ]; echo $?) \
    "progress of a run still going is not dumped"

done_testing
