-- The SQL surface's errors, exactly: NULL and zero inputs, sources that are not
-- queries, shape arguments out of bounds, unknown snapshots, proving a snapshot
-- of the same statement, retention arguments.
-- fan-in 2: the cheapest aggregation for these one- and two-batch snapshots (the default 4 is for large ones)
SET por.fan_in_log2 = 1;
SET por.batch_log2 = 1;
CREATE TABLE surface_ledger (account_id text, asset text, equity numeric, debt numeric);
INSERT INTO surface_ledger VALUES ('s1', 'BTC', 1, 0), ('s2', 'BTC', 2, 0.5);
\set btc '{"BTC": {"decimals": 8, "price": "65000.25", "haircut": 90}}'
CREATE TEMP TABLE counts_before AS
  SELECT (SELECT count(*) FROM por.snapshots) AS s, (SELECT count(*) FROM por.leaves) AS l, (SELECT count(*) FROM por.run_log) AS r;

-- NULL inputs, zero and negative prices (a price function that found nothing)
SELECT por_snapshot_create(NULL, :'btc');
SELECT por_snapshot_create('surface_ledger', NULL);
CALL por_snapshot_and_prove('surface_ledger', NULL);
SELECT por_snapshot_create('surface_ledger', '{"BTC": {"decimals": 8, "price": "0"}}');
SELECT por_snapshot_create('surface_ledger', '{"BTC": {"decimals": 8, "price": 0.000}}');
SELECT por_snapshot_create('surface_ledger', '{"BTC": {"decimals": 8, "price": "-0.01"}}');

-- the shape as arguments, with bounds
SELECT por_snapshot_create('surface_ledger', :'btc', batch_log2 => 21);
SELECT por_snapshot_create('surface_ledger', :'btc', batch_log2 => -2);
SELECT por_snapshot_create('surface_ledger', :'btc', balance_bits => 0);
SELECT por_snapshot_create('surface_ledger', :'btc', balance_bits => 63);
SELECT por_snapshot_create($$SELECT 's' || g, 'BTC', 1, 0 FROM generate_series(1, 3) g$$,
                           '{"A": {"decimals": 0, "price": "1"}, "BTC": {"decimals": 0, "price": "1"}}', batch_log2 => 18);

-- sources that are not one read-only query or a relation name
SELECT por_snapshot_create('DELETE FROM surface_ledger RETURNING *', :'btc');
SELECT por_snapshot_create('INSERT INTO surface_ledger VALUES (''x'', ''BTC'', 1, 0) RETURNING *', :'btc');
SELECT por_snapshot_create('WITH gone AS (DELETE FROM surface_ledger RETURNING *) SELECT * FROM gone', :'btc');
SELECT por_snapshot_create('SELECT * INTO TEMP copied FROM surface_ledger', :'btc');
SELECT por_snapshot_create('SELECT * FROM surface_ledger; DROP TABLE surface_ledger', :'btc');
SELECT por_snapshot_create('TRUNCATE surface_ledger', :'btc');
SELECT por_snapshot_create('SELEC * FROM surface_ledger', :'btc');
SELECT por_snapshot_create('  ;  ', :'btc');
SELECT count(*) AS ledger_rows_untouched FROM surface_ledger;

-- insolvency in USD: 1 BTC at 65000.25 with a 90% haircut covers 58500.225 USD, not 1.5 BTC of debt
SELECT por_snapshot_create($$VALUES ('s3', 'BTC', 1, 1.5)$$, :'btc');
SELECT por_snapshot_create($$VALUES ('s3', 'BTC', 0, 0.00000001)$$, :'btc');

SELECT (SELECT count(*) FROM por.snapshots) - s AS new_snapshots, (SELECT count(*) FROM por.leaves) - l AS new_leaves,
       (SELECT count(*) FROM por.run_log) - r AS new_log_entries
  FROM counts_before;

-- an unknown snapshot is 42704 everywhere
SELECT por_root(99999);
SELECT por_params_digest(99999);
SELECT * FROM por_snapshot_totals(99999);
SELECT * FROM por_batch_proofs(99999);
SELECT por_inclusion_proof(99999, 's1');
SELECT por_inclusion_proof_json(99999, 's1');
SELECT por_export_bundle(99999, '/tmp/por-no-such-bundle');
SELECT por_prove(99999);
SELECT por_snapshot_drop(99999);

-- snapshot and prove in one statement: the worker cannot see the snapshot yet
SELECT por_prove(por_snapshot_create('surface_ledger', :'btc')) IS NOT NULL AS proven;

-- retention arguments
SELECT por_snapshot_retain();
SELECT por_snapshot_retain(keep_last => 0);
SELECT por_snapshot_retain(older_than => '-1 day');

-- CREATE EXTENSION into schema por is refused (its data lives there)
DROP EXTENSION por CASCADE;
CREATE SCHEMA por;
CREATE EXTENSION por SCHEMA por;
DROP SCHEMA por;
CREATE EXTENSION por;
