#!/usr/bin/env bash
# TAP: por-verify on final proofs (docs/por-verify.md), without a database:
# test_agg proves two small snapshots (3 batches at fan-in 2, snapshot 5; one
# batch, snapshot 8) and writes their final proofs and an inclusion proof of
# each.  `final` derives every key and prints the statement (CONSISTENT
# without the published values, VALID with them, totals by symbol with
# --params); `inclusion --final` is VALID against the account's own final
# proof and INVALID against another snapshot's; tampered, truncated and
# non-final files are INVALID or ERROR.  The keys of this shape are shipped
# (keys/shapes.txt): used by default, derived under --derive-keys, and the
# report and the JSON's "keys" member say which.
set -u
VERIFY="${POR_VERIFY:-build/por-verify}"
GEN="${POR_AGG_TEST:-build/test/agg/test_agg}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0
fails=0
check() { # description, expected exit code, command...
    local desc=$1 want=$2
    shift 2
    "$@" >"$work/out" 2>&1
    local got=$?
    n=$((n + 1))
    if [ "$got" -eq "$want" ]; then echo "ok $n - $desc"; else
        fails=$((fails + 1)); echo "not ok $n - $desc (exit $got, expected $want)"; sed 's/^/#   /' "$work/out" | head -20; fi
}
has() { # description, regex
    n=$((n + 1))
    if perl -0ne "exit(/$2/ ? 0 : 1)" "$work/out"; then echo "ok $n - $1"; else
        fails=$((fails + 1)); echo "not ok $n - $1"; sed 's/^/#   /' "$work/out" | head -20; fi
}
[ -x "$GEN" ] && [ -x "$VERIFY" ] || make -s "$GEN" "$VERIFY" >/dev/null
POR_AGG_EXPORT_DIR="$work" "$GEN" >"$work/gen" 2>&1 || { echo "1..0 # SKIP the proofs could not be made"; cat "$work/gen" >&2; exit 1; }
F5="$work/final-5.porf" F8="$work/final-8.porf" I5="$work/inclusion-5.porf" I8="$work/inclusion-8.porf"

check "final proof without published values: CONSISTENT" 3 "$VERIFY" final "$F5"
has "... prints the statement, key time and security" "(?s)root [0-9a-f]{64}\n.*params digest [0-9a-f]{64}.*verifier keys (derived )?in [0-9.]+ s.*security: [0-9.]+ bits conjectured"
has "... the security of the published proof: the compression proof's 100.3 bits" "security: 100\.3 bits conjectured"
has "... its key is the compression circuit's" "compression circuit digest [0-9a-f]{64}"
# keys/shapes.txt ships this shape (tree 2 2 62 1 1-3): shipped by default, derived under --derive-keys
has "... its 4 keys shipped (the circuits built and fingerprinted)" "verifier keys in [0-9.]+ s, 4 of 4 shipped: every circuit built and fingerprinted"
root=$(perl -ne 'print $1 if /^root ([0-9a-f]{64})/' "$work/out")
digest=$(perl -ne 'print $1 if /^params digest ([0-9a-f]{64})/' "$work/out")
check "final --derive-keys: CONSISTENT" 3 "$VERIFY" final "$F5" --derive-keys
has "... every key derived by the setup" "verifier keys derived in [0-9.]+ s"
check "--json --derive-keys final" 3 "$VERIFY" --json --derive-keys final "$F5"
has "... keys member: derived" '"keys": \{"source": "derived", "ms": [0-9]+, "count": 4, "shipped": 0\}'
check "--json inclusion --final (one batch: a one-level tree)" 0 "$VERIFY" --json inclusion "$I8" --final "$F8"
has "... keys member: the final proof's 3 keys" '"keys": \{"source": "shipped", "ms": [0-9]+, "count": 3, "shipped": 3\}'
check "final proof at the published root and params digest: VALID" 0 "$VERIFY" final "$F5" --root "$root" --params-digest "$digest"
check "final proof with --params: totals by symbol in whole units" 3 "$VERIFY" final "$F5" --params "$I5"
has "... names the assets" "A0 equity [0-9]+\.[0-9]{6} \([0-9]+\) debt"
check "final proof with another snapshot's --params: INVALID" 1 "$VERIFY" final "$F5" --params "$I8"
check "final proof at another root: INVALID" 1 "$VERIFY" final "$F8" --root "$root" --params-digest "$digest"
check "--json final" 3 "$VERIFY" --json final "$F5"
has "... JSON statement with leaf count, levels and key derivation time" '"leaf_count": 12.*"levels": 2|"levels": 2.*"leaf_count": 12'
has "... keys member: shipped" '"keys": \{"source": "shipped", "ms": [0-9]+, "count": 4, "shipped": 4\}'
check "inclusion --final: the account's path leads to the final proof's root: VALID" 0 "$VERIFY" inclusion "$I5" --final "$F5"
has "... says so" "leads to the final proof's root"
check "inclusion --final of another snapshot's final proof: INVALID" 1 "$VERIFY" inclusion "$I5" --final "$F8"
check "the other snapshot's account against its own final proof: VALID" 0 "$VERIFY" inclusion "$I8" --final "$F8"
# tampered and truncated
perl -0777 -pe 'substr($_, 1000, 1) = chr(ord(substr($_, 1000, 1)) ^ 1)' "$F5" >"$work/t.porf"
check "a final proof with one bit flipped: INVALID or ERROR, never VALID" 1 "$VERIFY" final "$work/t.porf" --root "$root" --params-digest "$digest"
head -c 5000 "$F5" >"$work/short.porf"
check "a truncated final proof: ERROR (garbled)" 2 "$VERIFY" final "$work/short.porf"
perl -0777 -pe 'substr($_, 4, 1) = chr(1)' "$F5" >"$work/v1.porf"
check "a version-1 final proof (before the compression layer): ERROR" 2 "$VERIFY" final "$work/v1.porf"
has "... saying which version" "unsupported format version 1"
check "an inclusion proof given to final: ERROR naming the right command" 2 "$VERIFY" final "$I5"
has "... which command reads it" "inclusion proof: check it with por-verify inclusion"
check "a final proof given to batch: ERROR naming the right command" 2 "$VERIFY" batch "$F5"
has "... which command reads it" "final proof: check it with por-verify final"
echo "1..$n"
[ "$fails" -eq 0 ]
