-- pgTAP: the final proof por_prove publishes (issue 14).  A snapshot of 3
-- batches at fan-in 2 has 2 aggregation levels (2 nodes, then the top node)
-- and the compression proof of the top node (row level 3), the final proof;
-- its final proof verifies from SQL with keys derived from the circuit
-- definitions, states the published root, the exact totals and the params
-- digest, and nothing malformed or tampered verifies.  The worker refuses a
-- final proof or an aggregation child that is not the snapshot's.
\set ON_ERROR_STOP 1
-- no enclosing transaction: por_prove's worker proves committed snapshots only
CREATE EXTENSION IF NOT EXISTS pgtap;
DROP EXTENSION IF EXISTS por CASCADE;
CREATE EXTENSION por;
SET por.batch_log2 = 2;
SET por.fan_in_log2 = 1;
SELECT plan(34);

CREATE TEMP TABLE ledger (account_id text, asset text, equity numeric, debt numeric);
INSERT INTO ledger
SELECT 'c' || a, s, 10 + a % 7, CASE WHEN s = 'USD' THEN a % 5 ELSE 0 END
  FROM generate_series(1, 11) a, unnest(ARRAY['USD', 'BTC']) s;
-- 11 accounts, padded to 12 leaves: 3 batches of 4; a, b and c have the same shape
CREATE TEMP TABLE s AS
SELECT n, por_snapshot_create('ledger', '{"USD": {"decimals": 2, "price": "1"}, "BTC": {"decimals": 8, "price": "65000.5"}}') AS id
  FROM unnest(ARRAY['a', 'b', 'c']) n;
