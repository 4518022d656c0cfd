-- Privileges: nothing for PUBLIC; operators run snapshots and proofs; a
-- customer reads only the inclusion proofs of its own accounts.
-- fan-in 2: the cheapest aggregation for these one- and two-batch snapshots (the default 4 is for large ones)
SET por.fan_in_log2 = 1;
CREATE ROLE por_test_nobody;
CREATE ROLE por_test_operator IN ROLE por_operator;
CREATE ROLE por_test_alice IN ROLE por_customer;
CREATE ROLE por_test_bob IN ROLE por_customer;
GRANT SELECT ON ledger TO por_test_operator;
INSERT INTO por.account_owners VALUES ('alice', 'por_test_alice'), ('bob', 'por_test_bob');

SET ROLE por_test_nobody;
SELECT por_prove(1);
SELECT por_inclusion_proof(1, 'alice');
SELECT count(*) FROM por.leaves;
RESET ROLE;

SET ROLE por_test_operator;
-- the default shape: an automatic batch size, one batch of 4 for the ledger's accounts
SELECT por_snapshot_create('ledger', '{"BTC": {"decimals": 8, "price": "65000.25"}, "USDT": {"decimals": 6, "price": "1"}, "ETH": {"decimals": 18, "price": "3000.5", "haircut": 90}}') AS snap
\gset
SELECT octet_length(por_prove(:snap)) AS operator_root_bytes;
SELECT created_by FROM por.snapshots WHERE snapshot_id = :snap;
SELECT count(*) AS operator_sees_leaves FROM por.leaves WHERE snapshot_id = :snap;
DELETE FROM por.leaves WHERE snapshot_id = :snap;
UPDATE por.snapshots SET root = NULL;
RESET ROLE;

SET ROLE por_test_alice;
SELECT por_verify_inclusion(por_inclusion_proof(:snap, 'alice'), por_root(:snap)) AS alice_reads_own;
SELECT por_inclusion_proof(:snap, 'bob');
SELECT DISTINCT account_id FROM por.leaves ORDER BY account_id;
SELECT por_snapshot_create('ledger', '{}');
RESET ROLE;

SET ROLE por_test_bob;
SELECT por_verify_inclusion(por_inclusion_proof(:snap, 'bob')) AS bob_reads_own;
SELECT por_inclusion_proof(:snap, 'alice');
RESET ROLE;

-- the master key never appears in any table or setting visible to SQL
SELECT count(*) AS key_settings_shown FROM pg_settings WHERE name = 'por.master_key_file' AND setting ~ '[0-9a-f]{64}';
DROP OWNED BY por_test_nobody, por_test_operator, por_test_alice, por_test_bob;
DROP ROLE por_test_nobody, por_test_operator, por_test_alice, por_test_bob;
