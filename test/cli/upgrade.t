#!/usr/bin/env bash
# TAP: ALTER EXTENSION por UPDATE from 1.0 gives the same objects as a fresh
# 1.1 install (run inside the throwaway cluster by `make sql-check`).  Both
# databases are dumped with pg_dump --binary-upgrade, which writes every
# member object of the extension (functions with their bodies, volatility and
# parallel safety, tables with columns, constraints and storage, comments,
# privileges, policies) instead of a bare CREATE EXTENSION; only object ids
# and the extension's configuration-table oids differ by nature, so those
# lines are compared through names instead.  KEEP_DUMPS=dir keeps the dumps.
set -u
. "$(dirname "$0")/tap.sh"

for d in por_upgrade_old por_upgrade_new; do test_db "$d"; done
"${PSQL[@]}" -d por_upgrade_old -c "CREATE EXTENSION por VERSION '1.0'" -c "ALTER EXTENSION por UPDATE" >/dev/null
"${PSQL[@]}" -d por_upgrade_new -c "CREATE EXTENSION por" >/dev/null
is "$("${PSQL[@]}" -d por_upgrade_old -c "SELECT extversion FROM pg_extension WHERE extname = 'por'")" "1.1" "the updated extension is at 1.1"

# what a dump cannot show by name: the members, and the configuration tables with their filters
members() {
    "${PSQL[@]}" -d "$1" -c "SELECT pg_describe_object(classid, objid, objsubid) FROM pg_depend
                              WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
                                AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'por') ORDER BY 1"
    "${PSQL[@]}" -d "$1" -c "SELECT c::regclass::text || ' ' || coalesce(w, '') FROM pg_extension e,
                              unnest(e.extconfig, e.extcondition) AS u(c, w) WHERE e.extname = 'por' ORDER BY 1"
}
members por_upgrade_old >"$work/old.members"
members por_upgrade_new >"$work/new.members"
ok_members=$(diff "$work/old.members" "$work/new.members" >"$work/members.diff"; echo $?)
is "$ok_members" "0" "same member objects and configuration tables"
[ "$ok_members" = 0 ] || sed 's/^/#   /' "$work/members.diff" | head -40

dump() { # database, output file
    pg_dump --binary-upgrade --schema-only -d "$1" |
        grep -v -e 'binary_upgrade_set_next_' -e 'binary_upgrade_create_empty_extension' -e '^-- Dumped' \
                -e '^-- Name: .*; OID:' -e 'relfrozenxid' -e '^WHERE oid = ' -e '^\\restrict ' -e '^\\unrestrict ' >"$2"
}
dump por_upgrade_old "$work/old.sql"
dump por_upgrade_new "$work/new.sql"
[ -n "${KEEP_DUMPS:-}" ] && cp "$work/old.sql" "$work/new.sql" "$KEEP_DUMPS/"
for line in 'CREATE FUNCTION public.por_snapshot_create(source text, assets jsonb, batch_log2 integer DEFAULT NULL::integer, balance_bits integer DEFAULT NULL::integer) RETURNS bigint' \
            'CREATE POLICY customer_own ON por.leaves TO por_customer USING ((account_id IN ( SELECT o.account_id' \
            'GRANT SELECT(root) ON TABLE por.snapshots TO por_customer;' \
            "COMMENT ON COLUMN por.snapshots.source IS 'the source query or relation name as given (not readable by customers)';"; do
    grep -qF -- "$line" "$work/new.sql"
    ok $? "the dump shows: ${line:0:60}"
done
ok_dump=$(diff "$work/old.sql" "$work/new.sql" >"$work/dump.diff"; echo $?)
is "$ok_dump" "0" "updated and fresh install dump the same definitions, comments, privileges and policies"
[ "$ok_dump" = 0 ] || sed 's/^/#   /' "$work/dump.diff" | head -80

# the comparison sees a difference as small as one column comment
"${PSQL[@]}" -d por_upgrade_old -c "COMMENT ON COLUMN por.leaves.debt IS NULL" >/dev/null
dump por_upgrade_old "$work/old2.sql"
is "$(diff "$work/old2.sql" "$work/new.sql" | grep -c '^> COMMENT ON COLUMN por.leaves.debt')" "1" "a missing column comment shows up in the comparison"

done_testing
