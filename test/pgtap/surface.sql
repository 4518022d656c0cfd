-- pgTAP: the operator and customer surface, behaviour: shape arguments,
-- NULL/zero inputs writing nothing, one-call scheduling, unknown snapshots,
-- dropping and retiring snapshots, what customers can read, column comments,
-- installing into another schema.
\set ON_ERROR_STOP 1
-- no enclosing transaction: por_prove's worker proves committed snapshots only
CREATE EXTENSION IF NOT EXISTS pgtap;
DROP EXTENSION IF EXISTS por CASCADE;
CREATE EXTENSION por;
SET por.batch_log2 = 1;
-- fan-in 2: the cheapest aggregation for these one- and two-batch snapshots (the default 4 is for large ones)
SET por.fan_in_log2 = 1;
SELECT plan(54);

CREATE TABLE surface_ledger (account_id text, asset text, equity numeric, debt numeric);
INSERT INTO surface_ledger VALUES ('c1', 'USD', 10, 0), ('c2', 'USD', 20, 5), ('c3', 'USD', 30, 0);
CREATE ROLE surface_op IN ROLE por_operator;
CREATE ROLE surface_cust IN ROLE por_customer;
GRANT SELECT ON surface_ledger TO surface_op;
INSERT INTO por.account_owners VALUES ('c1', 'surface_cust');
\set usd '{"USD": {"decimals": 2, "price": "1"}}'
CREATE TEMP TABLE usd AS SELECT :'usd'::jsonb AS a;
CREATE TEMP TABLE counts AS SELECT 0::bigint s, 0::bigint l, 0::bigint r;
CREATE FUNCTION pg_temp.snapshot_rows() RETURNS TABLE (s bigint, l bigint, r bigint) LANGUAGE sql
    AS $$SELECT (SELECT count(*) FROM por.snapshots), (SELECT count(*) FROM por.leaves), (SELECT count(*) FROM por.run_log)$$;

-- the shape as arguments, recorded in the snapshot; an operator can also SET it
CREATE TEMP TABLE shaped AS SELECT por_snapshot_create('surface_ledger', :'usd', batch_log2 => 2, balance_bits => 40) AS id;
SELECT is((SELECT batch_log2 || '/' || balance_bits || '/' || leaf_count FROM por.snapshots WHERE snapshot_id = (SELECT id FROM shaped)),
          '2/40/4', 'batch_log2 and balance_bits arguments are recorded (3 accounts padded to 4)');
SET ROLE surface_op;
SET por.batch_log2 = 3;
SELECT is(current_setting('por.batch_log2'), '3', 'an operator can SET por.batch_log2');
CREATE TEMP TABLE op_set AS SELECT por_snapshot_create('surface_ledger', :'usd') AS id;
CREATE TEMP TABLE op_arg AS SELECT por_snapshot_create('surface_ledger', :'usd', balance_bits => 12) AS id;
RESET por.batch_log2;
RESET ROLE;
SET por.batch_log2 = 1;
SELECT is((SELECT batch_log2 FROM por.snapshots WHERE snapshot_id = (SELECT id FROM op_set)), 3, 'the operator''s setting shapes its snapshot');
SELECT is((SELECT balance_bits FROM por.snapshots WHERE snapshot_id = (SELECT id FROM op_arg)), 12, 'the operator''s argument shapes its snapshot');
SELECT throws_ok($$SELECT por_snapshot_create('surface_ledger', '{"USD": {"decimals": 2, "price": "1"}}', balance_bits => 11)$$, '22003', NULL,
                 'the balance_bits argument is enforced (3000 cents >= 2^11)');

-- NULL source or assets, zero prices: an error and nothing written
DELETE FROM counts; INSERT INTO counts SELECT * FROM pg_temp.snapshot_rows();
SELECT throws_ok($$SELECT por_snapshot_create(NULL, '{"USD": {"decimals": 2, "price": "1"}}')$$, '22004', 'source must not be NULL', 'NULL source');
SELECT throws_ok($$SELECT por_snapshot_create('surface_ledger', NULL)$$, '22004', 'assets must not be NULL', 'NULL assets');
SELECT throws_ok($$SELECT por_snapshot_create('surface_ledger', (SELECT a FROM usd WHERE false))$$, '22004', NULL,
                 'assets from a price query that found nothing');
