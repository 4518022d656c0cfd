-- Snapshots: exact conversion, rows adding up, totals, and every bad-input class
-- rejected with a clear error and nothing written.
SET por.batch_log2 = 2;
CREATE TABLE ledger (account_id text, asset text, equity numeric, debt numeric);
INSERT INTO ledger VALUES
    ('alice', 'BTC', 1.5, 0),
    ('alice', 'BTC', 0.25, 0),          -- a second wallet: adds up
    ('alice', 'USDT', 100.000001, 50),
    ('bob',   'USDT', 1000, 0),
    ('carol', 'BTC', 0.00000001, 0),
    ('carol', 'USDT', 0, 0.0006),       -- debt covered by 1 satoshi at 100% haircut
    ('dave',  'ETH', 2.000000000000000001, 1);
CREATE VIEW ledger_view AS SELECT * FROM ledger;

\set assets '{"BTC": {"decimals": 8, "price": "65000.25"}, "USDT": {"decimals": 6, "price": "1"}, "ETH": {"decimals": 18, "price": "3000.5", "haircut": 90}}'

SELECT por_snapshot_create('ledger', :'assets') AS snapshot_id;
SELECT snapshot_id, status, balance_bits, price_scale, batch_log2, account_count, leaf_count, asset_count,
       octet_length(params_digest) AS digest_bytes, root IS NULL AS no_root_yet
  FROM por.snapshots;
SELECT asset_no, symbol, decimals, price, price_units, haircut, equity_total, debt_total
  FROM por.snapshot_assets ORDER BY asset_no;
SELECT * FROM por_snapshot_totals(1);
SELECT leaf_index < 8 AS in_range, account_id, equity, debt FROM por.leaves ORDER BY account_id NULLS LAST;
-- leaves are in id-commitment order
SELECT bool_and(c < n) AS ordered
  FROM (SELECT id_commitment AS c, lead(id_commitment) OVER (ORDER BY leaf_index) AS n FROM por.leaves) s
 WHERE n IS NOT NULL;

-- a query, a view and a schema-qualified name work as sources
SELECT por_snapshot_create('SELECT * FROM ledger WHERE account_id <> ''dave'';', :'assets') AS from_query;
SELECT por_snapshot_create('public.ledger_view', :'assets') AS from_view;
SELECT snapshot_id, account_count FROM por.snapshots ORDER BY snapshot_id;

-- bad input: each is an error naming the account and asset, and nothing is written
SELECT por_snapshot_create($$VALUES ('erin', 'BTC', -0.5, 0)$$, :'assets');
SELECT por_snapshot_create($$VALUES ('erin', 'BTC', 0, -1)$$, :'assets');
SELECT por_snapshot_create($$VALUES ('erin', 'BTC', 0.000000001, 0)$$, :'assets');
SELECT por_snapshot_create($$VALUES ('erin', 'BTC', 46116860184.27387904, 0)$$, :'assets');
SELECT por_snapshot_create($$VALUES ('erin', 'BTC', 30000000000, 0), ('erin', 'BTC', 30000000000, 0)$$, :'assets');
SELECT por_snapshot_create($$VALUES ('erin', 'DOGE', 1, 0)$$, :'assets');
SELECT por_snapshot_create($$VALUES (NULL, 'BTC', 1, 0)$$, :'assets');
SELECT por_snapshot_create($$VALUES ('erin', NULL, 1, 0)$$, :'assets');
SELECT por_snapshot_create($$VALUES ('erin', 'BTC', NULL, 0)$$, :'assets');
SELECT por_snapshot_create($$VALUES ('erin', 'BTC', 0, NULL)$$, :'assets');
SELECT por_snapshot_create($$VALUES ('erin', 'BTC', 'NaN'::numeric, 0)$$, :'assets');
SELECT por_snapshot_create($$VALUES ('erin', 'BTC', 0.001, 0), ('erin', 'USDT', 0, 65.01)$$, :'assets');
-- the haircut decides: 1 ETH at 3000.5 with a 90% haircut covers 2700.45 of debt, not 2700.46
SELECT por_snapshot_create($$VALUES ('erin', 'ETH', 1, 0), ('erin', 'USDT', 0, 2700.46)$$, :'assets');
SELECT por_snapshot_create($$VALUES ('erin', 'BTC', 1)$$, :'assets');
SELECT por_snapshot_create($$SELECT * FROM ledger WHERE false$$, :'assets');
SELECT por_snapshot_create('no_such_table', :'assets');
SELECT por_snapshot_create('ledger', '[]');
SELECT por_snapshot_create('ledger', '{}');
SELECT por_snapshot_create('ledger', '{"BTC": 8}');
SELECT por_snapshot_create('ledger', '{"BTC": {"decimals": 8}}');
SELECT por_snapshot_create('ledger', '{"BTC": {"decimals": 8, "price": "abc"}}');
SELECT por_snapshot_create('ledger', '{"BTC": {"decimals": 8, "price": "-1"}}');
SELECT por_snapshot_create('ledger', '{"BTC": {"decimals": 31, "price": "1"}}');
SELECT por_snapshot_create('ledger', '{"BTC": {"decimals": 8, "price": "1", "haircut": 101}}');
SELECT por_snapshot_create('ledger', '{"BTC": {"decimals": 8, "price": "1", "colour": "red"}}');
SELECT por_snapshot_create('ledger', '{"BTC": {"decimals": 8.5, "price": "1"}}');
SELECT por_snapshot_create('ledger', '{"B T C": {"decimals": 8, "price": "1"}}');
SELECT por_snapshot_create('ledger', '{"BTC": {"decimals": 0, "price": "100000000000000000000"}}');
SELECT count(*) AS snapshots, (SELECT count(*) FROM por.leaves) AS leaves,
       (SELECT count(*) FROM por.snapshot_assets) AS assets FROM por.snapshots;

-- balance range B is a setting: with B = 10, 1024 units is out of range
SET por.balance_bits = 10;
SELECT por_snapshot_create($$VALUES ('erin', 'USDT', 0.001024, 0)$$, :'assets');
SELECT por_snapshot_create($$VALUES ('erin', 'USDT', 0.001023, 0)$$, :'assets') AS small_b;
RESET por.balance_bits;
