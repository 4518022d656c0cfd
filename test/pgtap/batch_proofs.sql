-- pgTAP: batch proofs made by por_prove, their verification from SQL, the
-- progress record, idempotence, and what a snapshot whose frozen data was
-- tampered with gets (an error, never a stored proof).
\set ON_ERROR_STOP 1
-- no enclosing transaction: por_prove's worker proves committed snapshots only
CREATE EXTENSION IF NOT EXISTS pgtap;
DROP EXTENSION IF EXISTS por CASCADE;
CREATE EXTENSION por;
SET por.batch_log2 = 3;
-- fan-in 2: the cheapest aggregation for these one- and two-batch snapshots (the default 4 is for large ones)
SET por.fan_in_log2 = 1;
SELECT plan(46);

CREATE TEMP TABLE ledger (account_id text, asset text, equity numeric, debt numeric);
INSERT INTO ledger
SELECT 'c' || a, s, 10 + a % 7, CASE WHEN s = 'USD' THEN a % 5 ELSE 0 END
  FROM generate_series(1, 20) a, unnest(ARRAY['USD', 'BTC']) s;
CREATE TEMP TABLE t AS SELECT por_snapshot_create('ledger',
  '{"USD": {"decimals": 2, "price": "1"}, "BTC": {"decimals": 8, "price": "65000.5", "haircut": 95}}') AS id;

-- 20 accounts, padded to 24 leaves: 3 batches of 8
SELECT is(octet_length(por_prove((SELECT id FROM t))), 32, 'por_prove returns the 32-byte root');
SELECT is((SELECT count(*) FROM por_batch_proofs((SELECT id FROM t))), 3::bigint, 'one proof per batch of 8 leaves: 3');
SELECT results_eq($$SELECT batch_no FROM por_batch_proofs((SELECT id FROM t))$$, $$VALUES (0), (1), (2)$$, 'batch numbers 0, 1, 2');
SELECT ok((SELECT bool_and(por_verify_batch(proof)) FROM por_batch_proofs((SELECT id FROM t))), 'every batch proof verifies');
SELECT is((SELECT array_agg(batch_root ORDER BY batch_no) FROM por_batch_proofs((SELECT id FROM t))),
          (SELECT array_agg(substring(l.hashes FROM i * 32 + 1 FOR 32) ORDER BY i)
             FROM por.tree_levels l, generate_series(0, 2) i WHERE l.snapshot_id = (SELECT id FROM t) AND l.level = 3),
          'batch roots are the level-3 nodes of the stored tree');
SELECT ok((SELECT bool_and(params_digest = por_params_digest((SELECT id FROM t))) FROM por_batch_proofs((SELECT id FROM t))),
          'every batch proof carries the snapshot''s params digest');
SELECT is((SELECT ARRAY[sum(equity_totals[1]), sum(equity_totals[2]), sum(debt_totals[1]), sum(debt_totals[2])]
             FROM por_batch_proofs((SELECT id FROM t))),
          (SELECT array_agg(equity_total ORDER BY asset_no) || array_agg(debt_total ORDER BY asset_no)
             FROM por.snapshot_assets WHERE snapshot_id = (SELECT id FROM t)),
          'batch totals add up to the snapshot totals');
SELECT is((SELECT por_batch_proof_statement(proof) FROM por_batch_proofs((SELECT id FROM t)) WHERE batch_no = 1),
          (SELECT jsonb_build_object('snapshot_id', (SELECT id FROM t), 'batch_no', 1, 'batch_log2', 3, 'asset_count', 2,
                                     'balance_bits', 62, 'root', encode(batch_root, 'hex'),
                                     'params_digest', encode(params_digest, 'hex'),
                                     'equity_totals', to_jsonb(equity_totals::text[]), 'debt_totals', to_jsonb(debt_totals::text[]))
             FROM por.batch_proofs WHERE snapshot_id = (SELECT id FROM t) AND batch_no = 1),
          'por_batch_proof_statement shows what the stored row says');
SELECT results_eq($$SELECT phase, batches_done, batches_total FROM por.prove_progress WHERE snapshot_id = (SELECT id FROM t)$$,
                  $$VALUES ('done'::text, 3, 3)$$, 'progress: done, 3 of 3');
