/*
 * The Poseidon gate: one Plonky2 Poseidon permutation per row (gates.h has
 * the wire layout and the degree argument).
 *
 * The constraints replay the permutation round by round on the wire values:
 * wherever the running state would exceed degree 7 (an S-box applied to a
 * degree-7 expression), the S-box input is taken from a wire instead, and a
 * constraint says that wire equals the running state.  MDS and round
 * constants are linear, so they never raise the degree.
 */
#include <pthread.h>
#include <string.h>

#include "field/field_x8.h"
#include "plonk/circuit_ext.h"
#include "plonk/gates.h"
#include "hash/poseidon.h"
#include "hash/poseidon_constants.h"
#include "hash/poseidon_internal.h"

#define HALF_FULL 4
#define PARTIAL 22
#define W 12

/* Wire of S-box input i of first-half full round r (1..3). */
static inline unsigned full0_wire(unsigned r, unsigned i) { return 24 + (r - 1) * W + i; }
/* Wire of the S-box input of partial round r (0..21). */
static inline unsigned partial_wire(unsigned r) { return 60 + r; }
/* Wire of S-box input i of second-half full round r (0..3). */
static inline unsigned full1_wire(unsigned r, unsigned i) { return 82 + r * W + i; }

static inline const uint64_t *round_constants(unsigned round)
{
    return &POR_POSEIDON_ROUND_CONSTANTS[W * round];
}

static inline gl_t sbox(gl_t x)
{
    gl_t x2 = gl_sqr(x), x3 = gl_mul(x2, x);
    return gl_mul(x3, gl_sqr(x2));
}
static inline gl2_t sbox_ext(gl2_t x)
{
    gl2_t x2 = gl2_sqr(x), x3 = gl2_mul(x2, x);
    return gl2_mul(x3, gl2_sqr(x2));
}

/*
 * MDS = circulant(C) + diag(8, 0, ..., 0), C = (17, 15, 41, 16, 2, 28, 13, 13,
 * 39, 18, 34, 20): out[r] = sum_i s[(i + r) mod 12] C[i] + [r = 0] 8 s[0],
 * written out as a dense matrix.  The coefficients are < 2^7, so a row sums
 * in 128 bits (< 2^75) and reduces once.  This runs at every LDE point in the
 * quotient, so it matters: with the library's generic -O2 flags this scalar
 * form measured faster than splitting into 32-bit halves.
 */
static const uint64_t MDS_M[W][W] = {
    {25, 15, 41, 16, 2, 28, 13, 13, 39, 18, 34, 20},
    {20, 17, 15, 41, 16, 2, 28, 13, 13, 39, 18, 34},
    {34, 20, 17, 15, 41, 16, 2, 28, 13, 13, 39, 18},
    {18, 34, 20, 17, 15, 41, 16, 2, 28, 13, 13, 39},
    {39, 18, 34, 20, 17, 15, 41, 16, 2, 28, 13, 13},
    {13, 39, 18, 34, 20, 17, 15, 41, 16, 2, 28, 13},
    {13, 13, 39, 18, 34, 20, 17, 15, 41, 16, 2, 28},
    {28, 13, 13, 39, 18, 34, 20, 17, 15, 41, 16, 2},
    {2, 28, 13, 13, 39, 18, 34, 20, 17, 15, 41, 16},
    {16, 2, 28, 13, 13, 39, 18, 34, 20, 17, 15, 41},
    {41, 16, 2, 28, 13, 13, 39, 18, 34, 20, 17, 15},
    {15, 41, 16, 2, 28, 13, 13, 39, 18, 34, 20, 17},
};

