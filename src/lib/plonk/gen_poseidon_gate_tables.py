#!/usr/bin/env python3
# Generates the partial-round tables of the Poseidon gate's fast constraint
# evaluation (src/lib/plonk/gate_poseidon.c): in the 22 partial rounds everything
# between the S-boxes is affine, so each S-box input (and the state after the
# partial rounds) is a constant plus a dot product with the 12 words entering
# the partial rounds plus the earlier partial-round S-box outputs.  Exact mod p.
# Usage: python3 src/lib/plonk/gen_poseidon_gate_tables.py src/lib/hash/poseidon_constants.h
import re
import sys
P = 2**64 - 2**32 + 1
txt = open(sys.argv[1]).read()
body = txt[txt.index('POR_POSEIDON_ROUND_CONSTANTS[360]'):]
rc = [int(x, 16) for x in re.findall(r'0x[0-9a-fA-F]+', body)][:360]
assert len(rc) == 360
C = [17, 15, 41, 16, 2, 28, 13, 13, 39, 18, 34, 20]
M = [[C[(i - r) % 12] + (8 if r == 0 and i == 0 else 0) for i in range(12)] for r in range(12)]
# check with the C table's first rows
assert M[0] == [25, 15, 41, 16, 2, 28, 13, 13, 39, 18, 34, 20]
assert M[1] == [20, 17, 15, 41, 16, 2, 28, 13, 13, 39, 18, 34]
NV = 12 + 22 + 1  # u[0..11], y[0..21], const
def var(k):
    v = [0] * NV; v[k] = 1; return v
s = [var(i) for i in range(12)]
zrows = []
for r in range(22):
    c = rc[12 * (4 + r):12 * (5 + r)]
    s = [[x for x in s[i]] for i in range(12)]
    for i in range(12):
        s[i][NV - 1] = (s[i][NV - 1] + c[i]) % P
    zrows.append(s[0])
    s[0] = var(12 + r)
    s = [[sum(M[a][b] * s[b][k] for b in range(12)) % P for k in range(NV)] for a in range(12)]
for r, z in enumerate(zrows):
    assert all(z[12 + j] == 0 for j in range(r, 22))
def fmt(vals, ind='    '):
    out = []
    for i in range(0, len(vals), 4):
        out.append(ind + ', '.join('0x%016x' % v for v in vals[i:i + 4]) + ',')
    return '\n'.join(out)
o = []
o.append('static const uint64_t PART_U[22][12] = {')
for z in zrows: o.append('    {\n' + fmt(z[:12], '        ') + '\n    },')
o.append('};')
o.append('static const uint64_t PART_Y[22][22] = {')
for z in zrows: o.append('    {\n' + fmt(z[12:34], '        ') + '\n    },')
o.append('};')
o.append('static const uint64_t PART_C[22] = {\n' + fmt([z[34] for z in zrows]) + '\n};')
o.append('static const uint64_t FIN_U[12][12] = {')
for z in s: o.append('    {\n' + fmt(z[:12], '        ') + '\n    },')
o.append('};')
o.append('static const uint64_t FIN_Y[12][22] = {')
for z in s: o.append('    {\n' + fmt(z[12:34], '        ') + '\n    },')
o.append('};')
o.append('static const uint64_t FIN_C[12] = {\n' + fmt([z[34] for z in s]) + '\n};')
sys.stdout.write('\n'.join(o) + '\n')
