-- por 1.0 -> 1.1.  Every change of por--1.1.sql relative to por--1.0.sql has
-- its statement here, so ALTER EXTENSION por UPDATE gives the objects of a
-- fresh 1.1 install (test/cli/upgrade.t compares the two).

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
-- surface (pgsurf) ------------------------------------------------------------
-- por_snapshot_create takes the snapshot's shape as optional arguments and
-- is no longer STRICT (a NULL source or assets is 22004); the procedure
-- passes the shape on.  The old signatures go.
DROP PROCEDURE @extschema@.por_snapshot_and_prove(text, jsonb, bigint, bytea);
DROP FUNCTION @extschema@.por_snapshot_create(text, jsonb);
CREATE FUNCTION @extschema@.por_snapshot_create(source text, assets jsonb,
                                                 batch_log2 int DEFAULT NULL, balance_bits int DEFAULT NULL) RETURNS bigint
    AS 'MODULE_PATHNAME', 'por_snapshot_create'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.por_snapshot_create(text, jsonb, int, int) IS
    'freezes balances from a query or relation yielding (account_id, asset, equity, debt) into a new snapshot; returns its id; batch_log2 (0..20, or -1: automatic, the largest batch the verifiers'' cost cap admits for the account count) and balance_bits (1..62) default to the settings por.batch_log2 (default -1) and por.balance_bits; a NULL source or assets is an error (22004)';

-- The shape goes in as arguments: a scheduler's "SET ...; CALL ..." is one
-- implicit transaction, in which the procedure's COMMIT is not allowed.
CREATE PROCEDURE @extschema@.por_snapshot_and_prove(source text, assets jsonb,
                                                    batch_log2 int DEFAULT NULL, balance_bits int DEFAULT NULL,
                                                    INOUT snapshot_id bigint DEFAULT NULL, INOUT root bytea DEFAULT NULL)
    LANGUAGE plpgsql
AS $$
BEGIN
    snapshot_id := @extschema@.por_snapshot_create(source, assets, batch_log2, balance_bits);
    COMMIT;
    root := @extschema@.por_prove(snapshot_id);
END
$$;
COMMENT ON PROCEDURE @extschema@.por_snapshot_and_prove(text, jsonb, int, int, bigint, bytea) IS
    'freezes a snapshot, commits it, proves it; returns the snapshot id and root (for CALL from pg_cron; the snapshot_create entry of por.run_log records the calling backend''s pid, cron.job_run_details.job_pid)';

-- surface (pgsurf): an unknown snapshot id is an error in every function
CREATE FUNCTION por._require_snapshot(snapshot_id bigint) RETURNS void
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM por.snapshots s WHERE s.snapshot_id = _require_snapshot.snapshot_id) THEN
        RAISE EXCEPTION 'snapshot % does not exist', snapshot_id USING ERRCODE = 'undefined_object';
    END IF;