SELECT throws_ok($$CALL por_snapshot_and_prove('surface_ledger', NULL)$$, '22004', NULL, 'NULL assets in the scheduler procedure');
SELECT throws_ok($$SELECT por_snapshot_create('surface_ledger', '{"USD": {"decimals": 2, "price": "0.00"}}')$$, '22023',
                 'price of asset "USD" is zero', 'zero price');
SELECT throws_ok($$SELECT por_snapshot_create('surface_ledger', '{"USD": {"decimals": 2, "price": "-1"}}')$$, '22023', NULL, 'negative price');
SELECT throws_ok($$SELECT por_snapshot_create('DELETE FROM surface_ledger RETURNING *', '{"USD": {"decimals": 2, "price": "1"}}')$$, '22023',
                 'source must be a query or a relation name', 'DELETE ... RETURNING as source');
SELECT throws_ok($$SELECT por_snapshot_create('WITH d AS (UPDATE surface_ledger SET debt = 0 RETURNING *) SELECT * FROM d', '{"USD": {"decimals": 2, "price": "1"}}')$$,
                 '22023', NULL, 'data-modifying WITH as source');
SELECT is((SELECT sum(debt) FROM surface_ledger), 5::numeric, 'the refused sources changed no ledger row');
SELECT throws_ok($$SELECT por_prove(por_snapshot_create('surface_ledger', '{"USD": {"decimals": 2, "price": "1"}}'))$$, '25000', NULL,
                 'snapshot and prove in one statement is 25000');
SELECT throws_ok($$SELECT por_snapshot_create($q$VALUES ('x', 'USD', 1, 2)$q$, '{"USD": {"decimals": 2, "price": "1"}}')$$, '23514', 'account is insolvent',
                 'insolvent');
SELECT results_eq($$SELECT * FROM pg_temp.snapshot_rows()$$, $$SELECT * FROM counts$$, 'no snapshot, leaf or log entry was written');

-- one call for schedulers: the id and the root come back
CALL por_snapshot_and_prove('surface_ledger', :'usd', batch_log2 => 1) \gset cron_
SELECT is(:'cron_root'::bytea, por_root(:cron_snapshot_id), 'por_snapshot_and_prove returns the snapshot id and its root');
SELECT is((SELECT batch_log2 FROM por.snapshots WHERE snapshot_id = :cron_snapshot_id), 1, '... shaped by its batch_log2 argument');
SELECT is((SELECT (detail ->> 'backend_pid')::int FROM por.run_log WHERE snapshot_id = :cron_snapshot_id AND action = 'snapshot_create'),
          pg_backend_pid(), 'the run log names the calling backend (cron.job_run_details.job_pid)');

-- an unknown snapshot is 42704 in every function taking a snapshot id
SELECT throws_ok($$SELECT por_root(-7)$$, '42704', 'snapshot -7 does not exist', 'por_root');
SELECT throws_ok($$SELECT por_params_digest(-7)$$, '42704', 'snapshot -7 does not exist', 'por_params_digest');
SELECT throws_ok($$SELECT * FROM por_snapshot_totals(-7)$$, '42704', 'snapshot -7 does not exist', 'por_snapshot_totals');
SELECT throws_ok($$SELECT * FROM por_batch_proofs(-7)$$, '42704', 'snapshot -7 does not exist', 'por_batch_proofs');
SELECT throws_ok($$SELECT por_inclusion_proof(-7, 'c1')$$, '42704', 'snapshot -7 does not exist', 'por_inclusion_proof');
SELECT throws_ok($$SELECT por_snapshot_drop(-7)$$, '42704', 'snapshot -7 does not exist', 'por_snapshot_drop');
SELECT is(por_root((SELECT id FROM shaped)), NULL::bytea, 'por_root of a known unproven snapshot is still NULL');

