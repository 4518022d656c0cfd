# Shared by the test/cli/*.t scripts (sourced, not run: prove picks up *.t
# only): throwaway databases and a work directory removed on exit, TAP
# assertions (one "ok"/"not ok" line each; the script ends with done_testing,
# which prints the plan and sets the exit status), waiting for a condition.
PSQL=(psql -X -q -At -v ON_ERROR_STOP=1)
work=$(mktemp -d)
test_dbs=()
test_paths=()
cleanup() {
    rm -rf "$work" "${test_paths[@]}"
    for db in "${test_dbs[@]}"; do "${PSQL[@]}" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1; done
}
trap cleanup EXIT
# test_db NAME: creates database NAME, dropped on exit
test_db() {
    test_dbs+=("$1")
    "${PSQL[@]}" -c "CREATE DATABASE $1" >/dev/null
}
# ledger_create COUNT: COUNT snapshots of 128 accounts x 16 assets in
# LEDGER_BATCHES = 16 batches of 8, in the database of DB: about a tenth of a
# second per batch, seconds in all, so a cancel, a kill or a second call lands
# mid-run, while the aggregation above them stays a handful of nodes
LEDGER_BATCHES=16
ledger_create() {
    "${DB[@]}" >/dev/null <<SQL
SELECT por_snapshot_create(\$\$SELECT 'acct-' || g, 'T' || t, g * t, 0 FROM generate_series(1, 128) g, generate_series(1, 16) t\$\$,
                           (SELECT jsonb_object_agg('T' || t, jsonb_build_object('decimals', 0, 'price', (100 * t)::text))
                              FROM generate_series(1, 16) t),
                           batch_log2 => 3)
  FROM generate_series(1, $1);
SQL
}
# ledger_snapshots COUNT: por in the database of DB, then ledger_create COUNT
ledger_snapshots() {
    "${DB[@]}" -c "CREATE EXTENSION por" >/dev/null
    ledger_create "$1"
}
n=0
fails=0
ok() { # condition-result (0 = pass), description
    n=$((n + 1))
    if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else fails=$((fails + 1)); echo "not ok $n - $2"; fi
}
is() { # got, expected, description
    n=$((n + 1))
    if [ "$1" = "$2" ]; then echo "ok $n - $3"; else fails=$((fails + 1)); echo "not ok $n - $3 (got '$1', expected '$2')"; fi
}
like() { # file, extended regex, description
    n=$((n + 1))
    if grep -Eq -- "$2" "$1"; then echo "ok $n - $3"; else fails=$((fails + 1)); echo "not ok $n - $3"; sed 's/^/#   /' "$1" | head -8; fi
}
# waits up to $2 seconds for the SQL $1 (run with the script's DB command) to return t
wait_for() {
    local sql=$1 limit=$2 i=0
    while [ "$i" -lt $((limit * 10)) ]; do
        [ "$("${DB[@]}" -c "$sql" 2>/dev/null)" = "t" ] && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
done_testing() {
    echo "1..$n"
    exit $((fails > 0))
}
