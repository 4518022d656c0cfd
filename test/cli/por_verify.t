#!/usr/bin/env bash
# TAP: por-verify on proofs exported from a live snapshot (run inside the
# throwaway cluster by `make sql-check`; docs/por-verify.md): valid proofs
# checked against the published root and params digest exit 0 (VALID),
# without them 3 (CONSISTENT); tampered and wrong-root proofs exit 1
# (INVALID); usage errors, unreadable, garbled and non-proof files exit 2
# (ERROR); --json, --version, the hex forms of digests, asset symbols for a
# batch, and the cost cap (shapes refused before any key is derived).
set -u
VERIFY="${POR_VERIFY:-build/por-verify}"
PSQL=(psql -X -q -At -v ON_ERROR_STOP=1)
work=$(mktemp -d)
trap 'rm -rf "$work"; "${PSQL[@]}" -c "DROP DATABASE IF EXISTS por_cli_test" >/dev/null 2>&1' EXIT
n=0
fails=0
# passes if the last command's output ($work/out) matches the Perl regex
has() { # description, regex
    n=$((n + 1))
    if perl -0ne "exit(/$2/ ? 0 : 1)" "$work/out"; then echo "ok $n - $1"; else
        fails=$((fails + 1)); echo "not ok $n - $1"; sed 's/^/#   /' "$work/out" | head -20; fi
}
# passes if stdout held one JSON object (one line; stderr may add lines) for which the Perl expression (on $j) holds
json_has() { # description, expression
    n=$((n + 1))
    if perl -MJSON::PP -0ne "my @o = /^(\{.*\})\$/mg; exit 1 if @o != 1; my \$j = decode_json(\$o[0]); exit(($2) ? 0 : 1)" "$work/out" 2>/dev/null; then
        echo "ok $n - $1"; else fails=$((fails + 1)); echo "not ok $n - $1"; sed 's/^/#   /' "$work/out" | head -20; fi
}
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

ROOT_UPPER=$(echo "$root" | tr a-f A-F)
PUB=(--root "$root" --params-digest "$digest")

# published values: VALID only when both were given and match
check "valid JSON proof at the published root and params digest" 0 "$VERIFY" inclusion "$work/p.json" "${PUB[@]}"
has "... RESULT: VALID" "RESULT: VALID\n"
check "valid binary proof at the published root and params digest" 0 "$VERIFY" inclusion "$work/p.bin" "${PUB[@]}"
check "no root given: CONSISTENT, exit 3" 3 "$VERIFY" inclusion "$work/p.json"
has "... says which published values to compare, with their values" "RESULT: CONSISTENT: .*root \(--root $root\), params_digest \(--params-digest $digest\)"
n=$((n + 1)); if grep -q "RESULT: VALID" "$work/out"; then fails=$((fails + 1)); echo "not ok $n - ... and never prints RESULT: VALID"; else echo "ok $n - ... and never prints RESULT: VALID"; fi
check "root without params digest: CONSISTENT" 3 "$VERIFY" inclusion "$work/p.bin" --root "$root"
has "... names the params digest still to compare" "not compared with the published params_digest"
"$VERIFY" inclusion "$work/p.json" "${PUB[@]}" >"$work/report" 2>&1
n=$((n + 1)); if grep -q "RESULT: VALID" "$work/report" && grep -q "user-7" "$work/report" && grep -q "10.50000000" "$work/report"; then
    echo "ok $n - the report names the account and its balance in asset units"; else fails=$((fails + 1)); echo "not ok $n - report"; sed 's/^/#   /' "$work/report"; fi
