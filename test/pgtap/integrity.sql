-- pgTAP: por's integrity machinery short of proving: the frozen commitment
-- that por_snapshot_create writes, what pg_dump keeps, the states of
-- por.prove_status, and por_prove's refusals before any proof is made.
\set ON_ERROR_STOP 1
-- no enclosing transaction: por_prove's worker sees committed snapshots only
CREATE EXTENSION IF NOT EXISTS pgtap;
DROP EXTENSION IF EXISTS por CASCADE;
CREATE EXTENSION por;
SET por.batch_log2 = 2;
-- fan-in 2: the cheapest aggregation for these one- and two-batch snapshots (the default 4 is for large ones)
SET por.fan_in_log2 = 1;
SELECT plan(21);

-- pg_dump keeps por's data: every table and sequence of schema por is extension configuration
SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'por' AND c.relkind IN ('r', 'p', 'S')
              AND c.oid <> ALL ((SELECT extconfig FROM pg_extension WHERE extname = 'por')::oid[])),
          NULL, 'every table and sequence of schema por is extension configuration (pg_dump keeps it)');
SELECT is((SELECT count(*)::int FROM pg_extension e, unnest(e.extconfig) c WHERE e.extname = 'por'), 12, 'twelve of them (aggregation_proofs the twelfth)');
SELECT is((SELECT e.extcondition[array_position(e.extconfig, 'por.prove_progress'::regclass::oid)] FROM pg_extension e WHERE e.extname = 'por'),
          $$WHERE phase IN ('done', 'failed', 'cancelled', 'crashed')$$, 'progress is dumped only for runs that ended');

-- the commitment: written with the snapshot, over the leaves as written
CREATE TEMP TABLE snaps AS
SELECT g AS n, por_snapshot_create($$SELECT 'u' || g, 'USD', g * 10, 0 FROM generate_series(1, 9) g$$,
                                   '{"USD": {"decimals": 0, "price": "1"}}') AS id
  FROM generate_series(1, 4) g;
SELECT is((SELECT count(*)::int FROM por.snapshot_commitments WHERE snapshot_id IN (SELECT id FROM snaps)), 4, 'one commitment per snapshot');
SELECT is((SELECT root FROM por.snapshot_commitments WHERE snapshot_id = (SELECT id FROM snaps WHERE n = 1)),
          (SELECT (por_tree_agg(id_commitment, equity, debt)).root FROM por.leaves WHERE snapshot_id = (SELECT id FROM snaps WHERE n = 1)),
          'the frozen root is the root of the tree over the frozen leaves, padding included');
SELECT is((SELECT batch_roots FROM por.snapshot_commitments WHERE snapshot_id = (SELECT id FROM snaps WHERE n = 1)),
          (SELECT string_agg(r, ''::bytea ORDER BY b) FROM (
              SELECT leaf_index / 4 AS b, (por_tree_agg(id_commitment, equity, debt)).root AS r
                FROM por.leaves WHERE snapshot_id = (SELECT id FROM snaps WHERE n = 1) GROUP BY 1) x),
          'the frozen batch roots are the subtree roots of the batches, in batch order');
SELECT is((SELECT count(DISTINCT mac)::int FROM por.snapshot_commitments WHERE snapshot_id IN (SELECT id FROM snaps)), 4,
          'the same ledger frozen four times: four MACs');
SELECT is((SELECT octet_length(mac) FROM por.snapshot_commitments WHERE snapshot_id = (SELECT id FROM snaps WHERE n = 1)), 32, 'a 32-byte MAC');

-- prove_status: the state of the latest run, an estimate only while it runs
INSERT INTO por.batch_proofs (snapshot_id, batch_no, batch_root, params_digest, equity_totals, debt_totals, proof, prove_ms)
SELECT id, 0, por_poseidon_hash('{1}'), por_poseidon_hash('{2}'), '{0}', '{0}', '\x00', 2000 FROM snaps WHERE n = 2;
INSERT INTO por.prove_progress (snapshot_id, phase, batches_done, batches_total, worker_pid, started_at, updated_at)
SELECT id, 'batches', 1, 3, pg_backend_pid(), now(), now() FROM snaps WHERE n = 2;
CREATE TEMP VIEW st AS SELECT state, running, seconds_left FROM por.prove_status WHERE snapshot_id = (SELECT id FROM snaps WHERE n = 2);
SELECT is((SELECT state || ' ' || running || ' ' || coalesce(seconds_left::text, '-') FROM st), 'crashed false -',
          'a run not ended whose worker does not hold the snapshot''s lock: crashed, no estimate');
