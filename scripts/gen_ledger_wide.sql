-- A generated ledger with many assets for benchmarks: :accounts accounts x
-- :assets assets (psql variables) named A01, A02, ..., each account holding
-- every asset; every tenth account owes half of its first asset.  The assets
-- argument for por_snapshot_create is left in table ledger_assets.
DROP TABLE IF EXISTS ledger;
CREATE TABLE ledger (account_id text, asset text, equity numeric, debt numeric);
INSERT INTO ledger
SELECT 'acct-' || lpad(a::text, 7, '0'), 'A' || lpad(s::text, 2, '0'),
       trunc((random() * 1000)::numeric, 6),
       0
  FROM generate_series(1, :accounts) AS a, generate_series(1, :assets) AS s;
UPDATE ledger SET debt = trunc(equity / 2, 6) WHERE asset = 'A01' AND right(account_id, 1) = '0';
ANALYZE ledger;
DROP TABLE IF EXISTS ledger_assets;
CREATE TABLE ledger_assets AS
SELECT jsonb_object_agg('A' || lpad(s::text, 2, '0'),
                        jsonb_build_object('decimals', 6, 'price', (s * 1.25)::text, 'haircut', 80 + s % 21)) AS assets
  FROM generate_series(1, :assets) AS s;
