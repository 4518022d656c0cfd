#!/usr/bin/env python3
"""
Derive the constants of the fast Poseidon permutation (Goldilocks, width 12,
Plonky2 parameters) from the MDS matrix and the plain round constants, and
emit src/lib/hash/poseidon_fast_constants.h:

    python3 src/lib/hash/gen_poseidon_fast.py src/lib/hash/poseidon_constants.h \\
        > src/lib/hash/poseidon_fast_constants.h

The 22 partial rounds are  x <- M * S(x + c_r), S the S-box on x[0] only.
Write a state as (x0, z) with z the other 11 words, and
M = [[m00, w^T], [v, Mh]].

1. Constant folding, last round first.  The constant of round r+1, added just
   after M of round r, equals u = M^-1 c_{r+1} added just before that M.  Its
   first entry stays after the S-box of round r (a scalar k_r); entries 1..11
   commute with the S-box and join c_r.  What is left of round 0 is one full
   constant vector FIRST added before the partial rounds; k_21 = 0.

2. Sparse factoring (Plonky2's "fast partial rounds"), last round first.
   diag(1, X) * M = Sp * diag(1, Y) with Y = X Mh and the sparse
   Sp = [[m00, w_hat^T], [v_r, I]], v_r = X v, w_hat_r^T = w^T Y^-1.
   diag(1, Y) commutes with S (it leaves x0 alone), so it moves into the
   previous round; starting from X = I the dense blocks pile up into Y0,
   applied once before round 0.  A round is then
       x = S(x0) + k_r;  x0 <- m00 x + w_hat_r . z;  z <- z + v_r x.

3. Change of basis per block of 11 rounds.  In the basis z' = V^-1 z, with V
   the 11x11 matrix whose columns are v_r / m00 for the rounds of the block,
   the update z <- z + v_r x becomes z'_j += m00 x (one addition, j the
   round's index in the block; m00 x is a by-product of the new x0) and the
   dot product uses W_r = V^T w_hat_r.  Dense 11x11 products move between the
   bases: INIT = V1^-1 Y0 before block 1, MID = V2^-1 V1 between the blocks,
   FINAL = V2 back to the plain basis.  This trades Plonky2's 242 full
   multiplications of the updates for two extra matrix-vector products.

4. Entry.  The MDS layer of the last full round before the partial rounds,
   the constants FIRST and INIT are all linear, so they merge into one 12x12
   matrix ENTRY (row 0: the MDS row; rows 1-11: INIT times MDS rows 1-11) and
   a constant ENTRY_RC, applied to that round's S-box outputs.

5. Other full rounds.  The constants of the layer that follows an MDS layer
   (the next full round's) are split into 32-bit halves and added to the MDS
   row sums, which have room for them.

A round of the partial rounds then reads, with y = m00 x and d = m00 k + W.z:
    d = m00 k_r + W_r . z;  x0 <- m00 S(x0) + d;  z[j] += x0 - d + m00 k_r.

The script checks every rewriting against the plain rounds, and the plain
rounds against a Plonky2 known answer, before printing anything.
"""
import random
import re
import sys

P = 2**64 - 2**32 + 1
WIDTH = 12
HALF_FULL = 4
PARTIAL = 22
BLOCK = WIDTH - 1
MDS_CIRC = [17, 15, 41, 16, 2, 28, 13, 13, 39, 18, 34, 20]
MDS_DIAG = [8] + [0] * 11


def mds_matrix():
    # out[r] = sum_i state[(i + r) % 12] * C[i] + state[r] * D[r]
    m = [[0] * WIDTH for _ in range(WIDTH)]
    for r in range(WIDTH):
        for i in range(WIDTH):
            m[r][(i + r) % WIDTH] += MDS_CIRC[i]
        m[r][r] += MDS_DIAG[r]
    return m


def mat_vec(m, x):
    return [sum(a * b for a, b in zip(row, x)) % P for row in m]


def mat_mul(a, b):
    n, k, l = len(a), len(b), len(b[0])
    return [[sum(a[i][t] * b[t][j] for t in range(k)) % P for j in range(l)] for i in range(n)]


