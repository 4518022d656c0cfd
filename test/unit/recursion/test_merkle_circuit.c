/*
 * In-circuit Merkle openings against commit/merkle.c: for real trees
 * (salted and not, leaves hashed or used as they are, caps of every height up
 * to the whole leaf level) the circuit accepts exactly the openings
 * por_merkle_verify accepts: honest ones, and openings with a tampered path
 * node, row element, salt element, cap entry (the selected one; an unselected
 * one changes nothing), or another index.  A tampered index bit breaks the
 * recomposition.  Forged witnesses for each tamper fail
 * por_circuit_check_witness, and a proof of one (the prover's check
 * bypassed) does not verify.
 */
#include <stdlib.h>
#include <string.h>

#include "recursion/bits.h"
#include "recursion/merkle_circuit.h"
#include "proof_fixtures.h"
#include "forge.h"
#include "tap.h"

static uint64_t seed = 0x3e91eULL;

static gl_t rnd(void) { return gl_from_u64(test_rand_u64(&seed)); }

#define MAXW 32
#define MAXL 20
#define MAXCAP 16

typedef struct {
    unsigned log_rows, cap_h;
    size_t width;
    bool salted;
    por_circuit *c;
    por_target index, bits[MAXL], row[MAXW], salt[POR_MERKLE_SALT];
    por_rec_digest cap[MAXCAP], path[MAXL];
} mcirc;

typedef struct {
    size_t index;
    gl_t row[MAXW], salt[POR_MERKLE_SALT];
    por_digest cap[MAXCAP], path[MAXL];
} opening;

static int mc_build(mcirc *m, const por_circuit_config *cfg)
{
    por_builder *b = por_builder_new(cfg);
    m->index = por_builder_add_virtual(b);
    por_rec_split_bits(b, m->index, m->log_rows, m->bits);
    for (size_t i = 0; i < m->width; i++)
        m->row[i] = por_builder_add_virtual(b);
    for (int i = 0; i < POR_MERKLE_SALT; i++)
        m->salt[i] = por_builder_add_virtual(b);
    for (size_t i = 0; i < ((size_t)1 << m->cap_h); i++)
        por_rec_digest_virtual(b, &m->cap[i]);
    for (unsigned h = 0; h < m->log_rows - m->cap_h; h++)
        por_rec_digest_virtual(b, &m->path[h]);
    por_rec_merkle_verify(b, m->cap, m->cap_h, m->log_rows, m->bits, m->row, m->width,
                          m->salted ? m->salt : NULL, m->path, NULL);
    por_builder_register_public_input(b, m->index);
    const char *why;
    m->c = por_builder_build(b, &why);
    if (!m->c)
        diag("merkle circuit: %s", why);
    por_builder_free(b);
    return m->c ? 0 : -1;
}

/* The (target, value) pairs of an opening's inputs. */
static size_t mc_inputs(const mcirc *m, const opening *o, por_target *t, gl_t *v)
{
    size_t k = 0;
    t[k] = m->index, v[k++] = o->index;
    for (size_t i = 0; i < m->width; i++)
        t[k] = m->row[i], v[k++] = o->row[i];
    if (m->salted)
        for (int i = 0; i < POR_MERKLE_SALT; i++)
            t[k] = m->salt[i], v[k++] = o->salt[i];
    for (size_t i = 0; i < ((size_t)1 << m->cap_h); i++)
        for (int j = 0; j < 4; j++)
            t[k] = m->cap[i].e[j], v[k++] = o->cap[i].e[j];
    for (unsigned h = 0; h < m->log_rows - m->cap_h; h++)
        for (int j = 0; j < 4; j++)
            t[k] = m->path[h].e[j], v[k++] = o->path[h].e[j];
    return k;
}

#define MAXIN (1 + MAXW + 4 + 4 * MAXCAP + 4 * MAXL + 8)

/* Honest generation and every row: does the circuit accept the opening? */
static bool circuit_accepts(const mcirc *m, const opening *o)
{
    por_target t[MAXIN];
    gl_t v[MAXIN];
    size_t k = mc_inputs(m, o, t, v);
    const char *why;
    por_witness *w = forge_honest(m->c, t, v, k, &why);
    bool good = w && forge_check(m->c, w) == 0;
    por_witness_free(w);
    return good;
}

static bool native_accepts(const mcirc *m, const opening *o)
{
    return por_merkle_verify(o->cap, m->cap_h, m->log_rows, o->index, o->row, m->width,
                             m->salted ? o->salt : NULL, o->path) == 0;
}

