-- Inclusion proofs of 1000 accounts of snapshot :sid: build and verify time per proof.
CREATE TEMP TABLE sample AS
    SELECT account_id FROM por.leaves WHERE snapshot_id = :sid AND account_id IS NOT NULL ORDER BY leaf_index LIMIT 1000;
CREATE TEMP TABLE proofs (p bytea);
SELECT clock_timestamp() AS t0 \gset
INSERT INTO proofs SELECT por_inclusion_proof(:sid, account_id) FROM sample;
SELECT clock_timestamp() AS t1 \gset
SELECT count(*) FILTER (WHERE por_verify_inclusion(p, por_root(:sid), por_params_digest(:sid))) AS valid FROM proofs \gset
SELECT clock_timestamp() AS t2 \gset
SELECT 'sql.inclusion_proof.build: ' || round(extract(epoch FROM :'t1'::timestamptz - :'t0'::timestamptz) * 1e6 / 1000) || ' us';
SELECT 'sql.inclusion_proof.verify: ' || round(extract(epoch FROM :'t2'::timestamptz - :'t1'::timestamptz) * 1e6 / 1000) || ' us';
SELECT 'sql.inclusion_proof.verified: ' || :valid || ' of 1000';
SELECT 'sql.inclusion_proof.size: ' || avg(octet_length(p))::int || ' bytes' FROM proofs;