-- customers read the published columns and their own leaves, nothing else
SET ROLE surface_cust;
SELECT throws_ok($$SELECT source FROM por.snapshots$$, '42501', NULL, 'a customer cannot read the source query');
SELECT throws_ok($$SELECT created_by FROM por.snapshots$$, '42501', NULL, 'nor who created the snapshot');
SELECT throws_ok($$SELECT count(*) FROM por.run_log$$, '42501', NULL, 'nor the run log');
SELECT throws_ok($$SELECT count(*) FROM por.prove_progress$$, '42501', NULL, 'nor the progress table');
SELECT throws_ok($$SELECT count(*) FROM por.tree_levels$$, '42501', NULL, 'nor the whole tree');
SELECT is((SELECT root FROM por.snapshots WHERE snapshot_id = :cron_snapshot_id), por_root(:cron_snapshot_id),
          'a customer reads the published root');
SELECT ok(por_verify_inclusion(por_inclusion_proof(:cron_snapshot_id, 'c1'), por_root(:cron_snapshot_id), por_params_digest(:cron_snapshot_id)),
          'a customer gets and verifies its own inclusion proof');
SELECT is((SELECT count(*) FROM por.leaves WHERE account_id = 'c1'), 4::bigint, 'a customer sees its own leaf in each of the 4 snapshots');
SELECT is((SELECT count(*) FROM por.leaves WHERE account_id IS DISTINCT FROM 'c1'), 0::bigint, '... and no other leaf');
RESET ROLE;

-- dropping: a proven snapshot with everything hanging off it; a frozen orphan by an operator
SELECT is((SELECT count(*) FROM por.batch_proofs WHERE snapshot_id = :cron_snapshot_id) > 0
          AND (SELECT count(*) FROM por.aggregation_proofs WHERE snapshot_id = :cron_snapshot_id) > 0, true,
          'the proven snapshot has batch and aggregation proofs');
SELECT lives_ok(format('SELECT por_snapshot_drop(%s)', :cron_snapshot_id), 'por_snapshot_drop of a proven snapshot');
SELECT is((SELECT (SELECT count(*) FROM por.snapshots WHERE snapshot_id = :cron_snapshot_id) + (SELECT count(*) FROM por.leaves WHERE snapshot_id = :cron_snapshot_id)
              + (SELECT count(*) FROM por.snapshot_assets WHERE snapshot_id = :cron_snapshot_id) + (SELECT count(*) FROM por.tree_levels WHERE snapshot_id = :cron_snapshot_id)
              + (SELECT count(*) FROM por.batch_proofs WHERE snapshot_id = :cron_snapshot_id) + (SELECT count(*) FROM por.run_log WHERE snapshot_id = :cron_snapshot_id)
              + (SELECT count(*) FROM por.prove_progress WHERE snapshot_id = :cron_snapshot_id)
              + (SELECT count(*) FROM por.aggregation_proofs WHERE snapshot_id = :cron_snapshot_id)),
          0::bigint, 'its rows are gone from every table');
SET ROLE surface_op;
SELECT lives_ok($$SELECT por_snapshot_drop((SELECT id FROM op_set))$$, 'an operator drops a frozen orphan');
SELECT throws_ok($$DELETE FROM por.snapshots$$, '42501', NULL, 'only the function deletes: an operator has no DELETE');
RESET ROLE;
SELECT is((SELECT count(*) FROM por.snapshots WHERE snapshot_id IN ((SELECT id FROM op_set), (SELECT id FROM op_arg))), 1::bigint,
          'only the dropped snapshot went');

