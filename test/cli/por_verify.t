#!/usr/bin/env bash
# TAP: por-verify on proofs exported from a live snapshot (run inside the
# throwaway cluster by `make sql-check`): valid proofs pass with exit 0,
# tampered, wrong-root and malformed files fail with exit 1, usage errors exit 2.
set -u
VERIFY="${POR_VERIFY:-build/por-verify}"
PSQL=(psql -X -q -At -v ON_ERROR_STOP=1)
work=$(mktemp -d)
trap 'rm -rf "$work"; "${PSQL[@]}" -c "DROP DATABASE IF EXISTS por_cli_test" >/dev/null 2>&1' EXIT
n=0
fails=0
check() { # description, expected exit code, command...
    local desc=$1 want=$2
    shift 2
    "$@" >"$work/out" 2>&1
    local got=$?
    n=$((n + 1))
    if [ "$got" -eq "$want" ]; then
        echo "ok $n - $desc"
    else
        fails=$((fails + 1))
        echo "not ok $n - $desc (exit $got, expected $want)"
        sed 's/^/#   /' "$work/out" | head -20
    fi
}

"${PSQL[@]}" -c "CREATE DATABASE por_cli_test" >/dev/null
DB=(psql -X -q -At -v ON_ERROR_STOP=1 -d por_cli_test)
"${DB[@]}" >/dev/null <<'SQL'
CREATE EXTENSION por;
SET por.batch_log2 = 3;
SELECT por_snapshot_create($$SELECT 'user-' || g, s, g * 1.5, CASE WHEN s = 'BTC' THEN 0 ELSE g * 0.5 END
                             FROM generate_series(1, 20) g, unnest(ARRAY['BTC', 'USDT']) s$$,
                           '{"BTC": {"decimals": 8, "price": "65000.25", "haircut": 95}, "USDT": {"decimals": 6, "price": "1"}}');
SELECT por_prove(1);
SQL
root=$("${DB[@]}" -c "SELECT encode(por_root(1), 'hex')")
digest=$("${DB[@]}" -c "SELECT encode(por_params_digest(1), 'hex')")
"${DB[@]}" -c "SELECT por_inclusion_proof_json(1, 'user-7')" >"$work/p.json"
"${DB[@]}" -c "SELECT encode(por_inclusion_proof(1, 'user-7'), 'hex')" | perl -ne 'chomp; print pack("H*", $_)' >"$work/p.bin"
other=$("${DB[@]}" -c "SELECT encode(por_poseidon_hash('{1}'), 'hex')")

check "valid JSON proof, no root given" 0 "$VERIFY" inclusion "$work/p.json"
check "valid JSON proof at the published root" 0 "$VERIFY" inclusion "$work/p.json" --root "$root"
check "valid binary proof at the published root" 0 "$VERIFY" inclusion "$work/p.bin" --root "$root"
check "valid proof at root and params digest" 0 "$VERIFY" inclusion "$work/p.json" --root "$root" --params-digest "$digest"
"$VERIFY" inclusion "$work/p.json" --root "$root" >"$work/report" 2>&1
n=$((n + 1)); if grep -q "RESULT: VALID" "$work/report" && grep -q "user-7" "$work/report" && grep -q "10.50000000" "$work/report"; then
    echo "ok $n - the report names the account and its balance in asset units"; else fails=$((fails + 1)); echo "not ok $n - report"; sed 's/^/#   /' "$work/report"; fi
check "wrong root rejected" 1 "$VERIFY" inclusion "$work/p.json" --root "$other"
check "wrong params digest rejected" 1 "$VERIFY" inclusion "$work/p.json" --root "$root" --params-digest "$other"
sed 's/"equity": "1050000000"/"equity": "1050000001"/' "$work/p.json" >"$work/t1.json"
check "one more satoshi rejected" 1 "$VERIFY" inclusion "$work/t1.json" --root "$root"
sed 's/"user-7"/"user-8"/' "$work/p.json" >"$work/t2.json"
check "another account id rejected" 1 "$VERIFY" inclusion "$work/t2.json" --root "$root"
head -c 100 "$work/p.bin" >"$work/t3.bin"
check "truncated binary rejected" 1 "$VERIFY" inclusion "$work/t3.bin"
printf '{"format": "por-inclusion-proof"' >"$work/t4.json"
check "truncated JSON rejected" 1 "$VERIFY" inclusion "$work/t4.json"
: >"$work/empty"
check "empty file rejected" 1 "$VERIFY" inclusion "$work/empty"
head -c 5000 /dev/urandom >"$work/random"
check "random bytes rejected" 1 "$VERIFY" inclusion "$work/random"
# batch proofs and the bundle, exported by the server (which runs as another OS user)
srv="/tmp/por_cli_bundle_$$"
files=$("${DB[@]}" -c "SELECT por_export_bundle(1, '$srv')")
n=$((n + 1)); if [ "$files" = 4 ]; then echo "ok $n - por_export_bundle wrote the manifest and 3 batch files"; else fails=$((fails + 1)); echo "not ok $n - export wrote '$files'"; fi
cp -r "$srv" "$work/bundle" && rm -rf "$srv"
B="$work/bundle"
check "the exported bundle verifies" 0 "$VERIFY" bundle "$B"
"$VERIFY" bundle "$B" >"$work/report" 2>&1
n=$((n + 1)); if grep -q "RESULT: VALID" "$work/report" && grep -q "BTC" "$work/report" && grep -q "USDT" "$work/report"; then
    echo "ok $n - the bundle report names the proven totals per asset"; else fails=$((fails + 1)); echo "not ok $n - bundle report"; sed 's/^/#   /' "$work/report"; fi