CREATE FUNCTION pg_temp.id(text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM s WHERE n = $1 $$;

SELECT is(por_final_proof(pg_temp.id('a')), NULL, 'no final proof before por_prove (NULL, like por_root)');
SELECT throws_ok($$SELECT por_final_proof(-3)$$, '42704', 'snapshot -3 does not exist', 'por_final_proof: unknown snapshot');
SELECT throws_ok($$SELECT * FROM por_aggregation_proofs(-3)$$, '42704', 'snapshot -3 does not exist', 'por_aggregation_proofs: unknown snapshot');

SELECT is(octet_length(por_prove(pg_temp.id('a'))), 32, 'por_prove returns the root');
SELECT results_eq($$SELECT level, node_index, fan_in_log2 FROM por_aggregation_proofs(pg_temp.id('a'))$$,
                  $$VALUES (1, 0, 1), (1, 1, 1), (2, 0, 1), (3, 0, 1)$$,
                  'aggregation proofs: 2 nodes at level 1, the top node at level 2, its compression proof at level 3');
CREATE TEMP TABLE f AS SELECT por_final_proof(pg_temp.id('a')) AS proof, por_final_statement(por_final_proof(pg_temp.id('a'))) AS st;
SELECT ok(por_verify_final((SELECT proof FROM f)), 'the final proof verifies (keys derived from the circuit definitions)');
SELECT ok(por_verify_final((SELECT proof FROM f)), '... again, with the keys cached');
SELECT is((SELECT st ->> 'root' FROM f), encode(por_root(pg_temp.id('a')), 'hex'), 'its statement''s root is the published root');
SELECT is((SELECT st ->> 'root' FROM f), (SELECT encode(root, 'hex') FROM por.snapshot_commitments WHERE snapshot_id = pg_temp.id('a')),
          '... which is the frozen commitment''s root');
SELECT is((SELECT st ->> 'params_digest' FROM f), encode(por_params_digest(pg_temp.id('a')), 'hex'), 'its params digest is the snapshot''s');
SELECT is((SELECT ARRAY(SELECT jsonb_array_elements_text(st -> 'equity_totals')) || ARRAY(SELECT jsonb_array_elements_text(st -> 'debt_totals')) FROM f),
          (SELECT array_agg(equity_total::text ORDER BY asset_no) || array_agg(debt_total::text ORDER BY asset_no)
             FROM por.snapshot_assets WHERE snapshot_id = pg_temp.id('a')),
          'its totals are the snapshot''s exact totals in smallest units');
SELECT is((SELECT array_agg((st -> 'equity_totals' ->> (i - 1))::numeric / 10::numeric ^ a.decimals ORDER BY i) FROM f, por.snapshot_assets a, generate_series(1, 2) i
            WHERE a.snapshot_id = pg_temp.id('a') AND a.asset_no = i - 1),
          (SELECT array_agg(equity ORDER BY asset) FROM por_snapshot_totals(pg_temp.id('a')) t, por.snapshot_assets a
            WHERE a.snapshot_id = pg_temp.id('a') AND a.symbol = t.asset),
          '... equal to por_snapshot_totals in whole units');
SELECT is((SELECT (st ->> 'leaf_count') || ' ' || (st ->> 'levels') || ' ' || (st ->> 'fan_in') || ' ' || (st ->> 'batch_log2') FROM f),
          '12 2 2 2', 'statement: 12 leaves, 2 levels, fan-in 2, batches of 4');
SELECT is((SELECT root FROM por_aggregation_proofs(pg_temp.id('a')) WHERE level = 2), por_root(pg_temp.id('a')),
          'the top aggregation row states the root');
SELECT is((SELECT root || params_digest FROM por_aggregation_proofs(pg_temp.id('a')) WHERE level = 3),
          (SELECT root || params_digest FROM por_aggregation_proofs(pg_temp.id('a')) WHERE level = 2),
          'the compression row states the top node''s root and params digest');
SELECT is((SELECT ARRAY[sum(equity_totals[1]), sum(equity_totals[2])] FROM por_aggregation_proofs(pg_temp.id('a')) WHERE level = 1),
          (SELECT array_agg(equity_total ORDER BY asset_no) FROM por.snapshot_assets WHERE snapshot_id = pg_temp.id('a')),
          'the level-1 nodes'' totals add up to the snapshot''s');
SELECT results_eq($$SELECT phase, agg_level, agg_nodes_done, agg_nodes_total FROM por.prove_status WHERE snapshot_id = pg_temp.id('a')$$,
                  $$VALUES ('done'::text, 3, 4, 4)$$, 'progress: done, last the compression (level 3), 4 of 4 aggregation proofs');
SELECT is((SELECT (detail ->> 'final_proof_bytes')::int = octet_length((SELECT proof FROM f)) AND (detail ->> 'aggregation_seconds')::numeric > 0
                  AND (detail ->> 'finish_seconds')::numeric > 0
                  AND (detail ->> 'levels')::int = 2 AND (detail ->> 'fan_in')::int = 2
             FROM por.run_log WHERE snapshot_id = pg_temp.id('a') AND action = 'prove'), true,
          'run_log: aggregation and finishing seconds, levels, fan-in, final proof size');

-- idempotent: a second call proves nothing again
CREATE TEMP TABLE first_run AS SELECT level, node_index, proven_at, proof FROM por.aggregation_proofs WHERE snapshot_id = pg_temp.id('a');
SELECT is(por_prove(pg_temp.id('a')), por_root(pg_temp.id('a')), 'second por_prove returns the root');
SELECT results_eq($$SELECT level, node_index, proven_at, proof FROM por.aggregation_proofs WHERE snapshot_id = pg_temp.id('a') ORDER BY 1, 2$$,
                  $$SELECT level, node_index, proven_at, proof FROM first_run ORDER BY 1, 2$$, 'the aggregation proofs are untouched');

-- tampered, truncated and malformed: false, never an error
SELECT is((SELECT count(*) FROM f, generate_series(0, octet_length(f.proof) - 1, 997) i
            WHERE por_verify_final(set_byte(f.proof, i, get_byte(f.proof, i) # 1))), 0::bigint,
          'a one-bit flip at every 997th byte (the header included) is rejected');
SELECT is((SELECT count(*) FROM f, generate_series(0, 15) i
            WHERE por_verify_final(set_byte(f.proof, i, get_byte(f.proof, i) # 128))), 0::bigint,
          'a flip of any header byte is rejected');
SELECT is((SELECT count(*) FROM f, generate_series(0, octet_length(f.proof) - 1, 4999) n
            WHERE por_verify_final(substring(f.proof FROM 1 FOR n))), 0::bigint, 'truncations are rejected');
SELECT is(por_verify_final((SELECT proof || '\x00'::bytea FROM f)), false, 'a trailing byte is rejected');
SELECT is(por_verify_final('\x'::bytea), false, 'empty input: false');
SELECT is(por_verify_final(decode(repeat('ab', 5000), 'hex')), false, 'garbage: false');
SELECT is(por_verify_final((SELECT proof FROM por.batch_proofs WHERE snapshot_id = pg_temp.id('a') AND batch_no = 0)), false,
          'a batch proof is not a final proof');
SELECT throws_ok($$SELECT por_final_statement('\x504f5246'::bytea)$$, '22P03', 'malformed final proof', 'statement of garbage: error 22P03');

-- customers get the final proof and verify it
CREATE ROLE por_final_test_customer IN ROLE por_customer;
SELECT set_config('por_test.a', pg_temp.id('a')::text, false) AS a_id \gset
SET ROLE por_final_test_customer;
SELECT ok(por_verify_final(por_final_proof(current_setting('por_test.a')::bigint)), 'a customer reads the final proof and verifies it');
RESET ROLE;

-- the worker publishes nothing a final proof of another snapshot or a child of another snapshot would give
SELECT lives_ok(format('SELECT por_prove(%s)', pg_temp.id('b')), 'snapshot b proven');
UPDATE por.snapshots SET status = 'frozen', root = NULL, proven_at = NULL WHERE snapshot_id = pg_temp.id('b');
UPDATE por.aggregation_proofs SET proof = (SELECT proof FROM por.aggregation_proofs WHERE snapshot_id = pg_temp.id('a') AND level = 3)
 WHERE snapshot_id = pg_temp.id('b') AND level = 3;
SELECT throws_ok(format('SELECT por_prove(%s)', pg_temp.id('b')), 'XX001', NULL,
                 'another snapshot''s final proof (compression proof) in place of b''s: refused');
-- c: its level-1 node 0 replaced by a's, the top node proven from it
SELECT lives_ok(format('SELECT por_prove(%s)', pg_temp.id('c')), 'snapshot c proven');
UPDATE por.snapshots SET status = 'frozen', root = NULL, proven_at = NULL WHERE snapshot_id = pg_temp.id('c');
DELETE FROM por.aggregation_proofs WHERE snapshot_id = pg_temp.id('c') AND level >= 2;
UPDATE por.aggregation_proofs SET proof = (SELECT proof FROM por.aggregation_proofs WHERE snapshot_id = pg_temp.id('a') AND level = 1 AND node_index = 0)
 WHERE snapshot_id = pg_temp.id('c') AND level = 1 AND node_index = 0;
SELECT throws_ok(format('SELECT por_prove(%s)', pg_temp.id('c')), 'XX001', NULL,
                 'a child proof of another snapshot: the top node is not proven');
SELECT is((SELECT count(*) FROM por.aggregation_proofs WHERE snapshot_id = pg_temp.id('c') AND level = 2), 0::bigint, '... and nothing is stored');

SELECT * FROM finish();
DROP ROLE por_final_test_customer;
