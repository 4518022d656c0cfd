# TAP helpers for the test/cli/*.t scripts (sourced, not run): assertions that
# count and report, and a poll for a condition in the database.
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
# waits up to $2 seconds for the SQL $1, run by the caller's psql command array DB, to return t
wait_for() {
    local sql=$1 limit=$2 i=0
    while [ "$i" -lt $((limit * 10)) ]; do
        [ "$("${DB[@]}" -c "$sql" 2>/dev/null)" = "t" ] && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
# the plan, and the exit status prove reads
finish() {
    echo "1..$n"
    exit $((fails > 0))
}