# digests as people copy them
check "root as psql prints bytea (\\x...)" 0 "$VERIFY" inclusion "$work/p.json" --root "\\x$root" --params-digest "\\x$digest"
check "root with 0x, uppercase" 0 "$VERIFY" inclusion "$work/p.json" --root "0x$ROOT_UPPER" --params-digest "0X$digest"
check "root in uppercase" 0 "$VERIFY" inclusion "$work/p.json" --root "$ROOT_UPPER" --params-digest "$digest"
check "a root of 63 hex digits is a usage error" 2 "$VERIFY" inclusion "$work/p.json" --root "${root:1}"
check "wrong root rejected" 1 "$VERIFY" inclusion "$work/p.json" --root "$other" --params-digest "$digest"
check "wrong params digest rejected" 1 "$VERIFY" inclusion "$work/p.json" --root "$root" --params-digest "$other"
sed 's/"equity": "1050000000"/"equity": "1050000001"/' "$work/p.json" >"$work/t1.json"
check "one more satoshi rejected" 1 "$VERIFY" inclusion "$work/t1.json" "${PUB[@]}"
sed 's/"user-7"/"user-8"/' "$work/p.json" >"$work/t2.json"
check "another account id rejected" 1 "$VERIFY" inclusion "$work/t2.json" "${PUB[@]}"
# unreadable, garbled, not a proof: exit 2
head -c 100 "$work/p.bin" >"$work/t3.bin"
check "truncated binary: ERROR" 2 "$VERIFY" inclusion "$work/t3.bin"
printf '{"format": "por-inclusion-proof"' >"$work/t4.json"
check "truncated JSON: ERROR" 2 "$VERIFY" inclusion "$work/t4.json"
: >"$work/empty"
check "empty file: ERROR" 2 "$VERIFY" inclusion "$work/empty"
head -c 5000 /dev/urandom >"$work/random"
check "random bytes: ERROR" 2 "$VERIFY" inclusion "$work/random"
has "... not an inclusion proof" "RESULT: ERROR: .*(not an inclusion proof|not a readable inclusion proof)"
iconv -f latin1 -t utf-8 "$work/p.bin" >"$work/mangled.bin"
check "binary proof sent through a latin1 -> UTF-8 text conversion: ERROR" 2 "$VERIFY" inclusion "$work/mangled.bin" "${PUB[@]}"
has "... which says how binary proofs get garbled" "RESULT: ERROR: .*text conversion"
perl -pe 's/\n/\r\n/g' "$work/p.bin" >"$work/crlf.bin"
n=$((n + 1)); if cmp -s "$work/p.bin" "$work/crlf.bin"; then echo "ok $n - # SKIP the binary proof has no newline byte"; else echo "ok $n - CRLF edit changed the proof"; fi
cmp -s "$work/p.bin" "$work/crlf.bin" || check "binary proof with line endings converted: ERROR" 2 "$VERIFY" inclusion "$work/crlf.bin" "${PUB[@]}"
"${DB[@]}" -c "SELECT por_inclusion_proof(1, 'user-7')" >"$work/p.hex"
check "the binary proof as psql prints it (\\x hex text) is read" 0 "$VERIFY" inclusion "$work/p.hex" "${PUB[@]}"
check "missing file: ERROR" 2 "$VERIFY" inclusion "$work/no-such-file"
# --version, --json
check "--version" 0 "$VERIFY" --version
has "... names the tool version and the formats it reads" "^por-verify 1\.1\n.*inclusion proofs.*batch proofs.*bundle manifests"
check "--json --version" 0 "$VERIFY" --json --version
json_has "... as JSON (final proofs: version 2)" '$j->{version} eq "1.1" && $j->{reads}{batch_proof} == 1 && $j->{reads}{final_proof} == 2'
check "--json, valid" 0 "$VERIFY" --json inclusion "$work/p.json" "${PUB[@]}"
json_has "... one object: VALID, the statement, both published values matched" '$j->{command} eq "inclusion" && $j->{result} eq "VALID" && $j->{exit_code} == 0 && $j->{statement}{root} eq "'"$root"'" && $j->{statement}{account_id} eq "user-7" && $j->{published}{root}{compared} eq "matched" && $j->{published}{params_digest}{compared} eq "matched" && @{$j->{report}} > 3'
check "--json without root" 3 "$VERIFY" inclusion "$work/p.json" --json
json_has "... CONSISTENT, root not given" '$j->{result} eq "CONSISTENT" && $j->{published}{root}{compared} eq "not given" && $j->{published}{root}{value} eq "'"$root"'"'
check "--json, tampered" 1 "$VERIFY" --json inclusion "$work/t1.json" "${PUB[@]}"
json_has "... INVALID with a reason" '$j->{result} eq "INVALID" && length($j->{reason}) > 10'
check "--json, garbled" 2 "$VERIFY" --json inclusion "$work/random"
json_has "... ERROR" '$j->{result} eq "ERROR" && $j->{exit_code} == 2'
check "--json, usage error" 2 "$VERIFY" --json inclusion "$work/p.json" --root xyz
json_has "... ERROR on stdout too" '$j->{result} eq "ERROR" && $j->{reason} =~ /usage/'
# batch proofs and the bundle, exported by the server (which runs as another OS user)
srv="/tmp/por_cli_bundle_$$"
files=$("${DB[@]}" -c "SELECT por_export_bundle(1, '$srv')")
n=$((n + 1)); if [ "$files" = 5 ]; then echo "ok $n - por_export_bundle wrote the manifest, the final proof and 3 batch files"; else fails=$((fails + 1)); echo "not ok $n - export wrote '$files'"; fi
cp -r "$srv" "$work/bundle" && rm -rf "$srv"
B="$work/bundle"
check "the exported bundle verifies at the published root and params digest" 0 "$VERIFY" bundle "$B" "${PUB[@]}"
has "... and names the proven totals per asset" "RESULT: VALID" 
has "... by symbol" "BTC equity .*\n.*USDT equity"
check "the bundle without published values: CONSISTENT" 3 "$VERIFY" bundle "$B"
check "the bundle at another root: INVALID" 1 "$VERIFY" bundle "$B" --root "$other" --params-digest "$digest"
check "--json bundle" 0 "$VERIFY" --json bundle "$B" "${PUB[@]}"
json_has "... totals by symbol in smallest units" '$j->{statement}{totals}[0]{symbol} eq "BTC" && $j->{statement}{totals}[1]{symbol} eq "USDT" && $j->{statement}{batch_count} == 3'
check "one batch proof alone at the published params digest" 0 "$VERIFY" batch "$B/batch-000001.porb" --params-digest "$digest"
has "... prints the FRI parameters the proof carries" "proof parameters: .*rate 1\/4.*[0-9]+ queries, [0-9]+ grinding bits, Merkle cap height [0-9]+"
has "... and says the file carries no symbols and how to get them" "carries no asset symbols: pass --params"
check "one batch proof alone, no published value: CONSISTENT" 3 "$VERIFY" batch "$B/batch-000001.porb"
n=$((n + 1)); if grep -Eq "^security: [0-9]+\.[0-9] bits conjectured \(ethSTARK conjecture.*bits provable" "$work/out"; then echo "ok $n - ... and states the security level (conjectured and provable)"; else fails=$((fails + 1)); echo "not ok $n - ... and states the security level (conjectured and provable)"; fi
check "a batch with --params bundle.json" 0 "$VERIFY" batch "$B/batch-000001.porb" --params "$B/bundle.json" --params-digest "$digest"
has "... names the assets by symbol in whole units" "  BTC equity [0-9.]+ \([0-9]+\) debt .*\n  USDT equity"
check "a batch with --params of an inclusion proof of the snapshot" 0 "$VERIFY" --json batch "$B/batch-000001.porb" --params "$work/p.json" --params-digest "$digest"
json_has "... JSON totals with symbols" '$j->{statement}{totals}[0]{symbol} eq "BTC" && $j->{statement}{totals}[1]{symbol} eq "USDT"'
check "a batch with --params that is not a snapshot's parameters: ERROR" 2 "$VERIFY" batch "$B/batch-000001.porb" --params "$work/random"
batch=$("${DB[@]}" -c "SELECT por_inclusion_proof_json(1, 'user-7') -> 'account' ->> 'batch'")
other_batch=$(( (batch + 1) % 3 ))
check "inclusion proof checked against its batch proof" 0 "$VERIFY" inclusion "$work/p.json" "${PUB[@]}" --batch "$B/batch-00000$batch.porb"
check "inclusion proof against another batch's proof rejected" 1 "$VERIFY" inclusion "$work/p.json" "${PUB[@]}" --batch "$B/batch-00000$other_batch.porb"
flip() { # file, byte offset: flips the low bit of that byte in place
    perl -e 'open(my $f, "+<", $ARGV[0]) or die; binmode $f; seek($f, $ARGV[1], 0); read($f, my $c, 1); seek($f, $ARGV[1], 0); print $f chr(ord($c) ^ 1); close $f' "$1" "$2"
}
setbyte() { # file, byte offset, value
    perl -e 'open(my $f, "+<", $ARGV[0]) or die; binmode $f; seek($f, $ARGV[1], 0); print $f chr($ARGV[2]); close $f' "$1" "$2" "$3"
}
tampered() { rm -rf "$work/t" && cp -r "$B" "$work/t"; }
# the edit must have changed the manifest, or the test after it would prove nothing
edited() {
    n=$((n + 1))
    if cmp -s "$B/bundle.json" "$work/t/bundle.json"; then fails=$((fails + 1)); echo "not ok $n - the manifest edit changed nothing"; else echo "ok $n - manifest edited"; fi
}
tampered; flip "$work/t/batch-000001.porb" 5000
check "a flipped byte inside a batch proof: bundle rejected" 1 "$VERIFY" bundle "$work/t" "${PUB[@]}"
check "... and that batch proof alone rejected" 1 "$VERIFY" batch "$work/t/batch-000001.porb"
tampered; mv "$work/t/batch-000000.porb" "$work/t/x"; mv "$work/t/batch-000001.porb" "$work/t/batch-000000.porb"; mv "$work/t/x" "$work/t/batch-000001.porb"
check "two batch files swapped: rejected" 1 "$VERIFY" bundle "$work/t" "${PUB[@]}"
tampered; rm "$work/t/batch-000002.porb"
check "a missing batch: rejected" 1 "$VERIFY" bundle "$work/t" "${PUB[@]}"
tampered; head -c 3000 "$B/batch-000002.porb" >"$work/t/batch-000002.porb"
check "a truncated batch file: ERROR" 2 "$VERIFY" bundle "$work/t" "${PUB[@]}"
tampered; flip "$work/t/batch-000001.porb" 14
check "a batch number relabelled inside the file: rejected by the bundle" 1 "$VERIFY" bundle "$work/t" "${PUB[@]}"
tampered; perl -0pi -e 's/("equity_total": ")(\d)/$1 . ($2 eq "9" ? "8" : $2 + 1)/e' "$work/t/bundle.json"; edited
check "a manifest total changed: rejected" 1 "$VERIFY" bundle "$work/t" "${PUB[@]}"
tampered; perl -0pi -e 's/("root": ")(.)/$1 . ($2 eq "0" ? "1" : "0")/e' "$work/t/bundle.json"; edited
check "a manifest root changed: rejected" 1 "$VERIFY" bundle "$work/t"
tampered; perl -0pi -e 's/"haircut": 95/"haircut": 94/' "$work/t/bundle.json"; edited
check "a manifest haircut changed (its params digest no longer matches): ERROR, not a readable manifest" 2 "$VERIFY" bundle "$work/t" "${PUB[@]}"
# the cost cap: a header naming a huge batch is refused before any key is derived
cp "$B/batch-000001.porb" "$work/big.porb"; setbyte "$work/big.porb" 22 16
check "a batch header claiming batch_log2 16: INVALID" 1 "$VERIFY" batch "$work/big.porb"
has "... refused by the cap" "RESULT: INVALID: .*too large for the verifier's cap"
n=$((n + 1)); if grep -q "deriving the verifier key" "$work/out"; then fails=$((fails + 1)); echo "not ok $n - ... before any key is derived"; else echo "ok $n - ... before any key is derived"; fi
cp "$B/batch-000001.porb" "$work/big.porb"; setbyte "$work/big.porb" 22 12
check "a batch header claiming batch_log2 12 (within the header cap, another circuit size): INVALID" 1 "$VERIFY" batch "$work/big.porb"
has "... refused after the circuit build, before its setup" "size is not that of the batch circuit its header names"
tampered; setbyte "$work/t/batch-000001.porb" 22 16
check "a bundle with one header claiming batch_log2 16: INVALID" 1 "$VERIFY" bundle "$work/t" "${PUB[@]}"
n=$((n + 1)); if grep -q "deriving the verifier key" "$work/out"; then fails=$((fails + 1)); echo "not ok $n - ... before any key is derived"; else echo "ok $n - ... before any key is derived"; fi
sqlv=$("${DB[@]}" -c "SELECT por_verify_batch(set_byte(proof, 22, 16)) FROM por.batch_proofs WHERE snapshot_id = 1 AND batch_no = 1")
n=$((n + 1)); if [ "$sqlv" = f ]; then echo "ok $n - the SQL verifier refuses the batch_log2 16 header too"; else fails=$((fails + 1)); echo "not ok $n - SQL verifier said '$sqlv'"; fi
# a crafted manifest (batches of 2^16 accounts, its params digest right) from the unit test's seeds
if [ -x build/test/por/test_bundle ]; then
    mkdir -p "$work/seeds" "$work/k16"
    POR_FUZZ_SEED_DIR="$work/seeds" build/test/por/test_bundle >/dev/null 2>&1
    cp "$work/seeds/bundle-k16.json" "$work/k16/bundle.json"
    check "a crafted manifest claiming batches of 2^16 accounts: INVALID" 1 "$VERIFY" bundle "$work/k16"
    has "... refused before any batch file is read" "refused before anything is read: batch shape too large"
    check "a batch with --params of another snapshot's manifest: INVALID" 1 "$VERIFY" batch "$B/batch-000001.porb" --params "$work/seeds/bundle.json"
else
    for i in 1 2 3; do n=$((n + 1)); echo "ok $n - # SKIP build/test/por/test_bundle not built"; done
fi
check "a directory without a bundle exits 2" 2 "$VERIFY" bundle "$work/no-such-dir"
check "bad root hex is a usage error" 2 "$VERIFY" inclusion "$work/p.json" --root xyz
check "unknown option is a usage error" 2 "$VERIFY" batch "$B/batch-000001.porb" --root "$root"
check "unknown command is a usage error" 2 "$VERIFY" frobnicate "$work/p.json"
check "no arguments is a usage error" 2 "$VERIFY"
echo "1..$n"
exit $((fails > 0))