def transpose(a):
    return [list(col) for col in zip(*a)]


def mat_inv(m):
    n = len(m)
    a = [list(row) + [int(i == j) for j in range(n)] for i, row in enumerate(m)]
    for col in range(n):
        piv = next((r for r in range(col, n) if a[r][col] % P), None)
        if piv is None:
            raise ValueError("singular matrix")
        a[col], a[piv] = a[piv], a[col]
        inv = pow(a[col][col], P - 2, P)
        a[col] = [x * inv % P for x in a[col]]
        for r in range(n):
            if r != col and a[r][col]:
                f = a[r][col]
                a[r] = [(x - f * y) % P for x, y in zip(a[r], a[col])]
    return [row[n:] for row in a]


def read_round_constants(path):
    text = open(path).read()
    body = text[text.index("POR_POSEIDON_ROUND_CONSTANTS"):]
    body = body[body.index("{") + 1:body.index("}")]
    rc = [int(h, 16) for h in re.findall(r"0x([0-9a-fA-F]+)", body)]
    assert len(rc) == WIDTH * (2 * HALF_FULL + PARTIAL), len(rc)
    assert all(x < P for x in rc), "round constants must be canonical"
    return rc


def sbox(x):
    return pow(x, 7, P)


def round_constants(rc, rnd):
    return rc[WIDTH * rnd:WIDTH * (rnd + 1)]


def full_rounds(s, rc, m, first_round):
    for rnd in range(first_round, first_round + HALF_FULL):
        s = [sbox((x + c) % P) for x, c in zip(s, round_constants(rc, rnd))]
        s = mat_vec(m, s)
    return s


def permute_plain(state, rc, m):
    s = full_rounds(list(state), rc, m, 0)
    for rnd in range(HALF_FULL, HALF_FULL + PARTIAL):
        s = [(x + c) % P for x, c in zip(s, round_constants(rc, rnd))]
        s[0] = sbox(s[0])
        s = mat_vec(m, s)
    return full_rounds(s, rc, m, HALF_FULL + PARTIAL)


def derive_sparse(rc, m):
    """Steps 1 and 2."""
    minv = mat_inv(m)
    c = [round_constants(rc, HALF_FULL + r) for r in range(PARTIAL)]
    acc = list(c[PARTIAL - 1])
    k = [0] * PARTIAL
    for r in range(PARTIAL - 2, -1, -1):
        u = mat_vec(minv, acc)
        k[r] = u[0]
        acc = [c[r][0]] + [(c[r][i] + u[i]) % P for i in range(1, WIDTH)]

    w = m[0][1:]
    v = [m[i][0] for i in range(1, WIDTH)]
    mh = [row[1:] for row in m[1:]]
    x = [[int(i == j) for j in range(BLOCK)] for i in range(BLOCK)]
    w_hat = [None] * PARTIAL
    vs = [None] * PARTIAL
    for r in range(PARTIAL - 1, -1, -1):
        y = mat_mul(x, mh)
        vs[r] = mat_vec(x, v)
        w_hat[r] = mat_vec(transpose(mat_inv(y)), w)
        x = y
    return dict(first_rc=acc, k=k, y0=x, w_hat=w_hat, vs=vs, m00=m[0][0])


def derive_blocks(sp, m):
    """Steps 3 and 4."""
    assert PARTIAL == 2 * BLOCK
    inv = pow(sp["m00"], P - 2, P)
    cols = [[x * inv % P for x in v] for v in sp["vs"]]
    v1 = transpose(cols[:BLOCK])                # columns v_0 .. v_10, over m00
    v2 = transpose(cols[BLOCK:])                # columns v_11 .. v_21, over m00
    w = [mat_vec(transpose(v1 if r < BLOCK else v2), sp["w_hat"][r]) for r in range(PARTIAL)]
    init = mat_mul(mat_inv(v1), sp["y0"])
    entry = [m[0]] + mat_mul(init, m[1:])
    entry_rc = [sp["first_rc"][0]] + mat_vec(init, sp["first_rc"][1:])
    return dict(m00=sp["m00"], k=sp["k"], rc25=[sp["m00"] * k % P for k in sp["k"]], w=w,
                first_rc=sp["first_rc"], init=init, mid=mat_mul(mat_inv(v2), v1), final=v2,
                entry=entry, entry_rc=entry_rc)


