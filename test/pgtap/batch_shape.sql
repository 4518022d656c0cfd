-- pgTAP: the batch shape of new snapshots: the defaults (automatic batch
-- size, fan-in 4), what "automatic" picks (por_batch_auto_log2: the largest
-- batch within the verifiers' cost cap of 2^16 circuit rows, not above the
-- account count's power of two), an explicit batch_log2 honored, and the cap
-- at its boundary (2048 accounts x 56 assets is 2^16 rows, x 57 is 2^17).
-- Nothing is proven: the shape is decided and recorded at creation.
\set ON_ERROR_STOP 1
CREATE EXTENSION IF NOT EXISTS pgtap;
DROP EXTENSION IF EXISTS por CASCADE;
CREATE EXTENSION por;
SELECT plan(13);

SELECT is(current_setting('por.batch_log2'), '-1', 'por.batch_log2 defaults to -1: automatic');
SELECT is(current_setting('por.fan_in_log2'), '2', 'por.fan_in_log2 defaults to 2: fan-in 4');

-- assets A1..An at price 1, and a source of `accounts` accounts holding 1 unit of A1 each
CREATE FUNCTION pg_temp.assets(n int) RETURNS jsonb LANGUAGE sql
    AS $$SELECT jsonb_object_agg('A' || i, '{"decimals": 0, "price": "1"}'::jsonb) FROM generate_series(1, n) i$$;
CREATE FUNCTION pg_temp.source(accounts int) RETURNS text LANGUAGE sql
    AS $$SELECT format('SELECT ''u'' || g, ''A1'', 1, 0 FROM generate_series(1, %s) g', accounts)$$;
CREATE FUNCTION pg_temp.shape(id bigint) RETURNS text LANGUAGE sql
    AS $$SELECT batch_log2 || '/' || leaf_count FROM por.snapshots WHERE snapshot_id = id$$;

-- automatic: the setting's default, NULL or -1 as the argument
SELECT is(pg_temp.shape(por_snapshot_create(pg_temp.source(3), pg_temp.assets(1))), '2/4',
          'auto, 3 accounts: one batch of 4, not of 4096');
SELECT is(pg_temp.shape(por_snapshot_create(pg_temp.source(1024), pg_temp.assets(53), batch_log2 => NULL)), '10/1024',
          'auto, 1024 x 53: one batch of 1024 (the account count is a power of two)');
SELECT is(pg_temp.shape(por_snapshot_create(pg_temp.source(1025), pg_temp.assets(56))), '11/2048',
          'auto, 1025 x 56: a batch of 2048 (2^16 rows)');
SET por.batch_log2 = 3;
SELECT is(pg_temp.shape(por_snapshot_create(pg_temp.source(1025), pg_temp.assets(57), batch_log2 => -1)), '10/2048',
          'auto (-1 as the argument, whatever the setting), 1025 x 57: two batches of 1024 (2048 x 57 is 2^17 rows)');
SELECT is(pg_temp.shape(por_snapshot_create(pg_temp.source(5000), pg_temp.assets(1), batch_log2 => -1)), '12/8192',
          'auto, 5000 x 1: batches of 4096, the largest of the cap');
SELECT is(pg_temp.shape(por_snapshot_create(pg_temp.source(3), pg_temp.assets(1))), '3/8',
          'an explicit setting is honored');
RESET por.batch_log2;
SELECT is(pg_temp.shape(por_snapshot_create(pg_temp.source(3), pg_temp.assets(1), batch_log2 => 5)), '5/32',
          'an explicit argument is honored');

-- the cap: an explicit batch of 2^16 rows is admitted, the first shape above refused
SELECT is(pg_temp.shape(por_snapshot_create(pg_temp.source(2), pg_temp.assets(56), batch_log2 => 11)), '11/2048',
          '2048 x 56 (2^16 rows) is admitted');
SELECT throws_ok($$SELECT por_snapshot_create(pg_temp.source(2), pg_temp.assets(57), batch_log2 => 11)$$, '54000',
                 'batches of 2^11 accounts x 57 assets are too large to prove',
                 '2048 x 57 (2^17 rows) is refused');
SELECT throws_ok($$SELECT por_snapshot_create(pg_temp.source(2), pg_temp.assets(33), batch_log2 => 12)$$, '54000',
                 'batches of 2^12 accounts x 33 assets are too large to prove',
                 '4096 x 33 (above 2^17 account-assets) is refused by the header cap');
SELECT throws_ok($$SELECT por_snapshot_create(pg_temp.source(2), pg_temp.assets(1), batch_log2 => -2)$$, '22023',
                 'batch_log2 must be between -1 and 20', 'batch_log2 below -1 is out of range');

SELECT * FROM finish();
