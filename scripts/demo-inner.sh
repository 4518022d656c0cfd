#!/usr/bin/env bash
# The demo's steps inside pg_virtualenv (PG* variables point at the cluster).
set -euo pipefail
PSQL=(psql -X -q -v ON_ERROR_STOP=1)
BINDIR="$(pg_config --bindir)"
step() { printf '\n== %s\n' "$*"; }

step "creating the extension and a ledger of $DEMO_ACCOUNTS accounts x 8 assets"
"${PSQL[@]}" -c "CREATE EXTENSION por"
"${PSQL[@]}" -v accounts="$DEMO_ACCOUNTS" -f scripts/gen_ledger.sql
"${PSQL[@]}" -At -c "SELECT count(*) || ' ledger rows' FROM ledger"

step "freezing a snapshot: SELECT por_snapshot_create('ledger', assets)"
ASSETS='{"BTC": {"decimals": 8, "price": "65000.25", "haircut": 95},
         "ETH": {"decimals": 9, "price": "3000.5", "haircut": 90},
         "USDT": {"decimals": 6, "price": "1.0001"},
         "USDC": {"decimals": 6, "price": "1"},
         "SOL": {"decimals": 9, "price": "150.75", "haircut": 80},
         "XRP": {"decimals": 6, "price": "0.62"},
         "DOGE": {"decimals": 8, "price": "0.15", "haircut": 70},
         "TRX": {"decimals": 6, "price": "0.12", "haircut": 70}}'
time SNAPSHOT=$("${PSQL[@]}" -At -c "SELECT por_snapshot_create('ledger', \$\$$ASSETS\$\$::jsonb)")
echo "snapshot $SNAPSHOT"

BATCH=$("${PSQL[@]}" -At -c "SELECT 1 << batch_log2 FROM por.snapshots WHERE snapshot_id = $SNAPSHOT")
step "proving it: SELECT por_prove($SNAPSHOT) (tree, one zero-knowledge proof per batch of $BATCH accounts (the batch size chosen by por_snapshot_create), then the aggregation levels up to one final proof)"
# por_prove runs in the background here only so the demo can show what another
# session sees meanwhile: por.prove_status (phase, batches done, time left)
( "${PSQL[@]}" -At -c "SELECT encode(por_prove($SNAPSHOT), 'hex')" > "$DEMO_OUT/root.txt" ) &
PROVER=$!
while kill -0 "$PROVER" 2>/dev/null; do
    "${PSQL[@]}" -At -c "SELECT 'progress: ' || phase || ', ' || batches_done || ' of ' || batches_total || ' batches'
                                || coalesce(', aggregation level ' || agg_level || ', ' || agg_nodes_done || ' of '
                                            || agg_nodes_total || ' aggregation proofs', '')
                                || coalesce(', about ' || seconds_left || ' s left', '')
                           FROM por.prove_status WHERE snapshot_id = $SNAPSHOT" || true
    sleep 5
done
wait "$PROVER"
ROOT=$(cat "$DEMO_OUT/root.txt")
"${PSQL[@]}" -c "SELECT detail FROM por.run_log WHERE snapshot_id = $SNAPSHOT AND action = 'prove'"
DIGEST=$("${PSQL[@]}" -At -c "SELECT encode(por_params_digest($SNAPSHOT), 'hex')")
echo "root $ROOT"
echo "params digest $DIGEST (published next to the root: binds prices, haircuts, decimals, time, tree size)"
"${PSQL[@]}" -c "SELECT snapshot_id, status, account_count, leaf_count, batch_log2, price_scale FROM por.snapshots WHERE snapshot_id = $SNAPSHOT"