static void mds_scalar(gl_t s[W])
{
    gl_t t[W];
    for (unsigned r = 0; r < W; r++) {
        unsigned __int128 acc = 0;
        for (unsigned i = 0; i < W; i++)
            acc += (unsigned __int128)s[i] * MDS_M[r][i];
        t[r] = gl_reduce128(acc);
    }
    memcpy(s, t, sizeof(t));
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define GATE_HAVE_AVX512 1

/* MDS_M by columns, rows 0-7 then 8-11 and four zeros: column i is what
 * input word i is multiplied by. */
static const uint64_t MDS_COLS[W][16] __attribute__((aligned(64))) = {
    {25, 20, 34, 18, 39, 13, 13, 28, 2, 16, 41, 15, 0, 0, 0, 0},
    {15, 17, 20, 34, 18, 39, 13, 13, 28, 2, 16, 41, 0, 0, 0, 0},
    {41, 15, 17, 20, 34, 18, 39, 13, 13, 28, 2, 16, 0, 0, 0, 0},
    {16, 41, 15, 17, 20, 34, 18, 39, 13, 13, 28, 2, 0, 0, 0, 0},
    {2, 16, 41, 15, 17, 20, 34, 18, 39, 13, 13, 28, 0, 0, 0, 0},
    {28, 2, 16, 41, 15, 17, 20, 34, 18, 39, 13, 13, 0, 0, 0, 0},
    {13, 28, 2, 16, 41, 15, 17, 20, 34, 18, 39, 13, 0, 0, 0, 0},
    {13, 13, 28, 2, 16, 41, 15, 17, 20, 34, 18, 39, 0, 0, 0, 0},
    {39, 13, 13, 28, 2, 16, 41, 15, 17, 20, 34, 18, 0, 0, 0, 0},
    {18, 39, 13, 13, 28, 2, 16, 41, 15, 17, 20, 34, 0, 0, 0, 0},
    {34, 18, 39, 13, 13, 28, 2, 16, 41, 15, 17, 20, 0, 0, 0, 0},
    {20, 34, 18, 39, 13, 13, 28, 2, 16, 41, 15, 17, 0, 0, 0, 0},
};

/* lo + hi 2^32 mod p, canonical, for lo, hi < 2^44: hi's top part has weight
 * 2^64 = EPSILON, the rest is shifted into place with one carry fix-up; the
 * sum is below 2^64, so one subtraction of p makes it canonical. */
__attribute__((target("avx512f"))) static inline __m512i mds_combine(__m512i lo, __m512i hi)
{
    __m512i eps = _mm512_set1_epi64((long long)GL_EPSILON), p = _mm512_set1_epi64((long long)GL_P);
    __m512i u = _mm512_add_epi64(lo, _mm512_mul_epu32(_mm512_srli_epi64(hi, 32), eps));
    __m512i r = _mm512_add_epi64(u, _mm512_slli_epi64(hi, 32));
    r = _mm512_mask_add_epi64(r, _mm512_cmplt_epu64_mask(r, u), r, eps);
    return _mm512_mask_sub_epi64(r, _mm512_cmpge_epu64_mask(r, p), r, p);
}

/*
 * The MDS layer with AVX-512F, rows 0-7 in one vector and 8-11 in another:
 * each input word is split into 32-bit halves that multiply its column with
 * vpmuludq; a row's sums of halves stay below 12 * 2^32 * 2^7 < 2^44.  The
 * result is the canonical value mds_scalar computes.
 */
__attribute__((target("avx512f"))) static void mds_avx512(gl_t s[W])
{
    __m512i la = _mm512_setzero_si512(), ha = la, lb = la, hb = la;
    for (unsigned i = 0; i < W; i++) {
        __m512i x = _mm512_set1_epi64((long long)s[i]), xh = _mm512_srli_epi64(x, 32);
        __m512i ca = _mm512_load_si512((const void *)MDS_COLS[i]);
        __m512i cb = _mm512_load_si512((const void *)(MDS_COLS[i] + 8));
        la = _mm512_add_epi64(la, _mm512_mul_epu32(x, ca));
        ha = _mm512_add_epi64(ha, _mm512_mul_epu32(xh, ca));
        lb = _mm512_add_epi64(lb, _mm512_mul_epu32(x, cb));
        hb = _mm512_add_epi64(hb, _mm512_mul_epu32(xh, cb));
    }
    _mm512_storeu_si512((void *)s, mds_combine(la, ha));
    _mm512_mask_storeu_epi64(s + 8, 0x0F, mds_combine(lb, hb));
}
#endif

/* The MDS layer by the fastest implementation the CPU runs (they agree). */
static void mds(gl_t s[W])
{
#ifdef GATE_HAVE_AVX512
    if (__builtin_cpu_supports("avx512f")) {
        mds_avx512(s);
        return;
    }
#endif
    mds_scalar(s);
}

/* The MDS matrix is over the base field, so it acts componentwise. */
static void mds_ext(gl2_t s[W])
{
    gl_t a[W], b[W];
    for (unsigned i = 0; i < W; i++)
        a[i] = s[i].c0, b[i] = s[i].c1;
    mds(a);
    mds(b);
    for (unsigned i = 0; i < W; i++)
        s[i] = (gl2_t){a[i], b[i]};
}

static const char *poseidon_init(por_gate *g, unsigned w, unsigned r, unsigned k)
{
    (void)k;
    for (unsigned i = 0; i < POR_GATE_MAX_PARAMS; i++)
        if (g->params[i])
            return "poseidon gate takes no parameters";
    if (w < POR_POSEIDON_GATE_WIRES || r < POR_POSEIDON_GATE_ROUTED)
        return "poseidon gate needs 130 wires, 24 of them routed";
    g->num_wires = POR_POSEIDON_GATE_WIRES;
    g->num_constraints = POR_POSEIDON_GATE_CONSTRAINTS;
    g->degree = 7;
    return NULL;
}

/*
 * The permutation with wires: in "generate" mode (gen != NULL, the row
 * itself) the S-box inputs and the outputs are written to gen; otherwise the differences (state - wire) are
 * written to out, in the order: first-half rounds 1..3, partial rounds,
 * second-half rounds, outputs.
 */
/* A materialized value: generating, store the state in the wire; checking,
 * emit (state - wire) and continue from the wire, as the constraint does. */
static inline void take(const gl_t *w, gl_t *gen, gl_t *out, unsigned *k, unsigned wire, gl_t *s)
{
    if (gen) {
        gen[wire] = *s;
    } else {
        out[(*k)++] = gl_sub(*s, w[wire]);
        *s = w[wire];
    }
}

static void poseidon_run(const gl_t *w, gl_t *gen, gl_t *out)
{
    gl_t s[W];
    unsigned k = 0, round = 0;
    memcpy(s, w, sizeof(s));
    for (unsigned r = 0; r < HALF_FULL; r++, round++) {
        const uint64_t *rc = round_constants(round);
        for (unsigned i = 0; i < W; i++) {
            s[i] = gl_add(s[i], gl_from_u64(rc[i]));
            if (r > 0)
                take(w, gen, out, &k, full0_wire(r, i), &s[i]);
            s[i] = sbox(s[i]);
        }
        mds(s);
    }
    for (unsigned r = 0; r < PARTIAL; r++, round++) {
        const uint64_t *rc = round_constants(round);
        for (unsigned i = 0; i < W; i++)
            s[i] = gl_add(s[i], gl_from_u64(rc[i]));
        take(w, gen, out, &k, partial_wire(r), &s[0]);
        s[0] = sbox(s[0]);
        mds(s);
    }
    for (unsigned r = 0; r < HALF_FULL; r++, round++) {
        const uint64_t *rc = round_constants(round);
        for (unsigned i = 0; i < W; i++) {
            s[i] = gl_add(s[i], gl_from_u64(rc[i]));
            take(w, gen, out, &k, full1_wire(r, i), &s[i]);
            s[i] = sbox(s[i]);
        }
        mds(s);
    }
    for (unsigned i = 0; i < W; i++)
        take(w, gen, out, &k, por_poseidon_gate_out(i), &s[i]);
}

/* The straightforward evaluation, round by round (the reference the fast
 * path is tested against). */
void por_poseidon_gate_eval_reference(const gl_t *w, gl_t *out)
{
    poseidon_run(w, NULL, out);
}

/*
 * The partial rounds in closed form.  Let u be the state entering partial
 * round 0 and y_j = sbox(wire of partial round j).  Everything between the
 * S-boxes is affine, so the S-box input of partial round r (before it is
 * replaced by its wire) is PART_C[r] + PART_U[r] . u + sum_{j<r} PART_Y[r][j]
 * y_j, and the state after the last partial round is FIN_C + FIN_U u +
 * FIN_Y y.  That is ~900 multiply-adds instead of 22 dense MDS layers (3168);
 * measured: the gate's eval_base costs ~35% less CPU per point;
 * the values are the same field elements.  The tables are generated, in
 * exact integer arithmetic mod p, by src/lib/plonk/gen_poseidon_gate_tables.py from
 * the MDS matrix and the round constants; test_gates.c checks this path
 * against the reference on random wires.
 */
static const uint64_t PART_U[22][12] = {
    {
        0x0000000000000001, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
    },
    {
        0x0000000000000000, 0x000000000000000f, 0x0000000000000029, 0x0000000000000010,
        0x0000000000000002, 0x000000000000001c, 0x000000000000000d, 0x000000000000000d,
        0x0000000000000027, 0x0000000000000012, 0x0000000000000022, 0x0000000000000014,
    },
    {
        0x0000000000000000, 0x00000000000015c9, 0x0000000000000f31, 0x0000000000001368,
        0x000000000000182c, 0x0000000000001230, 0x0000000000001371, 0x000000000000167b,
        0x000000000000131f, 0x000000000000114e, 0x0000000000001750, 0x0000000000001300,
    },
    {
        0x0000000000000000, 0x0000000000128961, 0x000000000010a091, 0x0000000000134fc0,
        0x0000000000132c94, 0x0000000000117c58, 0x000000000013f8a1, 0x0000000000124d03,
        0x000000000010cf7f, 0x0000000000134a96, 0x000000000010b6c8, 0x000000000011f718,
    },
    {
        0x0000000000000000, 0x0000000010f625d1, 0x000000000fa9f5c1, 0x00000000110a29f0,
        0x0000000011e2ca94, 0x00000000106f2f38, 0x00000000114369a1, 0x00000000111527d3,
        0x000000000f848f4f, 0x0000000011050f86, 0x000000000f56d588, 0x0000000011131738,
    },
    {
        0x0000000000000000, 0x0000000fa460f6d1, 0x0000000e3af13ee1, 0x0000000fa0236f50,
        0x0000001068562754, 0x0000000eed6461d8, 0x0000000fd002d901, 0x0000000fc18bfe53,
        0x0000000e0d127e2f, 0x0000000fa65811e6, 0x0000000e3006d948, 0x0000000f7157bc98,
    },
    {
        0x0000000000000000, 0x00000e4690c96af1, 0x00000d05709f42c1, 0x00000e5574743b10,
        0x00000efb14cac554, 0x00000dabe78f6d98, 0x00000e7e81a87361, 0x00000e63628041b3,
        0x00000cde5fd7e04f, 0x00000e580cbf6966, 0x00000cf389ed4bc8, 0x00000e24c99adad8,
    },
    {
        0x0000000000000000, 0x000d10e5b22b11d1, 0x000beb0ccc145421, 0x000d1b77326dcb90,
        0x000db5ebd48fc0d4, 0x000c84128cfed618, 0x000d413f12c496c1, 0x000d2ae0b2266453,
        0x000bc792d5c394ef, 0x000d1dc8aa81fb26, 0x000bd9b3cf49eec8, 0x000cf29427ff7c58,
    },
    {
        0x0000000000000000, 0x0bf50db2f8d6ce31, 0x0ae790559b0ded81, 0x0bfe877a21be1690,
        0x0c8be4920cbd4a54, 0x0b73630dbb46ca18, 0x0c210accb117bc21, 0x0c0cc8a892cc4173,
        0x0ac6fc58b3f0518f, 0x0c00ad377a1e2666, 0x0ad8617bca9e33c8, 0x0bd87ad390420258,
    },
    {
        0x0000000000000000, 0xf0dfcbe7653ff787, 0xfa65539de65492d8, 0xf9bd38a67d5f0e86,
        0x7aebfea95ccdd1c9, 0x7a5d9bea6ca4910e, 0x194fae2974f8b576, 0x0698ef3245ff7988,
        0xdc9d2e07830ba226, 0xfbb1196092bf409c, 0xec67881f381a32bf, 0xd6e15ffc055e154e,
    },
    {
        0x0000000000000000, 0xeab75ca7c918e4ef, 0x61b3915ad7274b20, 0xfe2cdf8ee3c25e86,
        0x3c7835fb85bca2d3, 0x7bb36ef70b6b9482, 0xe3292e7ab770a8ba, 0xcae814e2817bd99d,
        0x217e4f04e5718dc9, 0xc7db3817870c5eda, 0x9137a5c630bad4b4, 0x238aa6daa612186d,
    },
    {
        0x0000000000000000, 0xe80a7cde3d4ac526, 0xa74e888922085ed7, 0x3e0ee7b7a9fb4601,
        0xd7009f0f103be413, 0x14fc8b5b3b809127, 0x9e9a46b61f2ea942, 0xc0654e4ea5553a78,
        0xc756f17fb59be595, 0x335856bb527b52f4, 0xd8af8b9ceb4e11b6, 0x84d1ecc4d53d2ff1,
    },
    {
        0x0000000000000000, 0xe1197454db2e0dd9, 0x400ccc9906d66f45, 0x99e2032e765ddd81,
        0xf318c785dc9e0479, 0xbad66d423d2ec861, 0xa1e920844334f944, 0x4c56f689afc5bbc9,
        0x19557d34b55551be, 0x0fce6f70303f2304, 0x21cea4aa3d3ed949, 0x1183dfce7c454afd,
    },
    {
        0x0000000000000000, 0xdb5eadbbec18de5d, 0xce1320f10ab80fe2, 0xc4588d418e88d270,
        0x3fc83d3038c86417, 0xa44cf1cb33e37165, 0xd9dd36fba77522ab, 0x6f7fd010d027c9b6,
        0x22365051b78a5b65, 0x4143cb32d39ac3d9, 0xcfff421583896e22, 0x3d4eab2b8ef5f796,
    },
    {
        0x0000000000000000, 0x0e174929433c5505, 0x1603fe12613db5b6, 0xa2c98e9549da2100,
        0xdc20ee4b8c4c9a80, 0x8a52437fecaac06b, 0xd427ad96e2b39719, 0xfd0f1a973d6b2085,
        0x94178e291145c231, 0x51c3c0983d4284e5, 0x9322ed4c0bc2df01, 0xab1cbd41d8c1e335,
    },
    {
        0x0000000000000000, 0xe3260ba93d23540a, 0x720574f0501caed3, 0x7f1e584e071f6ed2,
        0x3d4bd48b625a8065, 0xdaebd3006321052c, 0xa0c1cf1251c204ad, 0x626d76abfed00c7b,
        0x9a95f6cff5b55c7e, 0xce0dc874eaf9b55c, 0x0a3630dafb8ae2d7, 0xf02a3ac068ee110b,
    },
    {
        0x0000000000000000, 0x514d4ba49c2b14fe, 0x4fe27f9f96615270, 0xf88c5e441e28dbb4,
        0x26d7c3d1bc07dae5, 0xfed24e206052bc72, 0x75c56fb7758317c1, 0x98b074d9bbac1123,
        0x8283d37c6675b50e, 0x82f07007c8b72106, 0x88c522b949ace7b1, 0x577f9a9e7ee3f9c2,
    },
    {
        0x0000000000000000, 0xcbb8bbaa3810babf, 0xbe86a7a2555ae775, 0x8bfc9eb89b515a82,
        0x59fa6f8bd91d58ba, 0xa01920c5ef8b2ebe, 0xc5b2c1fdc0b50874, 0x9ec7fe4350680f29,
        0x9f4310d05d068338, 0xc44998e99eae4188, 0x4edc0918210800e9, 0x37f4e36af6073c6e,
    },
    {
        0x0000000000000000, 0xaae4438c877ea8f4, 0x9565fa41ebd31fd7, 0x965040d52fe115c5,
        0xb53926c27897bf7d, 0x4db97d92e58bb831, 0xa729353f6e55d354, 0x404e7c751b634320,
        0x535e8d6fac0031b2, 0xa821855c8c1cf5e5, 0x9f7d798a3323410c, 0x11ba9a1b81718c2a,
    },
    {
        0x0000000000000000, 0x8f7851650eca21a5, 0xeb6c67123eab62cb, 0x7d80a6b4fd6518a5,
        0x8577a815a2ff843f, 0x99ec1cd2a4460bfe, 0x0c2cb99bf1b6bddb, 0xca5e0385fe67014d,
        0x9e77fde2eb315e0d, 0x4b39e14ce22abd3c, 0x9e18a487f44d2fe4, 0xb22d2432b72d5098,
    },
    {
        0x0000000000000000, 0xa752061c4f33b8cf, 0x2bd18715cdabbca4, 0x366b4e8cc068895b,
        0x3cc51c5d368693ae, 0x7bc9e0c57243e62d, 0xdb69cd7b4298c45d, 0xcaccc870a2663a0e,
        0x5cfc82216bc1bdca, 0x73f260087ad28bec, 0xe367de32f108e278, 0x481ac7746b159c67,
    },
    {
        0x0000000000000000, 0x2bbf0ed7b657acb3, 0x26cfd58e7b003b55, 0x891682a147ce43b0,
        0x42433fb6949a629a, 0x07a786d9cf0852cf, 0x407faac0f02e78d1, 0x4cabc0916844b46f,
        0x6a065da88d8bfc3c, 0xc6b16f7ed4fa1b00, 0xa37bf67c6f986559, 0x0adef3740e71c726,
    },
};
static const uint64_t PART_Y[22][22] = {
    {
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000,
    },
    {
        0x0000000000000019, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000,
    },
    {
        0x0000000000001399, 0x0000000000000019, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000,
    },
    {
        0x00000000001336c9, 0x0000000000001399, 0x0000000000000019, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000,
    },
    {
        0x0000000010e7daa9, 0x00000000001336c9, 0x0000000000001399, 0x0000000000000019,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000,
    },
    {
        0x0000000f8cd42b89, 0x0000000010e7daa9, 0x00000000001336c9, 0x0000000000001399,
        0x0000000000000019, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000,
    },
    {
        0x00000e4271ac35e9, 0x0000000f8cd42b89, 0x0000000010e7daa9, 0x00000000001336c9,
        0x0000000000001399, 0x0000000000000019, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000,
    },
    {
        0x000d09eb308b5849, 0x00000e4271ac35e9, 0x0000000f8cd42b89, 0x0000000010e7daa9,
        0x00000000001336c9, 0x0000000000001399, 0x0000000000000019, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000,
    },
    {
        0x0bee64d76b4524a9, 0x000d09eb308b5849, 0x00000e4271ac35e9, 0x0000000f8cd42b89,
        0x0000000010e7daa9, 0x00000000001336c9, 0x0000000000001399, 0x0000000000000019,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000,
    },
    {
        0xeafab823d8f100ff, 0x0bee64d76b4524a9, 0x000d09eb308b5849, 0x00000e4271ac35e9,
        0x0000000f8cd42b89, 0x0000000010e7daa9, 0x00000000001336c9, 0x0000000000001399,
        0x0000000000000019, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000,
    },
    {
        0x7ccf1c910ff35f6c, 0xeafab823d8f100ff, 0x0bee64d76b4524a9, 0x000d09eb308b5849,
        0x00000e4271ac35e9, 0x0000000f8cd42b89, 0x0000000010e7daa9, 0x00000000001336c9,
        0x0000000000001399, 0x0000000000000019, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000,
    },
    {
        0x7ff437ae7ff0c196, 0x7ccf1c910ff35f6c, 0xeafab823d8f100ff, 0x0bee64d76b4524a9,
        0x000d09eb308b5849, 0x00000e4271ac35e9, 0x0000000f8cd42b89, 0x0000000010e7daa9,
        0x00000000001336c9, 0x0000000000001399, 0x0000000000000019, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000,
    },
    {
        0xe1bf303d2cfaa607, 0x7ff437ae7ff0c196, 0x7ccf1c910ff35f6c, 0xeafab823d8f100ff,
        0x0bee64d76b4524a9, 0x000d09eb308b5849, 0x00000e4271ac35e9, 0x0000000f8cd42b89,
        0x0000000010e7daa9, 0x00000000001336c9, 0x0000000000001399, 0x0000000000000019,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000,
    },
    {
        0xa1fc79f53b2e81d1, 0xe1bf303d2cfaa607, 0x7ff437ae7ff0c196, 0x7ccf1c910ff35f6c,
        0xeafab823d8f100ff, 0x0bee64d76b4524a9, 0x000d09eb308b5849, 0x00000e4271ac35e9,
        0x0000000f8cd42b89, 0x0000000010e7daa9, 0x00000000001336c9, 0x0000000000001399,
        0x0000000000000019, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000,
    },
    {
        0xe1f0f8f28c90346b, 0xa1fc79f53b2e81d1, 0xe1bf303d2cfaa607, 0x7ff437ae7ff0c196,
        0x7ccf1c910ff35f6c, 0xeafab823d8f100ff, 0x0bee64d76b4524a9, 0x000d09eb308b5849,
        0x00000e4271ac35e9, 0x0000000f8cd42b89, 0x0000000010e7daa9, 0x00000000001336c9,
        0x0000000000001399, 0x0000000000000019, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000,
    },
    {
        0x57142ec487b27bc0, 0xe1f0f8f28c90346b, 0xa1fc79f53b2e81d1, 0xe1bf303d2cfaa607,
        0x7ff437ae7ff0c196, 0x7ccf1c910ff35f6c, 0xeafab823d8f100ff, 0x0bee64d76b4524a9,
        0x000d09eb308b5849, 0x00000e4271ac35e9, 0x0000000f8cd42b89, 0x0000000010e7daa9,
        0x00000000001336c9, 0x0000000000001399, 0x0000000000000019, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000,
    },
    {
        0x015bf754ff1162cf, 0x57142ec487b27bc0, 0xe1f0f8f28c90346b, 0xa1fc79f53b2e81d1,
        0xe1bf303d2cfaa607, 0x7ff437ae7ff0c196, 0x7ccf1c910ff35f6c, 0xeafab823d8f100ff,
        0x0bee64d76b4524a9, 0x000d09eb308b5849, 0x00000e4271ac35e9, 0x0000000f8cd42b89,
        0x0000000010e7daa9, 0x00000000001336c9, 0x0000000000001399, 0x0000000000000019,
        0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000,
    },
    {
        0x35f9046de7744071, 0x015bf754ff1162cf, 0x57142ec487b27bc0, 0xe1f0f8f28c90346b,
        0xa1fc79f53b2e81d1, 0xe1bf303d2cfaa607, 0x7ff437ae7ff0c196, 0x7ccf1c910ff35f6c,
        0xeafab823d8f100ff, 0x0bee64d76b4524a9, 0x000d09eb308b5849, 0x00000e4271ac35e9,
        0x0000000f8cd42b89, 0x0000000010e7daa9, 0x00000000001336c9, 0x0000000000001399,
        0x0000000000000019, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000,
    },
    {
        0xba2be04ecedc7a28, 0x35f9046de7744071, 0x015bf754ff1162cf, 0x57142ec487b27bc0,
        0xe1f0f8f28c90346b, 0xa1fc79f53b2e81d1, 0xe1bf303d2cfaa607, 0x7ff437ae7ff0c196,
        0x7ccf1c910ff35f6c, 0xeafab823d8f100ff, 0x0bee64d76b4524a9, 0x000d09eb308b5849,
        0x00000e4271ac35e9, 0x0000000f8cd42b89, 0x0000000010e7daa9, 0x00000000001336c9,
        0x0000000000001399, 0x0000000000000019, 0x0000000000000000, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000,
    },
    {
        0x94af9bbdc64cf15a, 0xba2be04ecedc7a28, 0x35f9046de7744071, 0x015bf754ff1162cf,
        0x57142ec487b27bc0, 0xe1f0f8f28c90346b, 0xa1fc79f53b2e81d1, 0xe1bf303d2cfaa607,
        0x7ff437ae7ff0c196, 0x7ccf1c910ff35f6c, 0xeafab823d8f100ff, 0x0bee64d76b4524a9,
        0x000d09eb308b5849, 0x00000e4271ac35e9, 0x0000000f8cd42b89, 0x0000000010e7daa9,
        0x00000000001336c9, 0x0000000000001399, 0x0000000000000019, 0x0000000000000000,
        0x0000000000000000, 0x0000000000000000,
    },
    {
        0xe6c3307e66c3f935, 0x94af9bbdc64cf15a, 0xba2be04ecedc7a28, 0x35f9046de7744071,
        0x015bf754ff1162cf, 0x57142ec487b27bc0, 0xe1f0f8f28c90346b, 0xa1fc79f53b2e81d1,
        0xe1bf303d2cfaa607, 0x7ff437ae7ff0c196, 0x7ccf1c910ff35f6c, 0xeafab823d8f100ff,
        0x0bee64d76b4524a9, 0x000d09eb308b5849, 0x00000e4271ac35e9, 0x0000000f8cd42b89,
        0x0000000010e7daa9, 0x00000000001336c9, 0x0000000000001399, 0x0000000000000019,
        0x0000000000000000, 0x0000000000000000,
    },
    {
        0x3428540cae735183, 0xe6c3307e66c3f935, 0x94af9bbdc64cf15a, 0xba2be04ecedc7a28,
        0x35f9046de7744071, 0x015bf754ff1162cf, 0x57142ec487b27bc0, 0xe1f0f8f28c90346b,
        0xa1fc79f53b2e81d1, 0xe1bf303d2cfaa607, 0x7ff437ae7ff0c196, 0x7ccf1c910ff35f6c,
        0xeafab823d8f100ff, 0x0bee64d76b4524a9, 0x000d09eb308b5849, 0x00000e4271ac35e9,
        0x0000000f8cd42b89, 0x0000000010e7daa9, 0x00000000001336c9, 0x0000000000001399,
        0x0000000000000019, 0x0000000000000000,
    },
};
static const uint64_t PART_C[22] = {
    0x3cc3f892184df408, 0x6754826bf0555fea, 0x07f136d86fe52ec6, 0xcc31104c136e624c,
    0xe75f601068e70aca, 0x27bb558ab181ed5e, 0xe0593bc645a018ab, 0xa7ef236c2c5f0e1f,
    0x2f2ed40f0e211d79, 0x65b0ab09bec15af9, 0x28f0f3bb03d3d776, 0xb60fb82205a86176,
    0x6685ae6e5db8023d, 0x9b2390b07020a27c, 0xc3607e7232b11cef, 0xf618ae7058499e24,
    0xc18226dd334780c2, 0xb57bff1387506176, 0xec2475152d5a08ff, 0x04df43ffd0b458ff,
    0x10f46236adcc3e98, 0x52588ae3575e2ce9,
};
static const uint64_t FIN_U[12][12] = {
    {
        0x0000000000000000, 0x3ee8011c2b37f77c, 0xfb4515f5e5b0d539, 0x3b8d135261052241,
        0xabcad82633b7bc9d, 0xea0870b47a8caf0e, 0x7ff02375ed524bb3, 0x99460cc41b8f079f,
        0x0ba63a63e94b5ff0, 0xd667c2055387940f, 0xc6c67cc37a2a2bbd, 0x94877900674181c3,
    },
    {
        0x0000000000000000, 0x80772dc2645b280b, 0xe796d293a47a64cb, 0xdcedab70f40718ba,
        0xf4a437f2888ae909, 0xf97abba0dffb6c50, 0x7f8e41e0b0a6cdff, 0x726af914971c1374,
        0x64dd936da878404d, 0x85418a9fef8a9890, 0x156048ee7a738154, 0xd841e8ef9dde8ba0,
    },
    {
        0x0000000000000000, 0xdc927721da922cf8, 0xb124c33152a2421a, 0x14a4a64da0b2668f,
        0xc537d44dc2875403, 0x5e40f0c9bb82aab5, 0x4b1ba8d40afca97d, 0x1d7f8a2cce1a9d00,
        0x4db9a2ead2bd7262, 0xd8a2eb7ef5e707ad, 0x91f7562377e81df5, 0x156048ee7a738154,
    },
    {
        0x0000000000000000, 0xc1978156516879ad, 0x0ee5dc0ce131268a, 0x4715b8e5ab34653b,
        0x7f68007619fd8ba9, 0x5996a80497e24a6b, 0x623708f28fca70e8, 0x18737784700c75cd,
        0xbe2e19f6d07f1a83, 0xbfe85ababed2d882, 0xd8a2eb7ef5e707ad, 0x85418a9fef8a9890,
    },
    {
        0x0000000000000000, 0x90e80c591f48b603, 0xa9032a52f930fae6, 0x1e8916a99c93a88e,
        0xa4911db6a32612da, 0x07084430a7307c9a, 0xbf150dc4914d380f, 0x7fb45d605dd82838,
        0x02290fe23c20351a, 0xbe2e19f6d07f1a83, 0x4db9a2ead2bd7262, 0x64dd936da878404d,
    },
    {
        0x0000000000000000, 0x3a2432625475e3ae, 0x7e33ca8c814280de, 0xbba4b5d86b9a3b2c,
        0x2f7e9aade3fdaec1, 0xad2f570a5b8545aa, 0xc26a083554767106, 0x862361aeab0f9b6e,
        0x7fb45d605dd82838, 0x18737784700c75cd, 0x1d7f8a2cce1a9d00, 0x726af914971c1374,
    },
    {
        0x0000000000000000, 0x00a2d4321cca94fe, 0xad11180f69a8c29e, 0xe76649f9bd5d5c2e,
        0xe7ffd578da4ea43d, 0xab7f81fef4274770, 0x753b8b1126665c22, 0xc26a083554767106,
        0xbf150dc4914d380f, 0x623708f28fca70e8, 0x4b1ba8d40afca97d, 0x7f8e41e0b0a6cdff,
    },
    {
        0x0000000000000000, 0x77736f524010c932, 0xc75ac6d5b5a10ff3, 0xaf8e2518a1ece54d,
        0x43a608e7afa6b5c2, 0xcb81f535cf98c9e9, 0xab7f81fef4274770, 0xad2f570a5b8545aa,
        0x07084430a7307c9a, 0x5996a80497e24a6b, 0x5e40f0c9bb82aab5, 0xf97abba0dffb6c50,
    },
    {
        0x0000000000000000, 0x904d3f2804a36c54, 0xf0674a8dc5a387ec, 0xdcda1344cdca873f,
        0xca46546aa99e1575, 0x43a608e7afa6b5c2, 0xe7ffd578da4ea43d, 0x2f7e9aade3fdaec1,
        0xa4911db6a32612da, 0x7f68007619fd8ba9, 0xc537d44dc2875403, 0xf4a437f2888ae909,
    },
    {
        0x0000000000000000, 0xbf9b39e28a16f354, 0xb36d43120eaa5e2b, 0xcd080204256088e5,
        0xdcda1344cdca873f, 0xaf8e2518a1ece54d, 0xe76649f9bd5d5c2e, 0xbba4b5d86b9a3b2c,
        0x1e8916a99c93a88e, 0x4715b8e5ab34653b, 0x14a4a64da0b2668f, 0xdcedab70f40718ba,
    },
    {
        0x0000000000000000, 0x3a1ded54a6cd058b, 0x6f232aab4b533a25, 0xb36d43120eaa5e2b,
        0xf0674a8dc5a387ec, 0xc75ac6d5b5a10ff3, 0xad11180f69a8c29e, 0x7e33ca8c814280de,
        0xa9032a52f930fae6, 0x0ee5dc0ce131268a, 0xb124c33152a2421a, 0xe796d293a47a64cb,
    },
    {
        0x0000000000000000, 0x42392870da5737cf, 0x3a1ded54a6cd058b, 0xbf9b39e28a16f354,
        0x904d3f2804a36c54, 0x77736f524010c932, 0x00a2d4321cca94fe, 0x3a2432625475e3ae,
        0x90e80c591f48b603, 0xc1978156516879ad, 0xdc927721da922cf8, 0x80772dc2645b280b,
    },
};
static const uint64_t FIN_Y[12][22] = {
    {
        0x6c306ffa84ffc903, 0x3428540cae735183, 0xe6c3307e66c3f935, 0x94af9bbdc64cf15a,
        0xba2be04ecedc7a28, 0x35f9046de7744071, 0x015bf754ff1162cf, 0x57142ec487b27bc0,
        0xe1f0f8f28c90346b, 0xa1fc79f53b2e81d1, 0xe1bf303d2cfaa607, 0x7ff437ae7ff0c196,
        0x7ccf1c910ff35f6c, 0xeafab823d8f100ff, 0x0bee64d76b4524a9, 0x000d09eb308b5849,
        0x00000e4271ac35e9, 0x0000000f8cd42b89, 0x0000000010e7daa9, 0x00000000001336c9,
        0x0000000000001399, 0x0000000000000019,
    },
    {
        0x94877900674181c3, 0x0adef3740e71c726, 0x481ac7746b159c67, 0xb22d2432b72d5098,
        0x11ba9a1b81718c2a, 0x37f4e36af6073c6e, 0x577f9a9e7ee3f9c2, 0xf02a3ac068ee110b,
        0xab1cbd41d8c1e335, 0x3d4eab2b8ef5f796, 0x1183dfce7c454afd, 0x84d1ecc4d53d2ff1,
        0x238aa6daa612186d, 0xd6e15ffc055e154e, 0x0bd87ad390420258, 0x000cf29427ff7c58,
        0x00000e24c99adad8, 0x0000000f7157bc98, 0x0000000011131738, 0x000000000011f718,
        0x0000000000001300, 0x0000000000000014,
    },
    {
        0xc6c67cc37a2a2bbd, 0xa37bf67c6f986559, 0xe367de32f108e278, 0x9e18a487f44d2fe4,
        0x9f7d798a3323410c, 0x4edc0918210800e9, 0x88c522b949ace7b1, 0x0a3630dafb8ae2d7,
        0x9322ed4c0bc2df01, 0xcfff421583896e22, 0x21cea4aa3d3ed949, 0xd8af8b9ceb4e11b6,
        0x9137a5c630bad4b4, 0xec67881f381a32bf, 0x0ad8617bca9e33c8, 0x000bd9b3cf49eec8,
        0x00000cf389ed4bc8, 0x0000000e3006d948, 0x000000000f56d588, 0x000000000010b6c8,
        0x0000000000001750, 0x0000000000000022,
    },
    {
        0xd667c2055387940f, 0xc6b16f7ed4fa1b00, 0x73f260087ad28bec, 0x4b39e14ce22abd3c,
        0xa821855c8c1cf5e5, 0xc44998e99eae4188, 0x82f07007c8b72106, 0xce0dc874eaf9b55c,
        0x51c3c0983d4284e5, 0x4143cb32d39ac3d9, 0x0fce6f70303f2304, 0x335856bb527b52f4,
        0xc7db3817870c5eda, 0xfbb1196092bf409c, 0x0c00ad377a1e2666, 0x000d1dc8aa81fb26,
        0x00000e580cbf6966, 0x0000000fa65811e6, 0x0000000011050f86, 0x0000000000134a96,
        0x000000000000114e, 0x0000000000000012,
    },
    {
        0x0ba63a63e94b5ff0, 0x6a065da88d8bfc3c, 0x5cfc82216bc1bdca, 0x9e77fde2eb315e0d,
        0x535e8d6fac0031b2, 0x9f4310d05d068338, 0x8283d37c6675b50e, 0x9a95f6cff5b55c7e,
        0x94178e291145c231, 0x22365051b78a5b65, 0x19557d34b55551be, 0xc756f17fb59be595,
        0x217e4f04e5718dc9, 0xdc9d2e07830ba226, 0x0ac6fc58b3f0518f, 0x000bc792d5c394ef,
        0x00000cde5fd7e04f, 0x0000000e0d127e2f, 0x000000000f848f4f, 0x000000000010cf7f,
        0x000000000000131f, 0x0000000000000027,
    },
    {
        0x99460cc41b8f079f, 0x4cabc0916844b46f, 0xcaccc870a2663a0e, 0xca5e0385fe67014d,
        0x404e7c751b634320, 0x9ec7fe4350680f29, 0x98b074d9bbac1123, 0x626d76abfed00c7b,
        0xfd0f1a973d6b2085, 0x6f7fd010d027c9b6, 0x4c56f689afc5bbc9, 0xc0654e4ea5553a78,
        0xcae814e2817bd99d, 0x0698ef3245ff7988, 0x0c0cc8a892cc4173, 0x000d2ae0b2266453,
        0x00000e63628041b3, 0x0000000fc18bfe53, 0x00000000111527d3, 0x0000000000124d03,
        0x000000000000167b, 0x000000000000000d,
    },
    {
        0x7ff02375ed524bb3, 0x407faac0f02e78d1, 0xdb69cd7b4298c45d, 0x0c2cb99bf1b6bddb,
        0xa729353f6e55d354, 0xc5b2c1fdc0b50874, 0x75c56fb7758317c1, 0xa0c1cf1251c204ad,
        0xd427ad96e2b39719, 0xd9dd36fba77522ab, 0xa1e920844334f944, 0x9e9a46b61f2ea942,
        0xe3292e7ab770a8ba, 0x194fae2974f8b576, 0x0c210accb117bc21, 0x000d413f12c496c1,
        0x00000e7e81a87361, 0x0000000fd002d901, 0x00000000114369a1, 0x000000000013f8a1,
        0x0000000000001371, 0x000000000000000d,
    },
    {
        0xea0870b47a8caf0e, 0x07a786d9cf0852cf, 0x7bc9e0c57243e62d, 0x99ec1cd2a4460bfe,
        0x4db97d92e58bb831, 0xa01920c5ef8b2ebe, 0xfed24e206052bc72, 0xdaebd3006321052c,
        0x8a52437fecaac06b, 0xa44cf1cb33e37165, 0xbad66d423d2ec861, 0x14fc8b5b3b809127,
        0x7bb36ef70b6b9482, 0x7a5d9bea6ca4910e, 0x0b73630dbb46ca18, 0x000c84128cfed618,
        0x00000dabe78f6d98, 0x0000000eed6461d8, 0x00000000106f2f38, 0x0000000000117c58,
        0x0000000000001230, 0x000000000000001c,
    },
    {
        0xabcad82633b7bc9d, 0x42433fb6949a629a, 0x3cc51c5d368693ae, 0x8577a815a2ff843f,
        0xb53926c27897bf7d, 0x59fa6f8bd91d58ba, 0x26d7c3d1bc07dae5, 0x3d4bd48b625a8065,
        0xdc20ee4b8c4c9a80, 0x3fc83d3038c86417, 0xf318c785dc9e0479, 0xd7009f0f103be413,
        0x3c7835fb85bca2d3, 0x7aebfea95ccdd1c9, 0x0c8be4920cbd4a54, 0x000db5ebd48fc0d4,
        0x00000efb14cac554, 0x0000001068562754, 0x0000000011e2ca94, 0x0000000000132c94,
        0x000000000000182c, 0x0000000000000002,
    },
    {
        0x3b8d135261052241, 0x891682a147ce43b0, 0x366b4e8cc068895b, 0x7d80a6b4fd6518a5,
        0x965040d52fe115c5, 0x8bfc9eb89b515a82, 0xf88c5e441e28dbb4, 0x7f1e584e071f6ed2,
        0xa2c98e9549da2100, 0xc4588d418e88d270, 0x99e2032e765ddd81, 0x3e0ee7b7a9fb4601,
        0xfe2cdf8ee3c25e86, 0xf9bd38a67d5f0e86, 0x0bfe877a21be1690, 0x000d1b77326dcb90,
        0x00000e5574743b10, 0x0000000fa0236f50, 0x00000000110a29f0, 0x0000000000134fc0,
        0x0000000000001368, 0x0000000000000010,
    },
    {
        0xfb4515f5e5b0d539, 0x26cfd58e7b003b55, 0x2bd18715cdabbca4, 0xeb6c67123eab62cb,
        0x9565fa41ebd31fd7, 0xbe86a7a2555ae775, 0x4fe27f9f96615270, 0x720574f0501caed3,
        0x1603fe12613db5b6, 0xce1320f10ab80fe2, 0x400ccc9906d66f45, 0xa74e888922085ed7,
        0x61b3915ad7274b20, 0xfa65539de65492d8, 0x0ae790559b0ded81, 0x000beb0ccc145421,
        0x00000d05709f42c1, 0x0000000e3af13ee1, 0x000000000fa9f5c1, 0x000000000010a091,
        0x0000000000000f31, 0x0000000000000029,
    },
    {
        0x3ee8011c2b37f77c, 0x2bbf0ed7b657acb3, 0xa752061c4f33b8cf, 0x8f7851650eca21a5,
        0xaae4438c877ea8f4, 0xcbb8bbaa3810babf, 0x514d4ba49c2b14fe, 0xe3260ba93d23540a,
        0x0e174929433c5505, 0xdb5eadbbec18de5d, 0xe1197454db2e0dd9, 0xe80a7cde3d4ac526,
        0xeab75ca7c918e4ef, 0xf0dfcbe7653ff787, 0x0bf50db2f8d6ce31, 0x000d10e5b22b11d1,
        0x00000e4690c96af1, 0x0000000fa460f6d1, 0x0000000010f625d1, 0x0000000000128961,
        0x00000000000015c9, 0x000000000000000f,
    },
};
static const uint64_t FIN_C[12] = {
    0x0ca8f8e959c32f28, 0xc8a99f6be9c719be, 0xb917fe87c9117a36, 0x323b446a57e7011c,
    0x4185d165605e2ac7, 0xe021ed4172723dfb, 0xbd252083b407aefa, 0xeb75cce3778251ca,
    0x769278d58f267369, 0x614849e061bbc7dd, 0xaed08b0e7322aa6d, 0xcf194bbbaf59176c,
};

/* Constant plus the dot products c . u (12 terms) and d . y (n terms). */
static inline gl_t affine_dot(uint64_t c, const uint64_t *cu, const gl_t *u, const uint64_t *dy,
                              const gl_t *y, unsigned n)
{
    gl_acc a = {c, 0};
    for (unsigned i = 0; i < W; i++)
        gl_acc_mul_add(&a, u[i], cu[i]);
    for (unsigned j = 0; j < n; j++)
        gl_acc_mul_add(&a, y[j], dy[j]);
    return gl_acc_reduce(&a);
}

static void poseidon_eval_base(const por_gate *g, const gl_t *w, const gl_t *c, const gl_t *pi,
                               gl_t *out)
{
    (void)g, (void)c, (void)pi;
    gl_t s[W], y[PARTIAL];
    unsigned k = 0, round = 0;
    memcpy(s, w, sizeof(s));
    for (unsigned r = 0; r < HALF_FULL; r++, round++) {
        const uint64_t *rc = round_constants(round);
        for (unsigned i = 0; i < W; i++) {
            s[i] = gl_add(s[i], gl_from_u64(rc[i]));
            if (r > 0) {
                out[k++] = gl_sub(s[i], w[full0_wire(r, i)]);
                s[i] = w[full0_wire(r, i)];
            }
            s[i] = sbox(s[i]);
        }
        mds(s);
    }
    for (unsigned r = 0; r < PARTIAL; r++) {
        gl_t x = affine_dot(PART_C[r], PART_U[r], s, PART_Y[r], y, r);
        out[k++] = gl_sub(x, w[partial_wire(r)]);
        y[r] = sbox(w[partial_wire(r)]);
    }
    gl_t t[W];
    for (unsigned i = 0; i < W; i++)
        t[i] = affine_dot(FIN_C[i], FIN_U[i], s, FIN_Y[i], y, PARTIAL);
    memcpy(s, t, sizeof(s));
    round += PARTIAL;
    for (unsigned r = 0; r < HALF_FULL; r++, round++) {
        const uint64_t *rc = round_constants(round);
        for (unsigned i = 0; i < W; i++) {
            s[i] = gl_add(s[i], gl_from_u64(rc[i]));
            out[k++] = gl_sub(s[i], w[full1_wire(r, i)]);
            s[i] = sbox(w[full1_wire(r, i)]);
        }
        mds(s);
    }
    for (unsigned i = 0; i < W; i++)
        out[k++] = gl_sub(s[i], w[por_poseidon_gate_out(i)]);
}

/*
 * Eight points at once (eval_base_x8), lane-major: poseidon_eval_base's
 * steps, one point per vector lane, composed from the 8-lane layers of the
 * fast permutations (poseidon_internal.h).  A full round is an S-box layer
 * then an MDS layer with the next round's constants folded in; the partial
 * rounds are the closed form above as two dense products over (u, y).
 * Every S-box after round 0's is of a wire, so the 22 partial-round S-boxes
 * are one layer, ahead of the products.  u0 reaches the later rounds only
 * through partial round 0's S-box, so PART_U's rows 1-21 and FIN_U's rows
 * all have a zero first column and PART_U's row 0 is (1, 0, ..., 0): the
 * products read u1..u11 and y, and partial round 0's S-box input is u0 +
 * PART_C[0].
 */
typedef struct {
    const poseidon_x8_layers *layers[3];   /* by build number; NULL: cannot run */
    poseidon_x8_dense *part0;              /* x_0 from u0 */
    poseidon_x8_dense *part;               /* x_1..x_21 from (u1..u11, y) */
    poseidon_x8_dense *fin;                /* the state entering round 26, its constants added */
} gate_x8_tables;

/* Derived once from the tables above, then only read. */
static gate_x8_tables GATE_X8;
static pthread_once_t gate_x8_once = PTHREAD_ONCE_INIT;

/* Columns of the dense products: u1..u11, then y0..y21. */
#define X8_COLS (W - 1 + PARTIAL)

static void gate_x8_init(void)
{
    uint64_t m[PARTIAL][X8_COLS], add[PARTIAL];
    unsigned len[PARTIAL], one = 1;
    gate_x8_tables t = {{NULL, NULL, NULL}, NULL, NULL, NULL};

    t.part0 = poseidon_x8_dense_new(1, 1, &PART_U[0][0], &one, &PART_C[0]);
    for (unsigned r = 1; r < PARTIAL; r++) {
        memcpy(m[r - 1], &PART_U[r][1], (W - 1) * sizeof(uint64_t));
        memcpy(m[r - 1] + W - 1, PART_Y[r], r * sizeof(uint64_t));
        len[r - 1] = W - 1 + r;
        add[r - 1] = PART_C[r];
    }
    t.part = poseidon_x8_dense_new(PARTIAL - 1, X8_COLS, &m[0][0], len, add);
    const uint64_t *rc = round_constants(HALF_FULL + PARTIAL);
    for (unsigned i = 0; i < W; i++) {
        memcpy(m[i], &FIN_U[i][1], (W - 1) * sizeof(uint64_t));
        memcpy(m[i] + W - 1, FIN_Y[i], PARTIAL * sizeof(uint64_t));
        len[i] = X8_COLS;
        add[i] = gl_add(FIN_C[i], gl_from_u64(rc[i]));
    }
    t.fin = poseidon_x8_dense_new(W, X8_COLS, &m[0][0], len, add);
    if (t.part0 && t.part && t.fin) {   /* else only the portable way runs */
        t.layers[1] = poseidon_x8_layers_of(1);
        t.layers[2] = poseidon_x8_layers_of(2);
    }
    GATE_X8 = t;
}

/* Wire j of lane 0 (lane p at + p). */
static inline const gl_t *lane_wire(const gl_t *w, size_t stride, unsigned j) { return w + (size_t)j * stride; }

/* An array of words for reading (C converts T (*)[8] to const T (*)[8] only by a cast). */
static inline const uint64_t (*rd(uint64_t (*a)[8]))[8] { return (const uint64_t(*)[8])a; }

/* The 118 constraints at 8 points by one build's layers, in eval_base's order. */
static void poseidon_eval_x8_layers(const poseidon_x8_layers *L, const gl_t *w, size_t stride, gl_t *out)
{
    uint64_t y[W][8], s[W][8], v[W + PARTIAL][8], x[PARTIAL][8];   /* v: u, then the y_r */
    uint64_t(*o)[8] = (uint64_t(*)[8])out;
    unsigned k = 0;
    L->sbox(W, w, stride, round_constants(0), y);
    L->mds(0, rd(y), s);
    for (unsigned r = 1; r < HALF_FULL; r++, k += W) {
        const gl_t *wr = lane_wire(w, stride, full0_wire(r, 0));
        L->sub(W, rd(s), wr, stride, o + k);
        L->sbox(W, wr, stride, NULL, y);
        if (r < HALF_FULL - 1)
            L->mds((int)r, rd(y), s);
        else
            L->mds(POSEIDON_X8_MDS_ALONE, rd(y), v);   /* u */
    }
    const gl_t *wp = lane_wire(w, stride, partial_wire(0));
    L->sbox(PARTIAL, wp, stride, NULL, v + W);
    L->dense(GATE_X8.part0, rd(v), x);
    L->dense(GATE_X8.part, rd(v + 1), x + 1);
    L->sub(PARTIAL, rd(x), wp, stride, o + k);
    k += PARTIAL;
    L->dense(GATE_X8.fin, rd(v + 1), s);
    for (unsigned r = 0; r < HALF_FULL; r++, k += W) {
        const gl_t *wr = lane_wire(w, stride, full1_wire(r, 0));
        L->sub(W, rd(s), wr, stride, o + k);
        L->sbox(W, wr, stride, NULL, y);
        L->mds(POSEIDON_X8_MDS_SECOND_HALF + (int)r, rd(y), s);
    }
    L->sub(W, rd(s), lane_wire(w, stride, por_poseidon_gate_out(0)), stride, o + k);
}

/* The portable way: eval_base lane by lane. */
static void poseidon_eval_x8_portable(const gl_t *w, size_t stride, gl_t *out)
{
    gl_t row[POR_POSEIDON_GATE_WIRES], o[POR_POSEIDON_GATE_CONSTRAINTS];
    for (unsigned p = 0; p < POR_GATE_LANES; p++) {
        for (unsigned j = 0; j < POR_POSEIDON_GATE_WIRES; j++)
            row[j] = w[(size_t)j * stride + p];
        poseidon_eval_base(NULL, row, NULL, NULL, o);
        for (unsigned c = 0; c < POR_POSEIDON_GATE_CONSTRAINTS; c++)
            out[c * POR_GATE_LANES + p] = o[c];
    }
}

int poseidon_gate_eval_x8_impl(int impl, const gl_t *wires, size_t stride, gl_t *out)
{
    if (impl == 0) {
        poseidon_eval_x8_portable(wires, stride, out);
        return 0;
    }
    if (impl < 0 || impl > 2)
        return -1;
    pthread_once(&gate_x8_once, gate_x8_init);
    if (!GATE_X8.layers[impl])
        return -1;
    poseidon_eval_x8_layers(GATE_X8.layers[impl], wires, stride, out);
    return 0;
}

/* The fastest implementation this CPU runs (they agree exactly). */
static void poseidon_eval_base_x8(const por_gate *g, const gl_t *w, const gl_t *c, size_t stride, const gl_t *pi,
                                  gl_t *out)
{
    (void)g, (void)c, (void)pi;
    if (poseidon_gate_eval_x8_impl(2, w, stride, out) != 0 && poseidon_gate_eval_x8_impl(1, w, stride, out) != 0)
        poseidon_eval_x8_portable(w, stride, out);
}

static void poseidon_eval_ext(const por_gate *g, const gl2_t *w, const gl2_t *c, const gl2_t *pi,
                              gl2_t *out)
{
    (void)g, (void)c, (void)pi;
    gl2_t s[W];
    unsigned k = 0, round = 0;
    memcpy(s, w, sizeof(s));
    for (unsigned r = 0; r < HALF_FULL; r++, round++) {
        const uint64_t *rc = round_constants(round);
        for (unsigned i = 0; i < W; i++) {
            s[i] = gl2_add(s[i], gl2_from_base(gl_from_u64(rc[i])));
            if (r > 0) {
                out[k++] = gl2_sub(s[i], w[full0_wire(r, i)]);
                s[i] = w[full0_wire(r, i)];
            }
            s[i] = sbox_ext(s[i]);
        }
        mds_ext(s);
    }
    for (unsigned r = 0; r < PARTIAL; r++, round++) {
        const uint64_t *rc = round_constants(round);
        for (unsigned i = 0; i < W; i++)
            s[i] = gl2_add(s[i], gl2_from_base(gl_from_u64(rc[i])));
        out[k++] = gl2_sub(s[0], w[partial_wire(r)]);
        s[0] = sbox_ext(w[partial_wire(r)]);
        mds_ext(s);
    }
    for (unsigned r = 0; r < HALF_FULL; r++, round++) {
        const uint64_t *rc = round_constants(round);
        for (unsigned i = 0; i < W; i++) {
            s[i] = gl2_add(s[i], gl2_from_base(gl_from_u64(rc[i])));
            out[k++] = gl2_sub(s[i], w[full1_wire(r, i)]);
            s[i] = sbox_ext(w[full1_wire(r, i)]);
        }
        mds_ext(s);
    }
    for (unsigned i = 0; i < W; i++)
        out[k++] = gl2_sub(s[i], w[por_poseidon_gate_out(i)]);
}

static unsigned poseidon_num_generators(const por_gate *g) { (void)g; return 1; }

static void poseidon_io(const por_gate *g, unsigned k, por_gate_io *io)
{
    (void)g, (void)k;
    io->n_in = W;
    for (unsigned i = 0; i < W; i++)
        io->in[i] = (uint16_t)por_poseidon_gate_in(i);
    io->n_out = POR_POSEIDON_GATE_WIRES - W;
    for (unsigned i = 0; i < io->n_out; i++)
        io->out[i] = (uint16_t)(W + i);
}

static void poseidon_generate(const por_gate *g, unsigned k, const gl_t *c, gl_t *w)
{
    (void)g, (void)k, (void)c;
    poseidon_run(w, w, NULL);
}

/*
 * In-circuit evaluation (recursion): poseidon_eval_ext's steps on extension
 * targets.  The round constants are carried lazily: a state element is a
 * target plus a base constant (on the first component), the constant goes
 * through the MDS natively (the matrix is linear), and is added in-circuit
 * only where a value is needed: round 0's S-box inputs (12) and the
 * constraints (118).  Each MDS layer is one Poseidon-MDS row; each S-box
 * x^7 one slot of an S-box row (12 a row).
 */
typedef struct {
    por_ext_target t;
    gl_t k; /* the value is t + k */
} lazy_ext;

static por_ext_target plus_const(por_builder *b, por_ext_target t, gl_t k)
{
    if (k == 0)
        return t;
    return (por_ext_target){por_builder_add(b, t.c0, por_builder_constant(b, k)), t.c1};
}

/* (t + k) - w */
static por_ext_target diff_circuit(por_builder *b, lazy_ext s, por_ext_target w)
{
    return plus_const(b, por_ext_sub(b, s.t, w), s.k);
}

static void add_round_constants(lazy_ext s[W], unsigned round)
{
    const uint64_t *rc = round_constants(round);
    for (unsigned i = 0; i < W; i++)
        s[i].k = gl_add(s[i].k, gl_from_u64(rc[i]));
}

static void mds_circuit(por_builder *b, lazy_ext s[W])
{
    por_ext_target in[W], out[W];
    gl_t k[W];
    for (unsigned i = 0; i < W; i++)
        in[i] = s[i].t, k[i] = s[i].k;
    por_ext_poseidon_mds(b, in, out);
    mds(k);
    for (unsigned i = 0; i < W; i++)
        s[i] = (lazy_ext){out[i], k[i]};
}

static void poseidon_eval_circuit(const por_gate *g, por_builder *b, const por_ext_target *w,
                                  const por_ext_target *c, const por_ext_target *pi, por_ext_target *out)
{
    (void)g, (void)c, (void)pi;
    lazy_ext s[W];
    unsigned k = 0, round = 0;
    for (unsigned i = 0; i < W; i++)
        s[i] = (lazy_ext){w[i], 0};
    for (unsigned r = 0; r < HALF_FULL; r++, round++) {
        add_round_constants(s, round);
        for (unsigned i = 0; i < W; i++) {
            por_ext_target x;
            if (r > 0) {
                out[k++] = diff_circuit(b, s[i], w[full0_wire(r, i)]);
                x = w[full0_wire(r, i)];
            } else {
                x = plus_const(b, s[i].t, s[i].k);
            }
            s[i] = (lazy_ext){por_ext_pow7(b, x), 0};
        }
        mds_circuit(b, s);
    }
    for (unsigned r = 0; r < PARTIAL; r++, round++) {
        add_round_constants(s, round);
        out[k++] = diff_circuit(b, s[0], w[partial_wire(r)]);
        s[0] = (lazy_ext){por_ext_pow7(b, w[partial_wire(r)]), 0};
        mds_circuit(b, s);
    }
    for (unsigned r = 0; r < HALF_FULL; r++, round++) {
        add_round_constants(s, round);
        for (unsigned i = 0; i < W; i++) {
            out[k++] = diff_circuit(b, s[i], w[full1_wire(r, i)]);
            s[i] = (lazy_ext){por_ext_pow7(b, w[full1_wire(r, i)]), 0};
        }
        mds_circuit(b, s);
    }
    for (unsigned i = 0; i < W; i++)
        out[k++] = diff_circuit(b, s[i], w[por_poseidon_gate_out(i)]);
}

const por_gate_vtable por_gate_poseidon_vt = {
    .kind = POR_GATE_POSEIDON, .name = "poseidon", .init = poseidon_init,
    .eval_base = poseidon_eval_base, .eval_base_x8 = poseidon_eval_base_x8, .eval_ext = poseidon_eval_ext,
    .num_generators = poseidon_num_generators, .generator_io = poseidon_io,
    .generate = poseidon_generate, .eval_circuit = poseidon_eval_circuit,
};

/* ---------------------------------------------------------------------------
 * The Poseidon MDS gate (gates.h): constraint 12 comp + j is
 * (M in_comp)_j - out_j.
 */

static const char *mds_gate_init(por_gate *g, unsigned w, unsigned r, unsigned k)
{
    (void)k;
    for (unsigned i = 0; i < POR_GATE_MAX_PARAMS; i++)
        if (g->params[i])
            return "poseidon-mds gate takes no parameters";
    if (w < POR_POSEIDON_MDS_GATE_WIRES || r < POR_POSEIDON_MDS_GATE_WIRES)
        return "poseidon-mds gate needs 48 routed wires";
    g->num_wires = POR_POSEIDON_MDS_GATE_WIRES;
    g->num_constraints = 2 * W;
    g->degree = 1;
    return NULL;
}

static void mds_gate_eval_base(const por_gate *g, const gl_t *w, const gl_t *c, const gl_t *pi, gl_t *out)
{
    (void)g, (void)c, (void)pi;
    for (unsigned comp = 0; comp < 2; comp++) {
        gl_t s[W];
        memcpy(s, w + por_poseidon_mds_in(0, comp), sizeof(s));
        mds(s);
        for (unsigned j = 0; j < W; j++)
            out[W * comp + j] = gl_sub(s[j], w[por_poseidon_mds_out(j, comp)]);
    }
}

static void mds_gate_eval_ext(const por_gate *g, const gl2_t *w, const gl2_t *c, const gl2_t *pi, gl2_t *out)
{
    (void)g, (void)c, (void)pi;
    for (unsigned comp = 0; comp < 2; comp++) {
        gl2_t s[W];
        memcpy(s, w + por_poseidon_mds_in(0, comp), sizeof(s));
        mds_ext(s);
        for (unsigned j = 0; j < W; j++)
            out[W * comp + j] = gl2_sub(s[j], w[por_poseidon_mds_out(j, comp)]);
    }
}

/* Each component's 12 extension inputs through one MDS row of the outer circuit. */
static void mds_gate_eval_circuit(const por_gate *g, por_builder *b, const por_ext_target *w,
                                  const por_ext_target *c, const por_ext_target *pi, por_ext_target *out)
{
    (void)g, (void)c, (void)pi;
    for (unsigned comp = 0; comp < 2; comp++) {
        por_ext_target s[W];
        por_ext_poseidon_mds(b, w + por_poseidon_mds_in(0, comp), s);
        for (unsigned j = 0; j < W; j++)
            out[W * comp + j] = por_ext_sub(b, s[j], w[por_poseidon_mds_out(j, comp)]);
    }
}

static void mds_gate_io(const por_gate *g, unsigned k, por_gate_io *io)
{
    (void)g, (void)k;
    io->n_in = io->n_out = 2 * W;
    for (unsigned i = 0; i < 2 * W; i++) {
        io->in[i] = (uint16_t)i;
        io->out[i] = (uint16_t)(2 * W + i);
    }
}

static void mds_gate_generate(const por_gate *g, unsigned k, const gl_t *c, gl_t *w)
{
    (void)g, (void)k, (void)c;
    for (unsigned comp = 0; comp < 2; comp++) {
        gl_t s[W];
        memcpy(s, w + por_poseidon_mds_in(0, comp), sizeof(s));
        mds(s);
        memcpy(w + por_poseidon_mds_out(0, comp), s, sizeof(s));
    }
}

const por_gate_vtable por_gate_poseidon_mds_vt = {
    .kind = POR_GATE_POSEIDON_MDS, .name = "poseidon-mds", .init = mds_gate_init,
    .eval_base = mds_gate_eval_base, .eval_base_x8 = por_gate_eval_base_by_lane, .eval_ext = mds_gate_eval_ext,
    .eval_circuit = mds_gate_eval_circuit, .num_generators = poseidon_num_generators, .generator_io = mds_gate_io,
    .generate = mds_gate_generate,
};

/* ---------------------------------------------------------------------------
 * The S-box gate (gates.h): slot v's constraints are y - x^7, component by
 * component, x^7 computed in R[X]/(X^2 - 7) with the components in R: the
 * base field for eval_base (GF(p^2) itself), the extension for eval_ext and
 * extension targets in-circuit (x^2, x^3, x^6, x^7 there), the same
 * polynomials of the wires.
 */

static const char *sbox_ext_init(por_gate *g, unsigned w, unsigned r, unsigned k)
{
    (void)w, (void)k;
    for (unsigned i = 1; i < POR_GATE_MAX_PARAMS; i++)
        if (g->params[i])
            return "sbox-ext gate: unknown parameter";
    if (g->params[0] == 0)
        g->params[0] = r / 4;
    if (g->params[0] < 1 || 4 * g->params[0] > r)
        return "sbox-ext gate: the values do not fit the routed wires";
    g->num_wires = 4 * g->params[0];
    g->num_constraints = 2 * g->params[0];
    g->degree = 7;
    return NULL;
}

static void sbox_ext_eval_base(const por_gate *g, const gl_t *w, const gl_t *c, const gl_t *pi, gl_t *out)
{
    (void)c, (void)pi;
    for (unsigned v = 0; v < g->params[0]; v++) {
        gl2_t y = sbox_ext((gl2_t){w[por_sbox_ext_x(v, 0)], w[por_sbox_ext_x(v, 1)]});
        *out++ = gl_sub(w[por_sbox_ext_y(v, 0)], y.c0);
        *out++ = gl_sub(w[por_sbox_ext_y(v, 1)], y.c1);
    }
}

/* Eight points at once (eval_base_x8), for the quotient: sbox_ext_eval_base
 * on vectors, one point per lane (the same canonical values). */
#if GL_X8_HAVE_AVX512
GL_X8_TARGET static void sbox_ext_eval_x8_avx512(const por_gate *g, const gl_t *w, const gl_t *c,
                                                 size_t stride, gl_t *out)
{
    (void)c;
    for (unsigned v = 0; v < g->params[0]; v++) {
        const gl2v8 x = {glv8_load(w + (size_t)por_sbox_ext_x(v, 0) * stride),
                         glv8_load(w + (size_t)por_sbox_ext_x(v, 1) * stride)};
        const gl2v8 x2 = gl2v8_mul(x, x), x3 = gl2v8_mul(x2, x), x7 = gl2v8_mul(x3, gl2v8_mul(x2, x2));
        glv8_store(out, glv8_sub(glv8_load(w + (size_t)por_sbox_ext_y(v, 0) * stride), x7.c0));
        glv8_store(out + POR_GATE_LANES, glv8_sub(glv8_load(w + (size_t)por_sbox_ext_y(v, 1) * stride), x7.c1));
        out += 2 * POR_GATE_LANES;
    }
}
#endif

POR_GATE_EVAL_BASE_X8(sbox_ext_eval_base_x8, sbox_ext_eval_x8_avx512)

/* An element of GF(p^2)[X]/(X^2 - 7): components that are extension values. */
typedef struct {
    gl2_t c0, c1;
} ext_over_ext;

static ext_over_ext eoe_mul(ext_over_ext a, ext_over_ext b)
{
    return (ext_over_ext){gl2_add(gl2_mul(a.c0, b.c0), gl2_mul_base(gl2_mul(a.c1, b.c1), GL2_W)),
                          gl2_add(gl2_mul(a.c0, b.c1), gl2_mul(a.c1, b.c0))};
}

static void sbox_ext_eval_ext(const por_gate *g, const gl2_t *w, const gl2_t *c, const gl2_t *pi, gl2_t *out)
{
    (void)c, (void)pi;
    for (unsigned v = 0; v < g->params[0]; v++) {
        ext_over_ext x = {w[por_sbox_ext_x(v, 0)], w[por_sbox_ext_x(v, 1)]};
        ext_over_ext x3 = eoe_mul(eoe_mul(x, x), x), x7 = eoe_mul(eoe_mul(x3, x3), x);
        *out++ = gl2_sub(w[por_sbox_ext_y(v, 0)], x7.c0);
        *out++ = gl2_sub(w[por_sbox_ext_y(v, 1)], x7.c1);
    }
}

/* eoe_mul in-circuit: 4 extension operations */
static void eoe_mul_circuit(por_builder *b, const por_ext_target *a, const por_ext_target *x, por_ext_target *r)
{
    por_ext_target r0 = por_ext_arithmetic(b, GL2_W, 1, a[1], x[1], por_ext_mul(b, a[0], x[0]));
    r[1] = por_ext_mul_add(b, a[1], x[0], por_ext_mul(b, a[0], x[1]));
    r[0] = r0;
}

/* 18 extension operations per slot */
static void sbox_ext_eval_circuit(const por_gate *g, por_builder *b, const por_ext_target *w,
                                  const por_ext_target *c, const por_ext_target *pi, por_ext_target *out)
{
    (void)c, (void)pi;
    for (unsigned v = 0; v < g->params[0]; v++) {
        por_ext_target x[2] = {w[por_sbox_ext_x(v, 0)], w[por_sbox_ext_x(v, 1)]}, t[2], x3[2];
        eoe_mul_circuit(b, x, x, t);
        eoe_mul_circuit(b, t, x, x3);
        eoe_mul_circuit(b, x3, x3, t);
        eoe_mul_circuit(b, t, x, t);
        *out++ = por_ext_sub(b, w[por_sbox_ext_y(v, 0)], t[0]);
        *out++ = por_ext_sub(b, w[por_sbox_ext_y(v, 1)], t[1]);
    }
}

static unsigned sbox_ext_num_generators(const por_gate *g) { return g->params[0]; }

static void sbox_ext_io(const por_gate *g, unsigned k, por_gate_io *io)
{
    (void)g;
    io->n_in = io->n_out = 2;
    for (unsigned comp = 0; comp < 2; comp++) {
        io->in[comp] = (uint16_t)por_sbox_ext_x(k, comp);
        io->out[comp] = (uint16_t)por_sbox_ext_y(k, comp);
    }
}

static void sbox_ext_generate(const por_gate *g, unsigned k, const gl_t *c, gl_t *w)
{
    (void)g, (void)c;
    gl2_t y = sbox_ext((gl2_t){w[por_sbox_ext_x(k, 0)], w[por_sbox_ext_x(k, 1)]});
    w[por_sbox_ext_y(k, 0)] = y.c0;
    w[por_sbox_ext_y(k, 1)] = y.c1;
}

const por_gate_vtable por_gate_sbox_ext_vt = {
    .kind = POR_GATE_SBOX_EXT, .name = "sbox-ext", .init = sbox_ext_init, .eval_base = sbox_ext_eval_base,
    .eval_base_x8 = sbox_ext_eval_base_x8, .eval_ext = sbox_ext_eval_ext, .eval_circuit = sbox_ext_eval_circuit,
    .num_generators = sbox_ext_num_generators, .generator_io = sbox_ext_io, .generate = sbox_ext_generate,
};