def partial_sparse(s, sp):
    s = [(x + y) % P for x, y in zip(s, sp["first_rc"])]
    s = [s[0]] + mat_vec(sp["y0"], s[1:])
    for r in range(PARTIAL):
        t = (sbox(s[0]) + sp["k"][r]) % P
        s0 = (sp["m00"] * t + sum(a * b for a, b in zip(sp["w_hat"][r], s[1:]))) % P
        s = [s0] + [(s[i] + sp["vs"][r][i - 1] * t) % P for i in range(1, WIDTH)]
    return s


def partial_blocks(s, bl):
    s = [(x + y) % P for x, y in zip(s, bl["first_rc"])]
    x0, z = s[0], mat_vec(bl["init"], s[1:])
    for r in range(PARTIAL):
        if r == BLOCK:
            z = mat_vec(bl["mid"], z)
        t = (sbox(x0) + bl["k"][r]) % P
        x0 = (bl["m00"] * t + sum(a * b for a, b in zip(bl["w"][r], z))) % P
        z[r % BLOCK] = (z[r % BLOCK] + bl["m00"] * t) % P
    return [x0] + mat_vec(bl["final"], z)


def permute_with(partial, consts, state, rc, m):
    s = full_rounds(list(state), rc, m, 0)
    s = partial(s, consts)
    return full_rounds(s, rc, m, HALF_FULL + PARTIAL)


def next_constants(rc):
    """Step 5: constants added with the MDS layer of full rounds 0-2 and 4-7."""
    rows = [round_constants(rc, r) for r in (1, 2, 3, 27, 28, 29)] + [[0] * WIDTH]
    return [[x & 0xffffffff for x in row] + [x >> 32 for x in row] for row in rows]


def permute_emitted(state, rc, m, bl, nxt):
    """The C algorithm, from the emitted tables only (modulo p)."""
    def mds_next(s, row):
        lo = [sum(m[r][j] * (s[j] & 0xffffffff) for j in range(WIDTH)) + row[r] for r in range(WIDTH)]
        hi = [sum(m[r][j] * (s[j] >> 32) for j in range(WIDTH)) + row[WIDTH + r] for r in range(WIDTH)]
        assert all(x < 2**42 for x in lo + hi)
        return [(l + (h << 32)) % P for l, h in zip(lo, hi)]

    s = [(x + c) % P for x, c in zip(state, round_constants(rc, 0))]
    for i in range(HALF_FULL - 1):
        s = mds_next([sbox(x) for x in s], nxt[i])
    e = [(a + b) % P for a, b in zip(mat_vec(bl["entry"], [sbox(x) for x in s]), bl["entry_rc"])]
    x0, z = e[0], e[1:]
    for r in range(PARTIAL):
        if r == BLOCK:
            z = mat_vec(bl["mid"], z)
        d = (bl["rc25"][r] + sum(a * b for a, b in zip(bl["w"][r], z))) % P
        x0n = (bl["m00"] * sbox(x0) + d) % P
        z[r % BLOCK] = (z[r % BLOCK] + x0n - d + bl["rc25"][r]) % P
        x0 = x0n
    s = [x0] + mat_vec(bl["final"], z)
    s = [(x + c) % P for x, c in zip(s, round_constants(rc, HALF_FULL + PARTIAL))]
    for i in range(HALF_FULL - 1, 2 * HALF_FULL - 1):
        s = mds_next([sbox(x) for x in s], nxt[i])
    return s


def hexlist(values, per_line, indent):
    out = []
    for i in range(0, len(values), per_line):
        out.append(indent + ", ".join("0x%016x" % x for x in values[i:i + per_line]) + ",")
    return "\n".join(out)


def matrix(rows):
    return "\n".join("    {\n" + hexlist(row, 4, "        ") + "\n    }," for row in rows)


