-- pgTAP: snapshots, por_prove and the tree aggregate, behaviour.
\set ON_ERROR_STOP 1
-- no enclosing transaction: por_prove's worker proves committed snapshots only
CREATE EXTENSION IF NOT EXISTS pgtap;
DROP EXTENSION IF EXISTS por CASCADE;
CREATE EXTENSION por;
SET por.batch_log2 = 3;
-- fan-in 2: the cheapest aggregation for these one- and two-batch snapshots (the default 4 is for large ones)
SET por.fan_in_log2 = 1;
SELECT plan(36);

CREATE TEMP TABLE ledger (account_id text, asset text, equity numeric, debt numeric);
INSERT INTO ledger
SELECT 'u' || a, s, (a * 7 % 1000) / 100.0 + (CASE WHEN s = 'USD' THEN 500 ELSE 0 END), (a % 3) * 1.5
  FROM generate_series(1, 50) a, unnest(ARRAY['USD', 'EUR', 'GBP']) s;
INSERT INTO ledger SELECT 'u' || a, 'EUR', 1, 0 FROM generate_series(1, 50, 5) a;

CREATE TEMP TABLE t AS SELECT por_snapshot_create('ledger',
  '{"USD": {"decimals": 2, "price": "1"}, "EUR": {"decimals": 2, "price": "1.08"}, "GBP": {"decimals": 2, "price": "1.27", "haircut": 90}}') AS id;

SELECT is((SELECT account_count FROM por.snapshots WHERE snapshot_id = (SELECT id FROM t)), 50::bigint, 'one account per account_id');
SELECT is((SELECT leaf_count FROM por.snapshots WHERE snapshot_id = (SELECT id FROM t)), 56::bigint, 'padded to whole batches of 8');
SELECT is((SELECT count(*) FROM por.leaves WHERE snapshot_id = (SELECT id FROM t) AND account_id IS NULL), 6::bigint, 'six padding leaves');
SELECT is((SELECT count(DISTINCT id_commitment) FROM por.leaves WHERE snapshot_id = (SELECT id FROM t)), 56::bigint, 'every leaf has its own commitment, padding included');
SELECT ok((SELECT bool_and(equity = '{0,0,0}' AND debt = '{0,0,0}') FROM por.leaves WHERE snapshot_id = (SELECT id FROM t) AND account_id IS NULL), 'padding leaves have zero balances');

-- totals equal plain SUMs of the source, per asset, exactly
SELECT results_eq(
  $$SELECT asset, equity, debt FROM por_snapshot_totals((SELECT id FROM t)) ORDER BY asset$$,
  $$SELECT asset, sum(equity), sum(debt) FROM ledger GROUP BY asset ORDER BY asset$$,
  'por_snapshot_totals = SUM over the source');
SELECT results_eq(
  $$SELECT l.account_id, l.equity[1] FROM por.leaves l WHERE l.snapshot_id = (SELECT id FROM t) AND l.account_id IS NOT NULL ORDER BY 1$$,
  $$SELECT account_id, (sum(equity) * 100)::bigint FROM ledger WHERE asset = 'EUR' GROUP BY 1 ORDER BY 1$$,
  'rows of one account and asset add up, in smallest units (EUR is column 1: symbols sort)');

-- prove: root, idempotent, aggregate agrees
SELECT is(octet_length(por_prove((SELECT id FROM t))), 32, 'por_prove returns a 32-byte root');
SELECT is(por_prove((SELECT id FROM t)), por_root((SELECT id FROM t)), 'second por_prove returns the stored root');
SELECT is((SELECT count(*) FROM por.run_log WHERE snapshot_id = (SELECT id FROM t) AND action = 'prove'), 1::bigint, 'proved once, not twice');
SELECT is((SELECT (por_tree_agg(id_commitment, equity, debt)).root FROM por.leaves WHERE snapshot_id = (SELECT id FROM t)),
          por_root((SELECT id FROM t)), 'aggregate root = stored root');
SELECT is((SELECT (por_tree_agg(id_commitment, equity, debt ORDER BY leaf_index DESC)).root FROM por.leaves WHERE snapshot_id = (SELECT id FROM t)),
          por_root((SELECT id FROM t)), 'aggregate root does not depend on row order');
SELECT is((SELECT (por_tree_agg(id_commitment, equity, debt)).equity_totals FROM por.leaves WHERE snapshot_id = (SELECT id FROM t)),
          (SELECT array_agg(equity_total ORDER BY asset_no) FROM por.snapshot_assets WHERE snapshot_id = (SELECT id FROM t)),
          'aggregate equity totals = stored totals');
SELECT is((SELECT (por_tree_agg(id_commitment, equity, debt)).debt_totals FROM por.leaves WHERE snapshot_id = (SELECT id FROM t)),
          (SELECT array_agg(debt_total ORDER BY asset_no) FROM por.snapshot_assets WHERE snapshot_id = (SELECT id FROM t)),
          'aggregate debt totals = stored totals');
SELECT isnt((SELECT (por_tree_agg(id_commitment, equity, debt)).root FROM por.leaves WHERE snapshot_id = (SELECT id FROM t) AND leaf_index <> 3),
          por_root((SELECT id FROM t)), 'dropping one leaf changes the root');
SELECT isnt((SELECT (por_tree_agg(id_commitment, CASE WHEN leaf_index = 5 THEN ARRAY[equity[1] + 1, equity[2], equity[3]] ELSE equity END, debt)).root
               FROM por.leaves WHERE snapshot_id = (SELECT id FROM t)),
          por_root((SELECT id FROM t)), 'one more unit of one balance changes the root');