END
$$;
COMMENT ON FUNCTION por._require_snapshot(bigint) IS 'internal: raises 42704 unless the snapshot exists';
REVOKE ALL ON FUNCTION por._require_snapshot(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION por._require_snapshot(bigint) TO por_operator, por_customer;

-- surface (pgsurf): every column says what it holds
COMMENT ON COLUMN por.snapshots.snapshot_id IS 'the snapshot''s id, part of every salt and of the params digest';
COMMENT ON COLUMN por.snapshots.snapshot_time IS 'start of the transaction that froze the snapshot (now() of por_snapshot_create), in the params digest';
COMMENT ON COLUMN por.snapshots.created_by IS 'role that called por_snapshot_create (not readable by customers)';
COMMENT ON COLUMN por.snapshots.source IS 'the source query or relation name as given (not readable by customers)';
COMMENT ON COLUMN por.snapshots.balance_bits IS 'B: every balance is below 2^B smallest units';
COMMENT ON COLUMN por.snapshots.price_scale IS 'S: prices are integers in units of 10^-S USD per smallest unit';
COMMENT ON COLUMN por.snapshots.batch_log2 IS 'k: one batch proof per 2^k leaves';
COMMENT ON COLUMN por.snapshots.account_count IS 'accounts in the snapshot (leaves with an account_id)';
COMMENT ON COLUMN por.snapshots.leaf_count IS 'leaves of the tree: accounts plus padding, a multiple of 2^k';
COMMENT ON COLUMN por.snapshots.asset_count IS 'assets, the number of equity and debt columns of each leaf';
COMMENT ON COLUMN por.snapshots.key_id IS 'public identifier of the salt master key the snapshot was made with (16 hex digits)';
COMMENT ON COLUMN por.snapshots.params_digest IS 'Poseidon digest of the snapshot parameters, published next to the root';
COMMENT ON COLUMN por.snapshots.status IS 'frozen until por_prove finishes, then proven';
COMMENT ON COLUMN por.snapshots.root IS 'the published Merkle sum tree root (32 bytes), NULL until proven';
COMMENT ON COLUMN por.snapshots.proven_at IS 'when por_prove published the root';
COMMENT ON COLUMN por.snapshot_assets.snapshot_id IS 'the snapshot';
COMMENT ON COLUMN por.snapshot_assets.asset_no IS 'column of the asset in every leaf (symbols in byte order)';
COMMENT ON COLUMN por.snapshot_assets.symbol IS 'asset symbol as given in assets';
COMMENT ON COLUMN por.snapshot_assets.decimals IS 'decimals of the smallest unit: balances are integers of 10^-decimals whole units';
COMMENT ON COLUMN por.snapshot_assets.price IS 'USD per whole unit, as given';
COMMENT ON COLUMN por.snapshot_assets.price_units IS 'the price in 10^-price_scale USD per smallest unit (exact integer)';
COMMENT ON COLUMN por.snapshot_assets.haircut IS 'percent of the equity counted as collateral (100 = all)';
COMMENT ON COLUMN por.snapshot_assets.equity_total IS 'sum of all accounts'' equity, in smallest units, exact';
COMMENT ON COLUMN por.snapshot_assets.debt_total IS 'sum of all accounts'' debt, in smallest units, exact';
COMMENT ON COLUMN por.leaves.snapshot_id IS 'the snapshot';
COMMENT ON COLUMN por.leaves.leaf_index IS 'position in the tree (leaves ordered by id commitment)';
COMMENT ON COLUMN por.leaves.account_id IS 'the account, NULL for a padding leaf';
COMMENT ON COLUMN por.leaves.id_commitment IS 'salted Poseidon commitment to the account id (32 bytes)';
COMMENT ON COLUMN por.leaves.equity IS 'equity per asset in smallest units, in asset_no order';
COMMENT ON COLUMN por.leaves.debt IS 'debt per asset in smallest units, in asset_no order';
COMMENT ON COLUMN por.tree_levels.snapshot_id IS 'the snapshot';
COMMENT ON COLUMN por.tree_levels.level IS '0 = leaf hashes, the highest level holds the root';
COMMENT ON COLUMN por.tree_levels.hashes IS 'the level''s nodes as concatenated 32-byte digests';
COMMENT ON COLUMN por.run_log.run_id IS 'entry number';
COMMENT ON COLUMN por.run_log.snapshot_id IS 'the snapshot acted on';
COMMENT ON COLUMN por.run_log.action IS 'what was done (snapshot_create, prove, ...)';
COMMENT ON COLUMN por.run_log.started_at IS 'when the action started';
COMMENT ON COLUMN por.run_log.finished_at IS 'when the action ended';
COMMENT ON COLUMN por.run_log.run_by IS 'role that called the function';
COMMENT ON COLUMN por.run_log.detail IS 'figures of the action (rows, accounts, seconds; snapshot_create: backend_pid of the caller)';
COMMENT ON COLUMN por.batch_proofs.snapshot_id IS 'the snapshot';
COMMENT ON COLUMN por.batch_proofs.batch_no IS 'batch number: leaves batch_no * 2^k to (batch_no + 1) * 2^k - 1';
COMMENT ON COLUMN por.batch_proofs.batch_root IS 'root of the batch''s subtree, a public input of the proof';
COMMENT ON COLUMN por.batch_proofs.params_digest IS 'the snapshot''s params digest, a public input of the proof';
COMMENT ON COLUMN por.batch_proofs.equity_totals IS 'the batch''s equity per asset in smallest units, public inputs of the proof';
COMMENT ON COLUMN por.batch_proofs.debt_totals IS 'the batch''s debt per asset in smallest units, public inputs of the proof';
COMMENT ON COLUMN por.batch_proofs.proof IS 'the proof file (PORF kind 2, docs/FORMATS.md)';
COMMENT ON COLUMN por.batch_proofs.prove_ms IS 'milliseconds the proof took';
COMMENT ON COLUMN por.batch_proofs.proven_at IS 'when the proof was stored';
COMMENT ON COLUMN por.prove_progress.snapshot_id IS 'the snapshot';
COMMENT ON COLUMN por.prove_progress.phase IS 'where the latest proving run is or ended';
COMMENT ON COLUMN por.prove_progress.batches_done IS 'batch proofs stored so far';
COMMENT ON COLUMN por.prove_progress.batches_total IS 'batch proofs the snapshot needs';
COMMENT ON COLUMN por.prove_progress.worker_pid IS 'process id of the proving worker';
COMMENT ON COLUMN por.prove_progress.started_at IS 'when the run started';
COMMENT ON COLUMN por.prove_progress.updated_at IS 'when the run last reported progress';
COMMENT ON COLUMN por.prove_progress.error_sqlstate IS 'SQLSTATE of the error that ended a failed run';
COMMENT ON COLUMN por.prove_progress.error_message IS 'message of the error that ended a failed run';
COMMENT ON COLUMN por.account_owners.account_id IS 'a customer account, as in the source''s account_id';
COMMENT ON COLUMN por.account_owners.role_name IS 'the database role that may read that account''s leaves and inclusion proofs';

-- surface (pgsurf): the snapshot functions written in SQL raise 42704 for an unknown snapshot
CREATE OR REPLACE FUNCTION @extschema@.por_root(snapshot_id bigint) RETURNS bytea
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT por._require_snapshot(por_root.snapshot_id);
    SELECT s.root FROM por.snapshots s WHERE s.snapshot_id = por_root.snapshot_id;
END;
COMMENT ON FUNCTION @extschema@.por_root(bigint) IS
    'the published root of a proven snapshot (NULL until por_prove ran; 42704 for an unknown snapshot)';

CREATE OR REPLACE FUNCTION @extschema@.por_snapshot_totals(snapshot_id bigint)
    RETURNS TABLE (asset text, equity numeric, debt numeric)
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT por._require_snapshot(por_snapshot_totals.snapshot_id);
    -- at scale 30 (>= any asset's decimals) the division by 10^decimals is exact
    SELECT a.symbol,
           round(a.equity_total::numeric(1000, 30) / (10::numeric ^ a.decimals), a.decimals),
           round(a.debt_total::numeric(1000, 30) / (10::numeric ^ a.decimals), a.decimals)
      FROM por.snapshot_assets a
     WHERE a.snapshot_id = por_snapshot_totals.snapshot_id
     ORDER BY a.asset_no;
END;
COMMENT ON FUNCTION @extschema@.por_snapshot_totals(bigint) IS
    'exact per-asset totals of equity and debt of a snapshot, in the units of the input (42704 for an unknown snapshot)';

CREATE OR REPLACE FUNCTION @extschema@.por_params_digest(snapshot_id bigint) RETURNS bytea
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT por._require_snapshot(por_params_digest.snapshot_id);
    SELECT s.params_digest FROM por.snapshots s WHERE s.snapshot_id = por_params_digest.snapshot_id;
END;
COMMENT ON FUNCTION @extschema@.por_params_digest(bigint) IS
    'digest of a snapshot''s parameters (time, balance bits, price scale, batch size, leaf count, assets with decimals, prices, haircuts); 42704 for an unknown snapshot';

CREATE OR REPLACE FUNCTION @extschema@.por_batch_proofs(snapshot_id bigint)
    RETURNS TABLE (batch_no int, proof bytea, batch_root bytea, params_digest bytea,
                   equity_totals numeric[], debt_totals numeric[], prove_ms int, proven_at timestamptz)
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT por._require_snapshot(por_batch_proofs.snapshot_id);
    SELECT b.batch_no, b.proof, b.batch_root, b.params_digest, b.equity_totals, b.debt_totals, b.prove_ms, b.proven_at
      FROM por.batch_proofs b
     WHERE b.snapshot_id = por_batch_proofs.snapshot_id
     ORDER BY b.batch_no;
END;
COMMENT ON FUNCTION @extschema@.por_batch_proofs(bigint) IS
    'the batch proofs of a snapshot with their statements (root, params digest, per-asset totals in smallest units); 42704 for an unknown snapshot';

-- surface (pgsurf): retiring snapshots, for operators and schedulers
CREATE FUNCTION @extschema@.por_snapshot_drop(snapshot_id bigint) RETURNS void
    AS 'MODULE_PATHNAME', 'por_snapshot_drop'
    LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.por_snapshot_drop(bigint) IS
    'deletes a snapshot with its leaves, tree, proofs, progress and log (frozen orphans of failed runs too); 55006 while a por_prove run holds it, 42704 if unknown';

CREATE FUNCTION @extschema@.por_snapshot_retain(keep_last int DEFAULT NULL, older_than interval DEFAULT NULL) RETURNS bigint
    AS 'MODULE_PATHNAME', 'por_snapshot_retain'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.por_snapshot_retain(int, interval) IS
    'retention for schedulers: keeps the keep_last newest proven snapshots and all newer ones, and (with older_than) every snapshot taken within that interval; drops the rest unless being proven; returns how many it dropped';

-- surface (pgsurf): privileges of the new callables; customers lose the
-- snapshots columns that are not published (source, created_by) and the whole tree
REVOKE ALL ON FUNCTION @extschema@.por_snapshot_create(text, jsonb, int, int), @extschema@.por_snapshot_drop(bigint),
    @extschema@.por_snapshot_retain(int, interval) FROM PUBLIC;
REVOKE ALL ON PROCEDURE @extschema@.por_snapshot_and_prove(text, jsonb, int, int, bigint, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.por_snapshot_create(text, jsonb, int, int), @extschema@.por_snapshot_drop(bigint),
    @extschema@.por_snapshot_retain(int, interval) TO por_operator;
GRANT EXECUTE ON PROCEDURE @extschema@.por_snapshot_and_prove(text, jsonb, int, int, bigint, bytea) TO por_operator;
REVOKE SELECT ON por.snapshots FROM por_customer;
REVOKE SELECT ON por.tree_levels FROM por_customer;
-- customers: the published columns of snapshots (not the source query nor who ran it)
GRANT SELECT (snapshot_id, snapshot_time, balance_bits, price_scale, batch_log2, account_count, leaf_count, asset_count,
              key_id, params_digest, status, root, proven_at) ON por.snapshots TO por_customer;

-- integrity (pgint) columns, described like every other column
COMMENT ON COLUMN por.snapshot_commitments.snapshot_id IS 'the snapshot';
COMMENT ON COLUMN por.snapshot_commitments.root IS 'root of the tree over the frozen leaves (padding included), computed in por_snapshot_create''s transaction';
COMMENT ON COLUMN por.snapshot_commitments.batch_roots IS 'the root of every batch''s subtree, 32 bytes each, in batch order';
COMMENT ON COLUMN por.snapshot_commitments.mac IS 'HMAC-SHA256 under the salt master key over snapshot id, leaf count, batch_log2, params digest, root and batch roots: edits of por''s tables cannot recompute it';
COMMENT ON COLUMN por.snapshot_commitments.frozen_at IS 'when the commitment was stored';
COMMENT ON COLUMN por.run_log.outcome IS 'how the run ended: success, cancelled, crashed or failed';
COMMENT ON COLUMN por.run_log.error_sqlstate IS 'SQLSTATE of the error that ended a run that did not succeed';
COMMENT ON COLUMN por.run_log.error_message IS 'message of the error that ended a run that did not succeed';
COMMENT ON COLUMN por.prove_progress.run_by IS 'role that started the latest run';

-- aggregation (pgagg) ---------------------------------------------------------
-- One aggregation proof per node of the tree of batch proofs (issue 14),
-- written by por_prove's worker after the batches, one transaction per node,
-- so a canceled or crashed run keeps every finished node.  The top node's
-- proof is the snapshot's final proof (por_final_proof).
CREATE TABLE por.aggregation_proofs (
    snapshot_id   bigint NOT NULL REFERENCES por.snapshots ON DELETE CASCADE,
    level         int NOT NULL CHECK (level >= 1),
    node_index    int NOT NULL CHECK (node_index >= 0),
    fan_in_log2   int NOT NULL CHECK (fan_in_log2 BETWEEN 1 AND 4),
    root          bytea NOT NULL CHECK (octet_length(root) = 32),
    params_digest bytea NOT NULL CHECK (octet_length(params_digest) = 32),
    equity_totals numeric[] NOT NULL,
    debt_totals   numeric[] NOT NULL,
    proof         bytea NOT NULL,
    prove_ms      int NOT NULL,
    proven_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (snapshot_id, level, node_index)
);
ALTER TABLE por.aggregation_proofs ALTER COLUMN proof SET STORAGE EXTERNAL;
COMMENT ON TABLE por.aggregation_proofs IS
    'aggregation proofs (PLONK, zero-knowledge) of the tree over a snapshot''s batch proofs with their statements; one level above the top, node 0 is the compression proof of the top node, which is the final proof';
COMMENT ON COLUMN por.aggregation_proofs.snapshot_id IS 'the snapshot';
COMMENT ON COLUMN por.aggregation_proofs.level IS 'level of the node: 1 aggregates batch proofs, level L > 1 the level L - 1 nodes; the top level T has one node; level T + 1 holds the compression proof of that node (the final proof)';
COMMENT ON COLUMN por.aggregation_proofs.node_index IS 'position j of the node in its level: it covers batches j F^level to (j + 1) F^level - 1';
COMMENT ON COLUMN por.aggregation_proofs.fan_in_log2 IS 'f: each node aggregates F = 2^f children (the setting por.fan_in_log2 of the run)';
COMMENT ON COLUMN por.aggregation_proofs.root IS 'root of the subtree the node covers, a public input of the proof';
COMMENT ON COLUMN por.aggregation_proofs.params_digest IS 'the snapshot''s params digest, a public input of the proof';
COMMENT ON COLUMN por.aggregation_proofs.equity_totals IS 'equity per asset of the batches the node covers, in smallest units, public inputs of the proof';
COMMENT ON COLUMN por.aggregation_proofs.debt_totals IS 'debt per asset of the batches the node covers, in smallest units, public inputs of the proof';
COMMENT ON COLUMN por.aggregation_proofs.proof IS 'the PLONK proof (docs/FORMATS.md); por_final_proof wraps the compression proof (level T + 1) as a final proof (PORF kind 3)';
COMMENT ON COLUMN por.aggregation_proofs.prove_ms IS 'milliseconds the proof took (proving and verifying it)';
COMMENT ON COLUMN por.aggregation_proofs.proven_at IS 'when the proof was stored';
SELECT pg_catalog.pg_extension_config_dump('por.aggregation_proofs', '');
REVOKE ALL ON por.aggregation_proofs FROM PUBLIC;
GRANT SELECT ON por.aggregation_proofs TO por_operator, por_customer;

-- Progress of the aggregation phase.
ALTER TABLE por.prove_progress
    DROP CONSTRAINT prove_progress_phase_check,
    ADD CONSTRAINT prove_progress_phase_check
        CHECK (phase IN ('tree', 'setup', 'batches', 'aggregation', 'finishing', 'done', 'failed', 'cancelled',
                         'crashed')),
    ADD COLUMN agg_level int,
    ADD COLUMN agg_nodes_done int,
    ADD COLUMN agg_nodes_total int;
COMMENT ON COLUMN por.prove_progress.agg_level IS 'aggregation level being proven (1 = over the batch proofs; one above the top: the compression proof), NULL before the aggregation phase';
COMMENT ON COLUMN por.prove_progress.agg_nodes_done IS 'aggregation proofs stored so far, all levels';
COMMENT ON COLUMN por.prove_progress.agg_nodes_total IS 'aggregation proofs the snapshot needs, all levels and the compression proof';

CREATE OR REPLACE VIEW por.prove_status AS
SELECT p.snapshot_id, p.phase, p.batches_done, p.batches_total,
       round(100.0 * p.batches_done / greatest(p.batches_total, 1), 1) AS percent_done,
       w.alive AS running,
       p.worker_pid, p.started_at, p.updated_at,
       (CASE WHEN w.alive THEN
            coalesce((SELECT avg(b.prove_ms) / 1000.0 * (p.batches_total - p.batches_done)
                        FROM por.batch_proofs b WHERE b.snapshot_id = p.snapshot_id), 0)
            + coalesce((SELECT avg(g.prove_ms) / 1000.0 * (p.agg_nodes_total - p.agg_nodes_done)
                          FROM por.aggregation_proofs g WHERE g.snapshot_id = p.snapshot_id), 0) END)::numeric(12, 1)
           AS seconds_left,
       p.error_sqlstate, p.error_message,
       CASE WHEN p.phase = 'done' THEN 'proven'
            WHEN p.phase IN ('failed', 'cancelled', 'crashed') THEN p.phase
            WHEN w.alive THEN 'running'
            ELSE 'crashed' END AS state,
       p.agg_level, p.agg_nodes_done, p.agg_nodes_total
  FROM por.prove_progress p
 CROSS JOIN LATERAL (
       SELECT p.phase IN ('tree', 'setup', 'batches', 'aggregation', 'finishing')
              AND EXISTS (SELECT 1 FROM pg_catalog.pg_locks l
                           WHERE l.locktype = 'advisory' AND l.granted AND l.pid = p.worker_pid
                             AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d
                                                WHERE d.datname = pg_catalog.current_database())
                             AND l.classid = 7368562 AND l.objsubid = 2
                             AND l.objid = (p.snapshot_id & 4294967295)::oid)) AS w(alive);
COMMENT ON VIEW por.prove_status IS
    'proving runs for people: state (running, proven, failed, cancelled, crashed), phase (aggregation: level and nodes done of total), percent of batches done, seconds left while running';

CREATE FUNCTION @extschema@.por_aggregation_proofs(snapshot_id bigint)
    RETURNS TABLE (level int, node_index int, fan_in_log2 int, proof bytea, root bytea, params_digest bytea,
                   equity_totals numeric[], debt_totals numeric[], prove_ms int, proven_at timestamptz)
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT por._require_snapshot(por_aggregation_proofs.snapshot_id);
    SELECT g.level, g.node_index, g.fan_in_log2, g.proof, g.root, g.params_digest, g.equity_totals, g.debt_totals,
           g.prove_ms, g.proven_at
      FROM por.aggregation_proofs g
     WHERE g.snapshot_id = por_aggregation_proofs.snapshot_id
     ORDER BY g.level, g.node_index;
END;
COMMENT ON FUNCTION @extschema@.por_aggregation_proofs(bigint) IS
    'the aggregation proofs of a snapshot, level by level, with their statements (subtree root, params digest, per-asset totals in smallest units); 42704 for an unknown snapshot';

CREATE FUNCTION @extschema@.por_final_proof(snapshot_id bigint) RETURNS bytea
    AS 'MODULE_PATHNAME', 'por_final_proof_of'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.por_final_proof(bigint) IS
    'the snapshot''s final proof (PORF kind 3: one zero-knowledge proof of its root, exact per-asset totals and params digest), the file to publish; NULL until por_prove finished (like por_root); 42704 for an unknown snapshot';

CREATE FUNCTION @extschema@.por_verify_final(proof bytea) RETURNS boolean
    AS 'MODULE_PATHNAME', 'por_verify_final'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.por_verify_final(bytea) IS
    'true if the final proof is well formed and verifies under the keys derived from the circuit definitions of its shape (cached per session), which must be the batch shape of a snapshot in this database; false, never an error, otherwise';

CREATE FUNCTION @extschema@.por_final_statement(proof bytea) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'por_final_statement'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.por_final_statement(bytea) IS
    'what a final proof claims (leaf count, shape, fan-in, levels, root, params digest, exact totals), without verifying it; 22P03 with the reason if malformed';

-- The bundle carries the final proof; the batch proofs are optional.
DROP FUNCTION @extschema@.por_export_bundle(bigint, text);
CREATE FUNCTION @extschema@.por_export_bundle(snapshot_id bigint, directory text, include_batches boolean DEFAULT true)
    RETURNS bigint
    AS 'MODULE_PATHNAME', 'por_export_bundle'
    LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.por_export_bundle(bigint, text, boolean) IS
    'writes a proven snapshot''s bundle into a server directory: final.porf (the final proof, for por-verify final), one file per batch proof unless include_batches is false (for por-verify bundle), bundle.json last; returns the number of files; needs pg_write_server_files';

REVOKE ALL ON FUNCTION @extschema@.por_aggregation_proofs(bigint), @extschema@.por_final_proof(bigint),
    @extschema@.por_verify_final(bytea), @extschema@.por_final_statement(bytea),
    @extschema@.por_export_bundle(bigint, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.por_aggregation_proofs(bigint), @extschema@.por_final_proof(bigint),
    @extschema@.por_verify_final(bytea), @extschema@.por_final_statement(bytea) TO por_operator, por_customer;
GRANT EXECUTE ON FUNCTION @extschema@.por_export_bundle(bigint, text, boolean) TO por_operator;
