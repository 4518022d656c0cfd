-- por 1.0 -> 1.1.  Every change of por--1.1.sql relative to por--1.0.sql has
-- its statement here, so ALTER EXTENSION por UPDATE gives the objects of a
-- fresh 1.1 install (sql/ tests compare the two).

\echo Use "ALTER EXTENSION por UPDATE TO '1.1'" to load this file. \quit

----------------------------------------------------------------------------
-- integrity (pgint): the frozen commitment, every run's outcome, backups

-- What por_snapshot_create froze: the root and the batch roots of the tree
-- over the leaves it wrote, and a MAC under the master key over them, the
-- snapshot's shape and its params digest.  por_prove checks the leaves, the
-- stored tree levels and the batch proofs against it on every run.
CREATE TABLE por.snapshot_commitments (
    snapshot_id bigint PRIMARY KEY REFERENCES por.snapshots ON DELETE CASCADE,
    root        bytea NOT NULL CHECK (octet_length(root) = 32),
    batch_roots bytea NOT NULL CHECK (octet_length(batch_roots) % 32 = 0),
    mac         bytea NOT NULL CHECK (octet_length(mac) = 32),
    frozen_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);
COMMENT ON TABLE por.snapshot_commitments IS
    'commitment of each frozen snapshot, computed in por_snapshot_create''s transaction: tree root, batch roots (32 bytes each, in batch order), HMAC-SHA256 under the master key';
GRANT SELECT ON por.snapshot_commitments TO por_operator;

-- Every proving run ends here, however it ends.
ALTER TABLE por.run_log
    ADD COLUMN outcome text NOT NULL DEFAULT 'success' CHECK (outcome IN ('success', 'cancelled', 'crashed', 'failed')),
    ADD COLUMN error_sqlstate text,
    ADD COLUMN error_message text;
COMMENT ON TABLE por.run_log IS
    'what was done to each snapshot, by whom, how long it took and how it ended (success, cancelled, crashed, failed with SQLSTATE and message)';

ALTER TABLE por.prove_progress
    DROP CONSTRAINT prove_progress_phase_check,
    ADD CONSTRAINT prove_progress_phase_check
        CHECK (phase IN ('tree', 'setup', 'batches', 'finishing', 'done', 'failed', 'cancelled', 'crashed')),
    ADD COLUMN run_by name;

-- A run is alive while its worker holds the snapshot's advisory lock (key
-- class 'por' = 7368562, the snapshot id): pg_locks shows that to every role,
-- and a dead worker's pid reused by another process does not hold it.
CREATE OR REPLACE VIEW por.prove_status AS
SELECT p.snapshot_id, p.phase, p.batches_done, p.batches_total,
       round(100.0 * p.batches_done / greatest(p.batches_total, 1), 1) AS percent_done,
       w.alive AS running,
       p.worker_pid, p.started_at, p.updated_at,
       (CASE WHEN w.alive THEN
            (SELECT avg(b.prove_ms) / 1000.0 * (p.batches_total - p.batches_done)
               FROM por.batch_proofs b WHERE b.snapshot_id = p.snapshot_id) END)::numeric(12, 1) AS seconds_left,
       p.error_sqlstate, p.error_message,
       CASE WHEN p.phase = 'done' THEN 'proven'
            WHEN p.phase IN ('failed', 'cancelled', 'crashed') THEN p.phase
            WHEN w.alive THEN 'running'
            ELSE 'crashed' END AS state
  FROM por.prove_progress p
 CROSS JOIN LATERAL (
       SELECT p.phase IN ('tree', 'setup', 'batches', 'finishing')
              AND EXISTS (SELECT 1 FROM pg_catalog.pg_locks l
                           WHERE l.locktype = 'advisory' AND l.granted AND l.pid = p.worker_pid
                             AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d
                                                WHERE d.datname = pg_catalog.current_database())
                             AND l.classid = 7368562 AND l.objsubid = 2
                             AND l.objid = (p.snapshot_id & 4294967295)::oid)) AS w(alive);
COMMENT ON VIEW por.prove_status IS
    'proving runs for people: state (running, proven, failed, cancelled, crashed), percent done, seconds left while running';

-- pg_dump keeps por's data: every table and sequence is extension
-- configuration.  Progress only once a run has ended: a dump taken during a
-- run restores without it, and the next por_prove resumes from the batches
-- the dump holds.
SELECT pg_catalog.pg_extension_config_dump('por.snapshots', '');
SELECT pg_catalog.pg_extension_config_dump('por.snapshots_snapshot_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('por.snapshot_assets', '');
SELECT pg_catalog.pg_extension_config_dump('por.leaves', '');
SELECT pg_catalog.pg_extension_config_dump('por.snapshot_commitments', '');
SELECT pg_catalog.pg_extension_config_dump('por.tree_levels', '');
SELECT pg_catalog.pg_extension_config_dump('por.batch_proofs', '');
SELECT pg_catalog.pg_extension_config_dump('por.run_log', '');
SELECT pg_catalog.pg_extension_config_dump('por.run_log_run_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('por.account_owners', '');
SELECT pg_catalog.pg_extension_config_dump('por.prove_progress',
                                           'WHERE phase IN (''done'', ''failed'', ''cancelled'', ''crashed'')');
