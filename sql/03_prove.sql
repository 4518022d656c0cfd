-- por_prove, the tree aggregate and inclusion proofs.
-- fan-in 2: the cheapest aggregation for these one- and two-batch snapshots (the default 4 is for large ones)
SET por.fan_in_log2 = 1;
SELECT octet_length(por_prove(1)) AS root_bytes;
SELECT por_prove(1) = por_root(1) AS idempotent, por_prove(1) = por_prove(1) AS stable;
SELECT status, root IS NOT NULL AS has_root, proven_at IS NOT NULL AS has_time FROM por.snapshots WHERE snapshot_id = 1;
SELECT level, octet_length(hashes) / 32 AS nodes FROM por.tree_levels WHERE snapshot_id = 1 ORDER BY level;
SELECT action, detail ->> 'leaves' AS leaves FROM por.run_log WHERE snapshot_id = 1 ORDER BY run_id;

-- the aggregate over the stored leaves gives the stored root and the totals,
-- whatever the row order
SELECT (t).root = por_root(1) AS same_root, (t).leaf_count, (t).equity_totals, (t).debt_totals
  FROM (SELECT por_tree_agg(id_commitment, equity, debt) AS t FROM por.leaves WHERE snapshot_id = 1) s;
SELECT (por_tree_agg(id_commitment, equity, debt ORDER BY random())).root = por_root(1) AS order_independent
  FROM por.leaves WHERE snapshot_id = 1;
SELECT por_tree_agg(id_commitment, equity, debt) IS NULL AS empty_is_null FROM por.leaves WHERE false;
SELECT (t).leaf_count, (t).equity_totals, (t).debt_totals, octet_length((t).root) AS root_bytes
  FROM (SELECT por_tree_agg(id_commitment, ARRAY[1], ARRAY[0]) AS t FROM por.leaves WHERE snapshot_id = 1) s;
SELECT por_tree_agg('\x00'::bytea, ARRAY[1,2,3], ARRAY[0,0,0]);
SELECT por_tree_agg(id_commitment, ARRAY[-1,0,0], ARRAY[0,0,0]) FROM por.leaves WHERE snapshot_id = 1;

-- inclusion proofs
SELECT por_verify_inclusion(por_inclusion_proof(1, 'alice')) AS alice_valid,
       por_verify_inclusion(por_inclusion_proof(1, 'alice'), por_root(1)) AS alice_at_root,
       por_verify_inclusion(por_inclusion_proof(1, 'bob'), por_root(1)) AS bob_at_root,
       por_verify_inclusion(por_inclusion_proof(1, 'bob'), por_root(1), por_params_digest(1)) AS bob_full,
       por_verify_inclusion(por_inclusion_proof(1, 'bob'), por_root(1), por_params_digest(2)) AS bob_other_params;
SELECT p -> 'account' ->> 'id' AS account, p -> 'assets' AS assets, jsonb_array_length(p -> 'path') AS path_length,
       p ->> 'root' = encode(por_root(1), 'hex') AS root_matches
  FROM por_inclusion_proof_json(1, 'alice') AS p;
SELECT por_inclusion_proof_to_json(por_inclusion_proof(1, 'carol')) = por_inclusion_proof_json(1, 'carol') AS same_json;
-- tampering: wrong root, a flipped byte anywhere, truncation, junk
SELECT por_verify_inclusion(por_inclusion_proof(1, 'alice'), por_poseidon_hash('{1}')) AS wrong_root;
SELECT por_verify_inclusion(por_inclusion_proof(1, 'alice'), '\x0102') AS short_root;
-- with root and params digest no single-bit flip of any byte verifies; the root
-- alone binds the balances and the path, and whatever flip it lets through
-- changed only the snapshot parameters (so the params digest catches it)
SELECT count(*) FILTER (WHERE por_verify_inclusion(f, por_root(1), por_params_digest(1))) AS flips_accepted,
       count(*) AS flips_tried,
       bool_and(NOT por_verify_inclusion(f, por_root(1))
                OR (por_inclusion_proof_to_json(f) -> 'snapshot' ->> 'params_digest') <> encode(por_params_digest(1), 'hex')
                   AND (por_inclusion_proof_to_json(f) - 'snapshot' - 'assets') = (por_inclusion_proof_json(1, 'alice') - 'snapshot' - 'assets')
                   AND jsonb_path_query_array(por_inclusion_proof_to_json(f), '$.assets[*].equity')
                       = jsonb_path_query_array(por_inclusion_proof_json(1, 'alice'), '$.assets[*].equity')
                   AND jsonb_path_query_array(por_inclusion_proof_to_json(f), '$.assets[*].debt')
                       = jsonb_path_query_array(por_inclusion_proof_json(1, 'alice'), '$.assets[*].debt'))
           AS root_only_flips_touch_parameters_only
  FROM (SELECT set_byte(p, i, get_byte(p, i) # 1) AS f
          FROM (SELECT por_inclusion_proof(1, 'alice') AS p) s, generate_series(0, octet_length(p) - 1) AS i) flips;
SELECT count(*) FILTER (WHERE por_verify_inclusion(substring(p FROM 1 FOR n))) AS truncations_accepted
  FROM (SELECT por_inclusion_proof(1, 'alice') AS p) s, generate_series(0, octet_length(p) - 1) AS n;
SELECT por_verify_inclusion('\x'::bytea) AS empty, por_verify_inclusion('PORF'::bytea) AS magic_only,
       por_verify_inclusion(por_inclusion_proof(1, 'alice') || '\x00'::bytea) AS trailing_byte;
SELECT por_inclusion_proof_to_json('\xdeadbeef');

-- errors
SELECT por_inclusion_proof(1, 'mallory');
SELECT por_inclusion_proof(2, 'alice');
SELECT por_inclusion_proof(99, 'alice');
SELECT por_prove(99);
SELECT por_root(99);