DO $$ BEGIN PERFORM pg_advisory_lock(7368562, (SELECT id FROM snaps WHERE n = 2)::int); END $$;
SELECT is((SELECT state || ' ' || running || ' ' || coalesce(seconds_left::text, '-') FROM st), 'running true 4.0',
          'its worker holding the lock: running, with an estimate (2 batches left at 2 s)');
UPDATE por.prove_progress SET worker_pid = pg_backend_pid() + 1 WHERE snapshot_id = (SELECT id FROM snaps WHERE n = 2);
SELECT is((SELECT state FROM st), 'crashed', 'the lock held by another process than the recorded worker: crashed');
UPDATE por.prove_progress SET worker_pid = pg_backend_pid(), phase = 'failed' WHERE snapshot_id = (SELECT id FROM snaps WHERE n = 2);
SELECT is((SELECT state || ' ' || running || ' ' || coalesce(seconds_left::text, '-') FROM st), 'failed false -', 'failed: no estimate');
UPDATE por.prove_progress SET phase = 'cancelled' WHERE snapshot_id = (SELECT id FROM snaps WHERE n = 2);
SELECT is((SELECT state || ' ' || coalesce(seconds_left::text, '-') FROM st), 'cancelled -', 'cancelled: no estimate');
UPDATE por.prove_progress SET phase = 'crashed' WHERE snapshot_id = (SELECT id FROM snaps WHERE n = 2);
SELECT is((SELECT state || ' ' || coalesce(seconds_left::text, '-') FROM st), 'crashed -', 'crashed (recorded): no estimate');
UPDATE por.prove_progress SET phase = 'done' WHERE snapshot_id = (SELECT id FROM snaps WHERE n = 2);
SELECT is((SELECT state || ' ' || coalesce(seconds_left::text, '-') FROM st), 'proven -', 'done: proven, no estimate');
DO $$ BEGIN PERFORM pg_advisory_unlock(7368562, (SELECT id FROM snaps WHERE n = 2)::int); END $$;
DELETE FROM por.batch_proofs WHERE snapshot_id = (SELECT id FROM snaps WHERE n = 2);
DELETE FROM por.prove_progress WHERE snapshot_id = (SELECT id FROM snaps WHERE n = 2);

-- por_prove refuses before proving anything
DELETE FROM por.snapshot_commitments WHERE snapshot_id = (SELECT id FROM snaps WHERE n = 3);
SELECT throws_ok(format('SELECT por_prove(%s)', (SELECT id FROM snaps WHERE n = 3)), 'XX001', NULL, 'no frozen commitment: refused');
SELECT is((SELECT outcome || ' ' || error_sqlstate || ' ' || (error_message LIKE '%has no frozen commitment%') FROM por.run_log
            WHERE snapshot_id = (SELECT id FROM snaps WHERE n = 3) AND action = 'prove'), 'failed XX001 true', '... logged as failed, with the reason');
UPDATE por.snapshots SET key_id = '0000000000000000' WHERE snapshot_id = (SELECT id FROM snaps WHERE n = 4);
SELECT throws_ok(format('SELECT por_prove(%s)', (SELECT id FROM snaps WHERE n = 4)), '55000', NULL,
                 'a snapshot frozen under another master key: refused');
SELECT is((SELECT error_message LIKE '%frozen under master key 0000000000000000, the server has key%' FROM por.prove_status
            WHERE snapshot_id = (SELECT id FROM snaps WHERE n = 4)), true, '... naming both key ids (never the key)');
SELECT is((SELECT count(*)::int FROM por.batch_proofs WHERE snapshot_id IN (SELECT id FROM snaps)), 0, 'no batch proof was made');
SELECT is((SELECT count(*)::int FROM por.snapshots WHERE snapshot_id IN (SELECT id FROM snaps) AND status = 'proven'), 0, 'nothing was proven');

SELECT * FROM finish();
DROP EXTENSION por CASCADE;