/* The forged witness of the opening (no conflict stops it): rejected? */
static bool forged_rejected(const mcirc *m, const opening *o)
{
    por_target t[MAXIN];
    gl_t v[MAXIN];
    size_t k = mc_inputs(m, o, t, v);
    por_witness *w = forge_witness(m->c, t, v, k);
    bool rejected = forge_check(m->c, w) != 0;
    por_witness_free(w);
    return rejected;
}

enum { T_NONE, T_PATH, T_ROW, T_SALT, T_CAP_USED, T_CAP_OTHER, T_INDEX, T_COUNT };
static const char *const tamper_name[T_COUNT] = {"honest", "path node", "row element", "salt element",
                                                 "selected cap entry", "another cap entry", "index"};

/* Applies tamper kind to o; false if it does not apply to this shape. */
static bool tamper(const mcirc *m, opening *o, int kind)
{
    unsigned path_len = m->log_rows - m->cap_h;
    size_t cap_len = (size_t)1 << m->cap_h, used = o->index >> path_len;
    switch (kind) {
    case T_PATH:
        if (path_len == 0)
            return false;
        o->path[test_rand_u64(&seed) % path_len].e[test_rand_u64(&seed) % 4] ^= 1;
        return true;
    case T_ROW:
        if (m->width == 0)
            return false;
        o->row[test_rand_u64(&seed) % m->width] ^= 1;
        return true;
    case T_SALT:
        if (!m->salted)
            return false;
        o->salt[test_rand_u64(&seed) % 4] ^= 2;
        return true;
    case T_CAP_USED:
        o->cap[used].e[test_rand_u64(&seed) % 4] ^= 1;
        return true;
    case T_CAP_OTHER:
        if (cap_len == 1)
            return false;
        o->cap[used ^ 1].e[0] ^= 1;
        return true;
    case T_INDEX:
        o->index ^= (size_t)1 << (test_rand_u64(&seed) % m->log_rows);
        return true;
    }
    return true;
}

