-- pgTAP: the salt master key never reaches SQL-visible output.
\set ON_ERROR_STOP 1
-- no enclosing transaction: por_prove's worker proves committed snapshots only
CREATE EXTENSION IF NOT EXISTS pgtap;
DROP EXTENSION IF EXISTS por CASCADE;
CREATE EXTENSION por;
SET por.batch_log2 = 1;
-- fan-in 2: the cheapest aggregation for these one- and two-batch snapshots (the default 4 is for large ones)
SET por.fan_in_log2 = 1;
SELECT plan(11);

CREATE TEMP TABLE t AS SELECT por_snapshot_create($$VALUES ('k1', 'USD', 5, 1), ('k2', 'USD', 7, 0), ('k3', 'USD', 1, 0)$$,
                                                  '{"USD": {"decimals": 0, "price": "1"}}') AS id;
SELECT lives_ok($$SELECT por_prove((SELECT id FROM t))$$, 'prove');
-- the default key file lives in the data directory; a superuser can read it here to compare
CREATE TEMP TABLE k AS SELECT lower(trim(both E' \n' FROM pg_read_file('por_master_key'))) AS key;
SELECT is(length((SELECT key FROM k)), 64, 'a 64-hex-digit key was created on first use');
SELECT is((SELECT count(*) FROM por.snapshots s WHERE s::text ILIKE '%' || (SELECT key FROM k) || '%'), 0::bigint, 'not in por.snapshots');
SELECT is((SELECT count(*) FROM por.leaves s WHERE encode(s.id_commitment, 'hex') = (SELECT key FROM k) OR s::text ILIKE '%' || (SELECT key FROM k) || '%'), 0::bigint, 'not in por.leaves');
SELECT is((SELECT count(*) FROM por.run_log s WHERE s::text ILIKE '%' || (SELECT key FROM k) || '%'), 0::bigint, 'not in por.run_log');
SELECT is((SELECT count(*) FROM por.batch_proofs s WHERE s::text ILIKE '%' || (SELECT key FROM k) || '%'), 0::bigint, 'not in por.batch_proofs (hex)');
SELECT is((SELECT count(*) FROM por.batch_proofs s WHERE position(decode((SELECT key FROM k), 'hex') IN s.proof) > 0), 0::bigint, 'not in a batch proof (bytes)');
SELECT is((SELECT count(*) FROM por.prove_progress s WHERE s::text ILIKE '%' || (SELECT key FROM k) || '%'), 0::bigint, 'not in por.prove_progress');
SELECT ok(position((SELECT key FROM k) IN por_inclusion_proof_json((SELECT id FROM t), 'k1')::text) = 0, 'not in an inclusion proof');
SELECT ok(position(decode((SELECT key FROM k), 'hex') IN por_inclusion_proof((SELECT id FROM t), 'k1')) = 0, 'not in a binary inclusion proof');
SELECT is((SELECT count(*) FROM pg_settings WHERE setting ILIKE '%' || (SELECT key FROM k) || '%'), 0::bigint, 'not in any setting');
SELECT * FROM finish();
DROP EXTENSION por CASCADE;