-- retention: keep_last counts proven snapshots and keeps everything after the oldest kept one
CREATE TEMP TABLE cleared AS SELECT por_snapshot_drop(snapshot_id)::text FROM por.snapshots;
CREATE TEMP TABLE r (name text, id bigint);
INSERT INTO r SELECT 'a', por_snapshot_create('surface_ledger', :'usd');
INSERT INTO r SELECT 'b', por_snapshot_create('surface_ledger', :'usd');
INSERT INTO r SELECT 'c', por_snapshot_create('surface_ledger', :'usd');
INSERT INTO r SELECT 'd', por_snapshot_create('surface_ledger', :'usd');
INSERT INTO r SELECT 'e', por_snapshot_create('surface_ledger', :'usd');
CREATE TEMP TABLE proven AS SELECT por_prove(id) FROM r WHERE name IN ('a', 'b', 'd') ORDER BY id;
SELECT is(por_snapshot_retain(older_than => '1 hour'), 0::bigint, 'older_than spares snapshots taken within the interval');
SELECT is(por_snapshot_retain(keep_last => 5), 0::bigint, 'fewer proven snapshots than keep_last: all kept');
BEGIN;
SET ROLE surface_op;
SELECT is(por_snapshot_retain(keep_last => 2), 1::bigint, 'keep_last => 2 drops one snapshot (run by an operator)');
RESET ROLE;
SELECT is((SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()), 0::bigint,
          'no snapshot lock is left held until commit (a pass over thousands fits the lock table)');
COMMIT;
SELECT is((SELECT string_agg(name, ',' ORDER BY name) FROM r JOIN por.snapshots s ON s.snapshot_id = r.id), 'b,c,d,e',
          'the newest two proven (b, d) and everything after b stay; a goes');
UPDATE por.snapshots SET snapshot_time = snapshot_time - interval '2 days' WHERE snapshot_id = (SELECT id FROM r WHERE name = 'c');
SELECT is(por_snapshot_retain(keep_last => 1, older_than => '1 day'), 1::bigint, 'both arguments: only what both let go');
SELECT is((SELECT string_agg(name, ',' ORDER BY name) FROM r JOIN por.snapshots s ON s.snapshot_id = r.id), 'b,d,e',
          'the frozen orphan older than a day went; b, younger, stayed');

-- every column of every table of schema por has a comment
SELECT is((SELECT string_agg(c.relname || '.' || a.attname, ', ')
             FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
            WHERE c.relnamespace = 'por'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
              AND col_description(c.oid, a.attnum) IS NULL), NULL::text, 'every column of the por tables has a comment');

-- installing into another schema works end to end
DROP EXTENSION por CASCADE;
CREATE SCHEMA surface_elsewhere;
CREATE FUNCTION surface_elsewhere.neighbour() RETURNS int LANGUAGE sql RETURN 1;
CREATE EXTENSION por SCHEMA surface_elsewhere;
SELECT ok(has_function_privilege('surface_cust', 'surface_elsewhere.neighbour()', 'EXECUTE'),
          'installing por leaves the EXECUTE privilege of other functions in its schema alone');
SELECT ok(NOT has_function_privilege('surface_cust', 'surface_elsewhere.por_snapshot_create(text, jsonb, int, int)', 'EXECUTE'),
          '... while its own functions are not executable by PUBLIC');
SELECT is((SELECT count(*) FROM pg_proc WHERE proname LIKE 'por\_%' AND pronamespace = 'surface_elsewhere'::regnamespace) > 20, true,
          'CREATE EXTENSION por SCHEMA surface_elsewhere puts the functions there');
CALL surface_elsewhere.por_snapshot_and_prove('surface_ledger', :'usd') \gset other_
SELECT ok(surface_elsewhere.por_verify_inclusion(surface_elsewhere.por_inclusion_proof(:other_snapshot_id, 'c2'), :'other_root'::bytea),
          '... and snapshot, prove and inclusion proofs work from there');
DROP EXTENSION por CASCADE;
DROP SCHEMA surface_elsewhere CASCADE;
CREATE EXTENSION por;

SELECT * FROM finish();
DROP EXTENSION por CASCADE;
DROP TABLE surface_ledger;
DROP OWNED BY surface_op, surface_cust;
DROP ROLE surface_op, surface_cust;
