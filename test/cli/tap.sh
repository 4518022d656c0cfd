# TAP assertions shared by the test/cli/*.t scripts (sourced, not run: prove
# picks up *.t only).  Each assertion prints one "ok"/"not ok" line; the
# script ends with done_testing, which prints the plan and sets the exit status.
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