check "one batch proof verifies alone" 0 "$VERIFY" batch "$B/batch-000001.porb"
batch=$("${DB[@]}" -c "SELECT por_inclusion_proof_json(1, 'user-7') -> 'account' ->> 'batch'")
other_batch=$(( (batch + 1) % 3 ))
check "inclusion proof checked against its batch proof" 0 "$VERIFY" inclusion "$work/p.json" --root "$root" --batch "$B/batch-00000$batch.porb"
check "inclusion proof against another batch's proof rejected" 1 "$VERIFY" inclusion "$work/p.json" --root "$root" --batch "$B/batch-00000$other_batch.porb"
flip() { # file, byte offset: flips the low bit of that byte in place
    perl -e 'open(my $f, "+<", $ARGV[0]) or die; binmode $f; seek($f, $ARGV[1], 0); read($f, my $c, 1); seek($f, $ARGV[1], 0); print $f chr(ord($c) ^ 1); close $f' "$1" "$2"
}
tampered() { rm -rf "$work/t" && cp -r "$B" "$work/t"; }
# the edit must have changed the manifest, or the test after it would prove nothing
edited() {
    n=$((n + 1))
    if cmp -s "$B/bundle.json" "$work/t/bundle.json"; then fails=$((fails + 1)); echo "not ok $n - the manifest edit changed nothing"; else echo "ok $n - manifest edited"; fi
}
tampered; flip "$work/t/batch-000001.porb" 5000
check "a flipped byte inside a batch proof: bundle rejected" 1 "$VERIFY" bundle "$work/t"
check "... and that batch proof alone rejected" 1 "$VERIFY" batch "$work/t/batch-000001.porb"
tampered; mv "$work/t/batch-000000.porb" "$work/t/x"; mv "$work/t/batch-000001.porb" "$work/t/batch-000000.porb"; mv "$work/t/x" "$work/t/batch-000001.porb"
check "two batch files swapped: rejected" 1 "$VERIFY" bundle "$work/t"
tampered; rm "$work/t/batch-000002.porb"
check "a missing batch: rejected" 1 "$VERIFY" bundle "$work/t"
tampered; flip "$work/t/batch-000001.porb" 14
check "a batch number relabelled inside the file: rejected by the bundle" 1 "$VERIFY" bundle "$work/t"
tampered; perl -0pi -e 's/("equity_total": ")(\d)/$1 . ($2 eq "9" ? "8" : $2 + 1)/e' "$work/t/bundle.json"; edited
check "a manifest total changed: rejected" 1 "$VERIFY" bundle "$work/t"
tampered; perl -0pi -e 's/("root": ")(.)/$1 . ($2 eq "0" ? "1" : "0")/e' "$work/t/bundle.json"; edited
check "a manifest root changed: rejected" 1 "$VERIFY" bundle "$work/t"
tampered; perl -0pi -e 's/"haircut": 95/"haircut": 94/' "$work/t/bundle.json"; edited
check "a manifest haircut changed: rejected" 1 "$VERIFY" bundle "$work/t"
check "a directory without a bundle exits 2" 2 "$VERIFY" bundle "$work/no-such-dir"
check "missing file exits 2 (cannot read input)" 2 "$VERIFY" inclusion "$work/no-such-file"
check "bad root hex is a usage error" 2 "$VERIFY" inclusion "$work/p.json" --root xyz
check "unknown command is a usage error" 2 "$VERIFY" frobnicate "$work/p.json"
check "no arguments is a usage error" 2 "$VERIFY"
echo "1..$n"
exit $((fails > 0))