static void test_shape(unsigned log_rows, unsigned cap_h, size_t width, bool salted, bool prove)
{
    mcirc m = {.log_rows = log_rows, .cap_h = cap_h, .width = width, .salted = salted};
    por_circuit_config cfg;
    test_fast_config(&cfg);
    cfg.zero_knowledge = prove;
    if (mc_build(&m, &cfg) != 0) {
        ok(0, "merkle circuit builds");
        return;
    }
    size_t nrows = (size_t)1 << log_rows;
    gl_t *data = malloc(nrows * (width ? width : 1) * sizeof(gl_t));
    for (size_t i = 0; i < nrows * width; i++)
        data[i] = rnd();
    por_matrix mat = {.log_rows = log_rows, .width = width, .rows = data};
    por_merkle_tree tree;
    uint64_t salt_seed = seed;
    if (por_merkle_build(&tree, NULL, &mat, cap_h, salted, test_rand_fields, &salt_seed) != 0) {
        ok(0, "tree builds");
        return;
    }
    int agree[T_COUNT] = {0}, expected[T_COUNT] = {0}, forged[T_COUNT] = {0}, tries[T_COUNT] = {0};
    for (int trial = 0; trial < 6; trial++) {
        opening o0;
        memset(&o0, 0, sizeof(o0));
        o0.index = test_rand_u64(&seed) % nrows;
        por_merkle_cap(&tree, o0.cap);
        por_merkle_open(&tree, o0.index, o0.row, o0.salt, o0.path);
        for (int kind = 0; kind < T_COUNT; kind++) {
            opening o = o0;
            if (!tamper(&m, &o, kind))
                continue;
            tries[kind]++;
            bool nat = native_accepts(&m, &o), circ = circuit_accepts(&m, &o);
            agree[kind] += nat == circ;
            /* tampers must reject, except an unselected cap entry */
            expected[kind] += nat == (kind == T_NONE || kind == T_CAP_OTHER);
            if (!nat)
                forged[kind] += forged_rejected(&m, &o);
        }
    }
    for (int kind = 0; kind < T_COUNT; kind++) {
        if (!tries[kind])
            continue;
        bool rej = !(kind == T_NONE || kind == T_CAP_OTHER);
        ok(agree[kind] == tries[kind] && expected[kind] == tries[kind] && (!rej || forged[kind] == tries[kind]),
           "merkle log_rows %u cap %u width %zu%s, %s: circuit %s as por_merkle_verify (%d/%d)%s", log_rows,
           cap_h, width, salted ? " salted" : "", tamper_name[kind], rej ? "rejects" : "accepts", agree[kind],
           tries[kind], rej ? ", forged witnesses rejected" : "");
    }

    /* a flipped index bit with the index unchanged: the recomposition fails */
    opening o;
    memset(&o, 0, sizeof(o));
    o.index = test_rand_u64(&seed) % nrows;
    por_merkle_cap(&tree, o.cap);
    por_merkle_open(&tree, o.index, o.row, o.salt, o.path);
    por_target t[MAXIN + MAXL];
    gl_t v[MAXIN + MAXL];
    size_t k = mc_inputs(&m, &o, t, v);
    unsigned bit = (unsigned)(test_rand_u64(&seed) % log_rows);
    for (unsigned i = 0; i < log_rows; i++)
        t[k] = m.bits[i], v[k++] = ((o.index >> i) & 1) ^ (i == bit);
    por_witness *w = forge_witness(m.c, t, v, k);
    ok(forge_check(m.c, w) != 0, "merkle log_rows %u: a flipped index bit (index unchanged) is rejected", log_rows);
    if (prove) {
        const char *why = NULL;
        int rc = forge_prove_verify(m.c, w, &why);
        ok(rc == -1, "  and its proof (prover check bypassed) does not verify (%s)", why);
        /* a tampered path node, forged, proven: rejected */
        por_witness_free(w);
        tamper(&m, &o, T_PATH);
        k = mc_inputs(&m, &o, t, v);
        w = forge_witness(m.c, t, v, k);
        rc = forge_prove_verify(m.c, w, &why);
        ok(rc == -1, "  a tampered path node's proof does not verify (%s)", why);
        /* and the honest opening proves */
        por_witness_free(w);
        por_merkle_open(&tree, o.index, o.row, o.salt, o.path);
        k = mc_inputs(&m, &o, t, v);
        w = por_witness_new(m.c);
        for (size_t i = 0; i < k; i++)
            por_witness_set(w, t[i], v[i]);
        rc = forge_prove_verify(m.c, w, &why);
        ok(rc == 0, "  the honest opening's zero-knowledge proof verifies (%s)", why ? why : "ok");
    }
    por_witness_free(w);
    por_merkle_free(&tree);
    free(data);
    por_circuit_free(m.c);
}

/* Rows of one path of height h (cap height 4, 16 entries), leaf digest given. */
static void test_costs(void)
{
    por_circuit_config cfg;
    por_circuit_config_default(&cfg);
    for (unsigned h = 8; h <= 16; h += 8) {
        por_builder *b = por_builder_new(&cfg);
        por_target bits[MAXL];
        por_rec_digest cap[16], path[MAXL], leaf;
        for (unsigned i = 0; i < h + 4; i++)
            bits[i] = por_builder_add_virtual(b);
        for (int i = 0; i < 16; i++)
            por_rec_digest_virtual(b, &cap[i]);
        for (unsigned i = 0; i < h; i++)
            por_rec_digest_virtual(b, &path[i]);
        por_rec_digest_virtual(b, &leaf);
        por_builder_zero(b), por_builder_one(b); /* shared constants: not the path's */
        size_t r0 = por_builder_num_rows(b);
        por_rec_merkle_verify_digest(b, cap, 4, h + 4, bits, &leaf, path, NULL);
        size_t rows = por_builder_num_rows(b) - r0;
        diag("merkle path of height %u + cap 16 selection: %zu rows (%u Poseidon)", h, rows, h);
        ok(rows <= 2 * h + 12, "merkle path of height %u costs %zu <= 2h + 12 rows", h, rows);
        por_builder_free(b);
    }
}

int main(void)
{
    test_shape(6, 2, 3, false, false);  /* leaf = the row (hash_or_noop) */
    test_shape(6, 2, 3, true, true);    /* 7 inputs: one permutation; proven */
    test_shape(7, 4, 8, false, false);  /* exactly one chunk */
    test_shape(5, 0, 9, true, false);   /* 13 inputs, two chunks; cap = root */
    test_shape(4, 4, 16, false, false); /* the cap is the leaf level: no path */
    test_shape(9, 3, 32, true, false);  /* 36 inputs */
    test_costs();
    done_testing();
}
