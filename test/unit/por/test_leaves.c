/* Bulk leaf work: pooled results equal the one-at-a-time definitions. */
#include "por/leaves.h"
#include "por/salt.h"
#include "tap.h"

#define N 1500
#define A 5

int main(void)
{
    uint8_t key[32];
    static uint8_t idbuf[N][16];
    static const uint8_t *ids[N];
    static size_t lens[N];
    static por_digest pooled[N], serial[N];
    uint64_t seed = 7;
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)i;
    for (int i = 0; i < N; i++) {
        lens[i] = (size_t)snprintf((char *)idbuf[i], sizeof(idbuf[i]), "acct-%d", i);
        ids[i] = idbuf[i];
    }

    por_pool *pool = por_pool_create(2);
    ok(pool != NULL, "pool of 2 threads");
    ok(por_account_commitments(pool, key, 42, ids, lens, N, pooled) == 0, "pooled commitments of %d accounts", N);
    int same = 1;
    for (int i = 0; i < N; i++) {
        gl_t salt[4];
        same &= por_salt_derive(key, 42, ids[i], lens[i], salt) == 0;
        same &= por_id_commitment(ids[i], lens[i], salt, &serial[i]) == 0;
        same &= memcmp(&serial[i], &pooled[i], sizeof(por_digest)) == 0;
    }
    ok(same, "each pooled commitment = por_id_commitment(id, HMAC salt)");
    ok(por_account_commitments(NULL, key, 42, ids, lens, N, serial) == 0 && memcmp(serial, pooled, sizeof(serial)) == 0,
       "no pool gives the same commitments");
    ok(por_account_commitments(pool, key, 43, ids, lens, N, serial) == 0 && memcmp(&serial[0], &pooled[0], sizeof(por_digest)) != 0,
       "another snapshot id gives other commitments (salts change per snapshot)");
    lens[N / 2] = 0;
    ok(por_account_commitments(pool, key, 42, ids, lens, N, serial) == -1, "an empty account id fails the whole batch");

    /* leaf hashes */
    static uint64_t balances[N * 2 * A];
    static por_digest commitments[N], leaves_pooled[N];
    for (int i = 0; i < N; i++) {
        for (int k = 0; k < 4; k++)
            commitments[i].e[k] = test_rand_u64(&seed) % GL_P;
        for (int a = 0; a < 2 * A; a++)
            balances[i * 2 * A + a] = test_rand_u64(&seed) >> 2;
    }
    por_leaf_hash_many(pool, commitments, balances, N, A, leaves_pooled);
    same = 1;
    for (int i = 0; i < N; i++) {
        por_digest one;
        por_leaf_hash(&commitments[i], &balances[i * 2 * A], &balances[i * 2 * A + A], A, &one);
        same &= memcmp(&one, &leaves_pooled[i], sizeof(one)) == 0;
    }
    ok(same, "pooled leaf hashes = por_leaf_hash with equities then debts");

    /* padding commitments */
    gl_t salt[4] = {1, 2, 3, 4};
    por_digest pad, expect, real;
    gl_t inputs[5] = {0, 1, 2, 3, 4};
    por_padding_commitment(salt, &pad);
    por_hash(POR_DOMAIN_ID, inputs, 5, &expect);
    ok(memcmp(&pad, &expect, sizeof(pad)) == 0, "padding commitment = por_hash(DOMAIN_ID, [0, salt])");
    por_id_commitment((const uint8_t *)"\0", 1, salt, &real);
    ok(memcmp(&pad, &real, sizeof(pad)) != 0, "no real id (even a single zero byte) has a padding commitment");
    salt[3] = 5;
    por_padding_commitment(salt, &real);
    ok(memcmp(&pad, &real, sizeof(pad)) != 0, "padding commitments depend on the salt");
    por_pool_destroy(pool);
    return done_testing();
}
