-- A generated exchange ledger for the demo and benchmarks: :accounts accounts
-- (psql variable), 8 assets, several wallets per account for some of them.
-- Every account is solvent: debts are at most half of the same asset's equity.
DROP TABLE IF EXISTS ledger;
CREATE TABLE ledger (account_id text, asset text, equity numeric, debt numeric);
INSERT INTO ledger
SELECT 'acct-' || lpad(a::text, 7, '0'),
       s.symbol,
       e.equity,
       CASE WHEN a % 7 = 0 THEN trunc(e.equity / 2, s.decimals) ELSE 0 END
  FROM generate_series(1, :accounts) AS a
 CROSS JOIN (VALUES ('BTC', 8, 2.0), ('ETH', 9, 30.0), ('USDT', 6, 50000.0), ('USDC', 6, 20000.0),
                    ('SOL', 9, 400.0), ('XRP', 6, 10000.0), ('DOGE', 8, 100000.0), ('TRX', 6, 50000.0))
         AS s(symbol, decimals, scale)
 CROSS JOIN LATERAL (SELECT trunc((random() * s.scale + 0 * a)::numeric, s.decimals) AS equity) AS e;
-- second wallets: rows for the same account and asset add up
INSERT INTO ledger
SELECT 'acct-' || lpad(a::text, 7, '0'), 'USDT', trunc((random() * 1000)::numeric, 6), 0
  FROM generate_series(1, :accounts, 10) AS a;
ANALYZE ledger;