def halves(rows):
    return "\n".join("    {\n" + "\n".join("        " + ", ".join("0x%08x" % x for x in row[i:i + 6]) + ","
                                          for i in range(0, 2 * WIDTH, 6)) + "\n    }," for row in rows)


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "src/lib/hash/poseidon_constants.h"
    rc = read_round_constants(path)
    m = mds_matrix()
    sp = derive_sparse(rc, m)
    bl = derive_blocks(sp, m)
    nxt = next_constants(rc)
    assert sp["k"][PARTIAL - 1] == 0

    known = permute_plain(list(range(WIDTH)), rc, m)
    assert known[0] == 0xd64e1e3efc5b8e9e, hex(known[0])
    rng = random.Random(1)
    for _ in range(20):
        st = [rng.randrange(P) for _ in range(WIDTH)]
        want = permute_plain(st, rc, m)
        assert permute_with(partial_sparse, sp, st, rc, m) == want
        assert permute_with(partial_blocks, bl, st, rc, m) == want
        assert permute_emitted(st, rc, m, bl, nxt) == want

    # Column j of M, rows 0-11 twice: low rows 0-7 | low 8-11, high 0-3 | high 4-11.
    cols = [[m[r][j] for r in list(range(WIDTH)) * 2] for j in range(WIDTH)]

    print("""/*
 * Constants of the fast Poseidon permutation (Goldilocks, width 12, Plonky2
 * parameters).  Generated by src/lib/hash/gen_poseidon_fast.py from the MDS matrix
 * and POR_POSEIDON_ROUND_CONSTANTS; do not edit.  The derivations are in the
 * script.
 */
#ifndef POR_POSEIDON_FAST_CONSTANTS_H
#define POR_POSEIDON_FAST_CONSTANTS_H

#include <stdint.h>

/*
 * Constants added together with the MDS layer of full rounds 0, 1, 2, 4, 5, 6
 * and 7: those of the next full round, split into 32-bit halves, low halves
 * of words 0-11 then high halves (the last row is zero).
 */
static const uint64_t POSEIDON_MDS_NEXT_RC[7][24] = {
%s
};

/* Column j of the MDS matrix, rows 0-11 twice (vector layout: low halves of
 * rows 0-7 | low 8-11, high 0-3 | high 4-11). */
static const uint64_t POSEIDON_MDS_COLUMNS[12][24] = {
%s
};

/*
 * Full round 3's MDS layer, the partial rounds' folded constants and the
 * change to the first block basis, merged: (x0, z) = ENTRY * S-box outputs
 * + ENTRY_RC.
 */
static const uint64_t POSEIDON_FAST_ENTRY[12][12] = {
%s
};
static const uint64_t POSEIDON_FAST_ENTRY_RC[12] = {
%s
};

/*
 * Partial rounds: z moves to the second block basis with z = MID * z before
 * round 11 and back to the plain basis with state[1..12] = FINAL * z after
 * round 21.  Round r computes, with x0 = state[0] and j = r mod 11,
 *   d  = ROUND_RC25[r] + sum_i W[r][i] * z[i]
 *   x0 = M00 * x0^7 + d
 *   z[j] += x0 - d + ROUND_RC25[r]
 */
#define POSEIDON_FAST_M00 %d
static const uint64_t POSEIDON_FAST_ROUND_RC25[22] = {
%s
};
static const uint64_t POSEIDON_FAST_W[22][11] = {
%s
};
static const uint64_t POSEIDON_FAST_MID[11][11] = {
%s
};
static const uint64_t POSEIDON_FAST_FINAL[11][11] = {
%s
};

#endif""" % (
        halves(nxt),
        "\n".join("    {" + ", ".join(str(x) for x in col) + "}," for col in cols),
        matrix(bl["entry"]),
        hexlist(bl["entry_rc"], 4, "    "),
        bl["m00"],
        hexlist(bl["rc25"], 4, "    "),
        matrix(bl["w"]),
        matrix(bl["mid"]),
        matrix(bl["final"]),
    ))


if __name__ == "__main__":
    main()