step "the published result, one final proof: SELECT por_final_proof($SNAPSHOT) -> $DEMO_OUT/final.porf"
"${PSQL[@]}" -At -c "SELECT encode(por_final_proof($SNAPSHOT), 'hex')" | perl -ne 'chomp; print pack("H*", $_)' >"$DEMO_OUT/final.porf"
"${PSQL[@]}" -c "SELECT octet_length(por_final_proof($SNAPSHOT)) AS final_proof_bytes,
                        (SELECT count(*) FROM por_aggregation_proofs($SNAPSHOT)) AS aggregation_proofs,
                        por_verify_final(por_final_proof($SNAPSHOT)) AS verifies"
echo "its statement (por_final_statement): the root, the exact totals in smallest units, the params digest"
"${PSQL[@]}" -At -c "SELECT jsonb_pretty(por_final_statement(por_final_proof($SNAPSHOT)))"

step "anyone verifies the final proof without the database: por-verify final $DEMO_OUT/final.porf --root ROOT --params-digest DIGEST"
"$BINDIR/por-verify" final "$DEMO_OUT/final.porf" --root "$ROOT" --params-digest "$DIGEST"

step "one customer's inclusion proof: acct-0000042 -> $DEMO_OUT/inclusion-acct-0000042.json"
"${PSQL[@]}" -At -c "SELECT jsonb_pretty(por_inclusion_proof_json($SNAPSHOT, 'acct-0000042'))" \
    > "$DEMO_OUT/inclusion-acct-0000042.json"
head -c 600 "$DEMO_OUT/inclusion-acct-0000042.json"; echo " ..."

step "the customer verifies it without the database: por-verify inclusion FILE --root ROOT --params-digest DIGEST"
"$BINDIR/por-verify" inclusion "$DEMO_OUT/inclusion-acct-0000042.json" --root "$ROOT" --params-digest "$DIGEST"

step "per-asset totals: SELECT * FROM por_snapshot_totals($SNAPSHOT)"
"${PSQL[@]}" -c "SELECT * FROM por_snapshot_totals($SNAPSHOT)"

step "batch proofs: SELECT batch_no, octet_length(proof), prove_ms, por_verify_batch(proof) FROM por_batch_proofs($SNAPSHOT)"
"${PSQL[@]}" -c "SELECT batch_no, octet_length(proof) AS bytes, prove_ms, por_verify_batch(proof) AS verifies
                   FROM por_batch_proofs($SNAPSHOT) ORDER BY batch_no LIMIT 5"

step "exporting the bundle (final proof, batch proofs for auditors, manifest): SELECT por_export_bundle($SNAPSHOT, dir)"
SERVER_DIR=$(mktemp -u /tmp/por-demo-bundle-XXXXXX)
"${PSQL[@]}" -At -c "SELECT por_export_bundle($SNAPSHOT, '$SERVER_DIR') || ' files written'"
rm -rf "$DEMO_OUT/bundle" && cp -r "$SERVER_DIR" "$DEMO_OUT/bundle" && rm -rf "$SERVER_DIR"
ls "$DEMO_OUT/bundle" | head -3; echo "..."

step "an auditor verifies the whole bundle without the database: por-verify bundle $DEMO_OUT/bundle --root ROOT --params-digest DIGEST"
"$BINDIR/por-verify" bundle "$DEMO_OUT/bundle" --root "$ROOT" --params-digest "$DIGEST"

step "the customer also checks their batch's proof: por-verify inclusion FILE --batch BATCHFILE"
BATCH=$("${PSQL[@]}" -At -c "SELECT por_inclusion_proof_json($SNAPSHOT, 'acct-0000042') -> 'account' ->> 'batch'")
"$BINDIR/por-verify" inclusion "$DEMO_OUT/inclusion-acct-0000042.json" --root "$ROOT" --params-digest "$DIGEST" \
    --batch "$DEMO_OUT/bundle/$(printf 'batch-%06d.porb' "$BATCH")"

step "the customer's one command: their inclusion proof against the published final proof"
echo "por-verify inclusion $DEMO_OUT/inclusion-acct-0000042.json --final $DEMO_OUT/final.porf"
"$BINDIR/por-verify" inclusion "$DEMO_OUT/inclusion-acct-0000042.json" --final "$DEMO_OUT/final.porf"