-- parallel aggregation gives the same root
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
CREATE TEMP TABLE big_leaves AS SELECT * FROM por.leaves WHERE snapshot_id = (SELECT id FROM t);
ANALYZE big_leaves;
SELECT is((SELECT (por_tree_agg(id_commitment, equity, debt)).root FROM big_leaves), por_root((SELECT id FROM t)),
          'parallel-capable plan gives the same root');
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size; RESET max_parallel_workers_per_gather;

-- inclusion proofs of every account verify against the root; no other root
SELECT is((SELECT count(*) FROM por.leaves l WHERE l.snapshot_id = (SELECT id FROM t) AND l.account_id IS NOT NULL
            AND por_verify_inclusion(por_inclusion_proof(l.snapshot_id, l.account_id), por_root(l.snapshot_id))), 50::bigint,
          'all 50 inclusion proofs verify against the root');
SELECT is((SELECT (p -> 'account' ->> 'leaf_index')::bigint FROM por_inclusion_proof_json((SELECT id FROM t), 'u7') p),
          (SELECT leaf_index FROM por.leaves WHERE snapshot_id = (SELECT id FROM t) AND account_id = 'u7'), 'proof carries the leaf index');
SELECT is((SELECT jsonb_array_length(p -> 'path') FROM por_inclusion_proof_json((SELECT id FROM t), 'u7') p), 6, 'path length = depth ceil(log2 56)');
SELECT ok(NOT por_verify_inclusion(por_inclusion_proof((SELECT id FROM t), 'u7'), '\x0000000000000000000000000000000000000000000000000000000000000000'), 'wrong root rejected');
SELECT ok(NOT (por_inclusion_proof_json((SELECT id FROM t), 'u7')::text ~ 'u8"'), 'a proof names no other account');

-- a second snapshot of the same data: new salts, so no leaf links across snapshots
CREATE TEMP TABLE t2 AS SELECT por_snapshot_create('ledger',
  '{"USD": {"decimals": 2, "price": "1"}, "EUR": {"decimals": 2, "price": "1.08"}, "GBP": {"decimals": 2, "price": "1.27", "haircut": 90}}') AS id;
SELECT is((SELECT count(*) FROM por.leaves a JOIN por.leaves b USING (id_commitment) WHERE a.snapshot_id = (SELECT id FROM t) AND b.snapshot_id = (SELECT id FROM t2)),
          0::bigint, 'no id commitment repeats across snapshots');
SELECT isnt(por_prove((SELECT id FROM t2)), por_root((SELECT id FROM t)), 'same balances, different snapshot, different root');
SELECT isnt((SELECT params_digest FROM por.snapshots WHERE snapshot_id = (SELECT id FROM t2)),
            (SELECT params_digest FROM por.snapshots WHERE snapshot_id = (SELECT id FROM t)), 'params digest binds the snapshot id');

-- bad input classes: error and nothing written
CREATE TEMP TABLE before AS SELECT (SELECT count(*) FROM por.snapshots) s, (SELECT count(*) FROM por.leaves) l, (SELECT count(*) FROM por.snapshot_assets) a;
SELECT throws_ok($$SELECT por_snapshot_create($q$VALUES ('x', 'USD', -1, 0)$q$, '{"USD": {"decimals": 2, "price": "1"}}')$$, '22003', 'equity is negative', 'negative balance rejected');
SELECT throws_ok($$SELECT por_snapshot_create($q$VALUES ('x', 'USD', 0.001, 0)$q$, '{"USD": {"decimals": 2, "price": "1"}}')$$, '22003', NULL, 'too many decimals rejected');
SELECT throws_ok($$SELECT por_snapshot_create($q$VALUES ('x', 'USD', 46116860184273879.04, 0)$q$, '{"USD": {"decimals": 2, "price": "1"}}')$$, '22003', NULL, 'overflow rejected');
SELECT throws_ok($$SELECT por_snapshot_create($q$VALUES ('x', 'JPY', 1, 0)$q$, '{"USD": {"decimals": 2, "price": "1"}}')$$, '23503', NULL, 'unknown asset rejected');
SELECT throws_ok($$SELECT por_snapshot_create($q$VALUES ('x', 'USD', NULL::numeric, 0)$q$, '{"USD": {"decimals": 2, "price": "1"}}')$$, '22004', NULL, 'NULL rejected');
SELECT throws_ok($$SELECT por_snapshot_create($q$VALUES ('x', 'USD', 1, 1.01)$q$, '{"USD": {"decimals": 2, "price": "1"}}')$$, '23514', 'account is insolvent', 'insolvent account rejected');
SELECT throws_ok($$SELECT por_snapshot_create('ledger', '{"USD": {"price": "1"}}')$$, '22023', 'malformed assets', 'malformed assets rejected');
SELECT throws_ok($$SELECT por_snapshot_create('ledger', '{"USD": {"decimals": 2, "price": "1"}}')$$, '23503', NULL, 'an asset missing from assets rejected');
SELECT throws_ok($$SELECT por_snapshot_create($q$SELECT 'x', 'USD', 1$q$, '{"USD": {"decimals": 2, "price": "1"}}')$$, '42804', NULL, 'wrong column count rejected');
SELECT throws_ok($$SELECT por_prove(-5)$$, '42704', 'snapshot -5 does not exist', 'unknown snapshot rejected');
SELECT results_eq($$SELECT (SELECT count(*) FROM por.snapshots), (SELECT count(*) FROM por.leaves), (SELECT count(*) FROM por.snapshot_assets)$$,
                  $$SELECT s, l, a FROM before$$, 'failed calls wrote nothing');

SELECT * FROM finish();
DROP EXTENSION por CASCADE;
