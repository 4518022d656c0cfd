#!/usr/bin/env bash
# TAP: the README's pg_cron recipe, end to end, in a cluster of its own (pg_cron
# must be in shared_preload_libraries, which the shared test cluster is not):
# a scheduled CALL por_snapshot_and_prove succeeds and the README's join finds
# its snapshot id and root from cron.job_run_details; a price function that
# returns NULL makes the run fail (22004), not succeed; "SET ...; CALL ..." in
# one command fails and writes nothing.  Jobs connect through libpq, pg_cron's
# default, over the cluster's socket.  Skipped if pg_cron is not installed.
set -u
. "$(dirname "$0")/tap.sh"
sharedir=$(pg_config --sharedir)
bindir=$(pg_config --bindir)
if [ ! -f "$sharedir/extension/pg_cron.control" ]; then
    echo "1..0 # SKIP pg_cron is not installed (apt-get install postgresql-15-cron)"
    exit 0
fi
as_server=()
if [ "$(id -u)" = 0 ]; then # the server refuses to run as root
    as_server=(runuser -u postgres --)
    chown postgres "$work"
fi
port=$((20000 + $$ % 20000))
stop() {
    "${as_server[@]}" "$bindir/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1
    cleanup
}
trap stop EXIT

"${as_server[@]}" "$bindir/initdb" -D "$work/data" -A trust -U postgres >"$work/initdb.log" 2>&1 || { cat "$work/initdb.log"; exit 1; }
"${as_server[@]}" "$bindir/pg_ctl" -D "$work/data" -l "$work/server.log" -w \
    -o "-p $port -k $work -c listen_addresses='' -c shared_preload_libraries=pg_cron -c cron.host=$work" start >/dev/null ||
    { cat "$work/server.log"; exit 1; }
DB=(psql -X -q -At -v ON_ERROR_STOP=1 -h "$work" -p "$port" -U postgres -d postgres)

"${DB[@]}" >/dev/null <<'SQL'
CREATE EXTENSION pg_cron;
CREATE EXTENSION por;
CREATE TABLE wallets (user_id int, currency text, available numeric, borrowed numeric);
INSERT INTO wallets VALUES (1042, 'BTC', 1, 0), (7, 'BTC', 2, 1);
CREATE FUNCTION my_prices() RETURNS jsonb LANGUAGE sql RETURN '{"BTC": {"decimals": 8, "price": "65000"}}'::jsonb;
CREATE FUNCTION no_prices() RETURNS jsonb LANGUAGE sql RETURN NULL::jsonb;
SELECT cron.schedule('por-daily', '* * * * *',
  $$CALL por_snapshot_and_prove('SELECT user_id::text, currency, available, borrowed FROM wallets', my_prices(), batch_log2 => 1)$$);
SELECT cron.schedule('por-null', '* * * * *', $$CALL por_snapshot_and_prove('wallets', no_prices())$$);
SELECT cron.schedule('por-set', '* * * * *',
  $$SET por.batch_log2 = 2; CALL por_snapshot_and_prove('SELECT user_id::text, currency, available, borrowed FROM wallets', my_prices())$$);
SQL
# pg_cron starts jobs at the next full minute
for _ in $(seq 1 150); do
    [ "$("${DB[@]}" -c "SELECT count(DISTINCT jobid) FROM cron.job_run_details WHERE status IN ('succeeded', 'failed')")" = 3 ] && break
    sleep 1
done
"${DB[@]}" -c "UPDATE cron.job SET active = false" >/dev/null # one run each

status() { "${DB[@]}" -c "SELECT d.status || ': ' || split_part(d.return_message, E'\n', 1) FROM cron.job_run_details d
                           JOIN cron.job j USING (jobid) WHERE j.jobname = '$1' ORDER BY d.runid LIMIT 1"; }
is "$(status por-daily)" "succeeded: 1 row" "the scheduled CALL succeeds"
is "$(status por-null)" "failed: ERROR:  assets must not be NULL" "a price function returning NULL makes the run fail"
is "$(status por-set)" "failed: ERROR:  invalid transaction termination" "SET ...; CALL ... in one command fails"
is "$("${DB[@]}" -c "SELECT count(*) FROM por.snapshots")" "1" "only the successful run wrote a snapshot"
# the README's query
"${DB[@]}" >"$work/found" <<'SQL'
SELECT octet_length(s.root), s.status, s.batch_log2
  FROM cron.job_run_details d
  JOIN por.run_log l ON l.action = 'snapshot_create' AND (l.detail ->> 'backend_pid')::int = d.job_pid
                    AND l.started_at BETWEEN d.start_time - interval '1 minute' AND coalesce(d.end_time, now())
  JOIN por.snapshots s ON s.snapshot_id = l.snapshot_id
 WHERE d.jobid = (SELECT jobid FROM cron.job WHERE jobname = 'por-daily')
 ORDER BY d.start_time DESC;
SQL
is "$(cat "$work/found")" "32|proven|1" "cron.job_run_details joined to por.run_log gives the run's snapshot id and root"

done_testing