SELECT is((SELECT running FROM por.prove_status WHERE snapshot_id = (SELECT id FROM t)), false, 'status view: no worker running');
SELECT is((SELECT status FROM por.snapshots WHERE snapshot_id = (SELECT id FROM t)), 'proven', 'snapshot marked proven');

-- idempotent: a second call returns the root and proves nothing again
CREATE TEMP TABLE first_run AS SELECT batch_no, proven_at, proof FROM por.batch_proofs WHERE snapshot_id = (SELECT id FROM t);
SELECT is(por_prove((SELECT id FROM t)), por_root((SELECT id FROM t)), 'second por_prove returns the stored root');
SELECT results_eq($$SELECT batch_no, proven_at, proof FROM por.batch_proofs WHERE snapshot_id = (SELECT id FROM t) ORDER BY 1$$,
                  $$SELECT batch_no, proven_at, proof FROM first_run ORDER BY 1$$, 'the stored proofs are untouched');
SELECT is((SELECT count(*) FROM por.run_log WHERE snapshot_id = (SELECT id FROM t) AND action = 'prove'), 1::bigint, 'proved once');

-- tampered and malformed proofs: false, never an error.  Bytes 6..21 are the
-- snapshot id and batch number labels, which the proof does not bind (the
-- bundle check does), so flips there are tested by por-verify bundle.
CREATE TEMP TABLE p AS SELECT proof FROM por.batch_proofs WHERE snapshot_id = (SELECT id FROM t) AND batch_no = 0;
SELECT is((SELECT count(*) FROM p, generate_series(0, octet_length(p.proof) - 1, 37) i
            WHERE (i < 6 OR i >= 22) AND por_verify_batch(set_byte(p.proof, i, get_byte(p.proof, i) # 1))), 0::bigint,
          'a one-bit flip anywhere outside the labels (every 37th byte) is rejected');
SELECT is((SELECT count(*) FROM p, generate_series(0, octet_length(p.proof) - 1, 41) n
            WHERE por_verify_batch(substring(p.proof FROM 1 FOR n))), 0::bigint, 'truncated proofs are rejected');
SELECT ok(NOT por_verify_batch(p.proof || '\x00'::bytea), 'trailing byte rejected') FROM p;
SELECT ok(NOT por_verify_batch(''::bytea), 'empty input rejected');
SELECT ok(NOT por_verify_batch(decode(repeat('ff', 200), 'hex')), 'garbage rejected');
SELECT ok(NOT por_verify_batch(overlay(p.proof PLACING '\x1435003e'::bytea FROM 23)), 'a claimed shape (1M accounts x 53) that is not the proof''s is rejected') FROM p;
SELECT ok(por_verify_batch(overlay(p.proof PLACING '\x0900000000000000'::bytea FROM 15)),
          'a relabelled batch number still verifies alone: labels are not part of the statement') FROM p;
SELECT ok((SELECT a.proof <> b.proof FROM por.batch_proofs a, por.batch_proofs b
            WHERE a.snapshot_id = (SELECT id FROM t) AND b.snapshot_id = a.snapshot_id AND a.batch_no = 0 AND b.batch_no = 1),
          'different batches, different proofs');
SELECT throws_ok($$SELECT por_batch_proof_statement('\x504f5246'::bytea)$$, '22P03', 'malformed batch proof', 'statement of a malformed proof: error');

-- tampered frozen data: por_prove errors (the worker's SQLSTATE comes back) and stores no proof
CREATE FUNCTION pg_temp.fresh(bits int DEFAULT 62) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE id bigint;
BEGIN
    PERFORM set_config('por.balance_bits', bits::text, false);
    id := por_snapshot_create($q$VALUES ('a1', 'USD', 100, 10), ('a2', 'USD', 50, 0), ('a3', 'USD', 7, 7), ('a4', 'EUR', 3, 0)$q$,
                              '{"USD": {"decimals": 0, "price": "1"}, "EUR": {"decimals": 0, "price": "1.08", "haircut": 90}}');
    PERFORM set_config('por.balance_bits', '62', false);
    RETURN id;
END $$;
SET por.batch_log2 = 2;
CREATE TEMP TABLE bad (item text PRIMARY KEY, id bigint);
INSERT INTO bad SELECT 'range', pg_temp.fresh(16);
INSERT INTO bad SELECT item, pg_temp.fresh() FROM unnest(ARRAY['negative', 'total', 'insolvent', 'haircut', 'price', 'leaf', 'node']) item;
-- 2: a balance of 2^B or more (B = 16 here), totals kept consistent
UPDATE por.leaves SET equity[2] = 65536 WHERE snapshot_id = (SELECT id FROM bad WHERE item = 'range') AND account_id = 'a1';
UPDATE por.snapshot_assets SET equity_total = equity_total - 100 + 65536 WHERE snapshot_id = (SELECT id FROM bad WHERE item = 'range') AND symbol = 'USD';
SELECT throws_ok(format('SELECT por_prove(%s)', (SELECT id FROM bad WHERE item = 'range')), 'XX001', NULL, 'balance >= 2^B: no proof');
-- 2: a negative balance
UPDATE por.leaves SET debt[2] = -1 WHERE snapshot_id = (SELECT id FROM bad WHERE item = 'negative') AND account_id = 'a2';
SELECT throws_ok(format('SELECT por_prove(%s)', (SELECT id FROM bad WHERE item = 'negative')), '22003', NULL, 'negative balance: no proof');
-- 5: a total that is not the sum of the balances
UPDATE por.snapshot_assets SET equity_total = equity_total + 1 WHERE snapshot_id = (SELECT id FROM bad WHERE item = 'total') AND symbol = 'EUR';
SELECT throws_ok(format('SELECT por_prove(%s)', (SELECT id FROM bad WHERE item = 'total')), 'XX001', NULL, 'wrong total: no proof');
-- 4: an insolvent account (its debt raised, the debt total with it)
UPDATE por.leaves SET debt[2] = 1000 WHERE snapshot_id = (SELECT id FROM bad WHERE item = 'insolvent') AND account_id = 'a3';
UPDATE por.snapshot_assets SET debt_total = debt_total - 7 + 1000 WHERE snapshot_id = (SELECT id FROM bad WHERE item = 'insolvent') AND symbol = 'USD';
SELECT throws_ok(format('SELECT por_prove(%s)', (SELECT id FROM bad WHERE item = 'insolvent')), 'XX001', NULL, 'insolvent account: no proof');
-- 6: a haircut or price changed after freezing
UPDATE por.snapshot_assets SET haircut = 100 WHERE snapshot_id = (SELECT id FROM bad WHERE item = 'haircut') AND symbol = 'EUR';
SELECT throws_ok(format('SELECT por_prove(%s)', (SELECT id FROM bad WHERE item = 'haircut')), 'XX001', NULL, 'changed haircut: no proof');
UPDATE por.snapshot_assets SET price_units = price_units + 1 WHERE snapshot_id = (SELECT id FROM bad WHERE item = 'price') AND symbol = 'USD';
SELECT throws_ok(format('SELECT por_prove(%s)', (SELECT id FROM bad WHERE item = 'price')), 'XX001', NULL, 'changed price: no proof');
SELECT is((SELECT count(*) FROM por.batch_proofs WHERE snapshot_id IN (SELECT id FROM bad WHERE item IN ('range', 'negative', 'total', 'insolvent', 'haircut', 'price'))),
          0::bigint, 'none of those stored a batch proof');
SELECT is((SELECT count(*) FROM por.snapshots WHERE status = 'proven' AND snapshot_id IN (SELECT id FROM bad)), 0::bigint, 'none is proven');
SELECT is((SELECT count(*) FROM por.prove_progress WHERE phase = 'failed' AND error_message IS NOT NULL
            AND snapshot_id IN (SELECT id FROM bad WHERE item IN ('range', 'negative', 'total', 'insolvent', 'haircut', 'price'))),
          6::bigint, 'each failure is recorded in por.prove_progress');
-- 1/2: a leaf that no longer matches the stored tree, and a forged tree node:
-- the tree is stored by an interrupted run (simulated by proving, then
-- removing the proofs and the published root), then the data is changed
SELECT lives_ok(format('SELECT por_prove(%s)', id), 'prove ' || item) FROM bad WHERE item IN ('leaf', 'node');
UPDATE por.snapshots SET status = 'frozen', root = NULL, proven_at = NULL WHERE snapshot_id IN (SELECT id FROM bad WHERE item IN ('leaf', 'node'));
DELETE FROM por.batch_proofs WHERE snapshot_id IN (SELECT id FROM bad WHERE item IN ('leaf', 'node'));
-- one unit of USD equity moves from a1 to a2: totals and solvency hold, the leaves change
UPDATE por.leaves SET equity[2] = equity[2] + CASE account_id WHEN 'a1' THEN -1 ELSE 1 END
 WHERE snapshot_id = (SELECT id FROM bad WHERE item = 'leaf') AND account_id IN ('a1', 'a2');
SELECT throws_ok(format('SELECT por_prove(%s)', (SELECT id FROM bad WHERE item = 'leaf')), 'XX001', NULL, 'leaves not matching the tree: no proof');
UPDATE por.tree_levels SET hashes = set_byte(hashes, 0, get_byte(hashes, 0) # 1)
 WHERE snapshot_id = (SELECT id FROM bad WHERE item = 'node') AND level = 2;
SELECT throws_ok(format('SELECT por_prove(%s)', (SELECT id FROM bad WHERE item = 'node')), 'XX001', NULL, 'forged tree node: no proof');
SELECT is((SELECT count(*) FROM por.batch_proofs WHERE snapshot_id IN (SELECT id FROM bad WHERE item IN ('leaf', 'node'))),
          0::bigint, 'neither stored a batch proof');

-- errors a DBA can make
SELECT throws_ok($$SELECT por_prove(-5)$$, '42704', 'snapshot -5 does not exist', 'unknown snapshot');
-- (COMMIT, not ROLLBACK: pgTAP counts its tests in a table)
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT throws_ok(format('SELECT por_prove(%s)', (SELECT id FROM bad WHERE item = 'total')), '25000', NULL, 'REPEATABLE READ refused');
COMMIT;
BEGIN;
CREATE TEMP TABLE same_tx AS SELECT pg_temp.fresh() AS id;
SELECT throws_ok($$SELECT por_prove((SELECT id FROM same_tx))$$, '25000', NULL, 'a snapshot created in the same transaction is refused');
COMMIT;
SELECT throws_ok($$SELECT por_export_bundle((SELECT id FROM t), 'relative/dir')$$, '22023', NULL, 'bundle directory must be absolute');
SET por.batch_log2 = 18;
SELECT throws_ok($$SELECT pg_temp.fresh()$$, '54000', NULL, 'a batch too large to prove is refused at snapshot time');
SET por.batch_log2 = 3;

-- the scheduler's one call: snapshot, commit, prove
SET por.batch_log2 = 2;
CALL por_snapshot_and_prove($$VALUES ('s1', 'USD', 5, 1), ('s2', 'USD', 7, 0)$$, '{"USD": {"decimals": 0, "price": "1"}}');
SELECT is((SELECT status || ' ' || (root = por_prove(snapshot_id)) FROM por.snapshots ORDER BY snapshot_id DESC LIMIT 1),
          'proven true', 'CALL por_snapshot_and_prove leaves a proven snapshot');

-- one realistic batch: 1000 accounts x 8 assets in one proof of 1024 leaves
SET por.batch_log2 = 10;
CREATE TEMP TABLE big_ledger AS
SELECT 'r' || a AS account_id, s AS asset, (a * 37 + length(s)) % 100000 / 100.0 AS equity, 0::numeric AS debt
  FROM generate_series(1, 1000) a, unnest(ARRAY['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8']) s;
CREATE TEMP TABLE tb AS SELECT por_snapshot_create('big_ledger',
  '{"A1": {"decimals": 2, "price": "1"}, "A2": {"decimals": 2, "price": "2.5"}, "A3": {"decimals": 2, "price": "0.01"},
    "A4": {"decimals": 2, "price": "65000"}, "A5": {"decimals": 2, "price": "3000", "haircut": 80},
    "A6": {"decimals": 2, "price": "1", "haircut": 99}, "A7": {"decimals": 2, "price": "0.5"}, "A8": {"decimals": 2, "price": "12"}}') AS id;
SELECT is(octet_length(por_prove((SELECT id FROM tb))), 32, '1000 x 8 proven');
SELECT results_eq($$SELECT count(*), bool_and(por_verify_batch(proof)) FROM por_batch_proofs((SELECT id FROM tb))$$,
                  $$VALUES (1::bigint, true)$$, 'one batch of 1024, and it verifies');
SELECT cmp_ok((SELECT octet_length(proof) FROM por.batch_proofs WHERE snapshot_id = (SELECT id FROM tb)), '<', 250000, 'its proof is under 250 KB (42 queries at rate 1/4)');

SELECT * FROM finish();
DROP EXTENSION por CASCADE;
