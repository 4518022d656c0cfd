/*
 * por-verify: checks por proofs without a database and says in plain words
 * what it checked.
 *
 *   por-verify inclusion FILE [--root HEX] [--params-digest HEX] [--batch BATCHFILE]
 *   por-verify batch FILE
 *   por-verify bundle DIR
 *
 * A batch proof's verifier key is never read from anywhere: it is derived
 * from the shape in the file (batch_log2, asset count, balance bits) by
 * building the batch circuit and preprocessing it, as the prover did.
 *
 * Output ends with "RESULT: VALID" (exit 0) or "RESULT: INVALID: <reason>"
 * (exit 1); usage errors and unreadable files exit 2.  Subcommands live in
 * the COMMANDS table; each gets the arguments after its name.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "por/batch_proof.h"
#include "por/bundle.h"
#include "util/decimal.h"
#include "por/hex.h"
#include "por/inclusion.h"
#include "util/json.h"
#include "util/threadpool.h"

#define EXIT_VALID 0
#define EXIT_INVALID 1
#define EXIT_USAGE 2

/* No proof we read comes anywhere near this (a batch proof of 2^20 accounts
 * is well below a megabyte); the cap keeps hostile files cheap. */
#define MAX_FILE_BYTES (16u << 20)

static const char *progname = "por-verify";

static int invalid(const char *reason)
{
    printf("RESULT: INVALID: %s\n", reason);
    return EXIT_INVALID;
}

/*
 * Reads a whole file (at most MAX_FILE_BYTES).  Returns 0, -1 if it cannot be
 * read (errno-style message printed), -3 if it does not exist (message
 * printed too), -2 if it is too large.
 */
static int read_file(const char *path, uint8_t **out, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        int missing = errno == ENOENT;
        fprintf(stderr, "%s: cannot open %s: %s\n", progname, path, strerror(errno));
        return missing ? -3 : -1;
    }
    size_t cap = 1 << 16, len = 0;
    uint8_t *buf = malloc(cap);
    int rc = 0;
    /* read at most MAX_FILE_BYTES + 1 bytes: one more than allowed tells "too large" */
    while (buf != NULL && len <= MAX_FILE_BYTES) {
        if (len == cap) {
            size_t ncap = cap * 2 > MAX_FILE_BYTES + 1 ? MAX_FILE_BYTES + 1 : cap * 2;
            uint8_t *bigger = realloc(buf, ncap);
            if (bigger == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap = ncap;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    if (buf == NULL) {
        fprintf(stderr, "%s: out of memory reading %s\n", progname, path);
        rc = -1;
    } else if (rc == 0 && ferror(f)) {
        fprintf(stderr, "%s: cannot read %s\n", progname, path);
        rc = -1;
    } else if (rc == 0 && len > MAX_FILE_BYTES)
        rc = -2;
    fclose(f);
    if (rc != 0) {
        free(buf);
        return rc;
    }
    *out = buf;
    *out_len = len;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Printing untrusted values */

/*
 * Prints an account id in double quotes.  The id is UTF-8 (the decoder
 * checked), but it comes from the file: control characters, C1 controls and
 * bidirectional overrides are escaped so the terminal shows what is there.
 */
static void print_account_id(const uint8_t *id, size_t len)
{
    putchar('"');
    for (size_t i = 0; i < len;) {
        uint8_t c = id[i];
        if (c < 0x20 || c == 0x7f) {
            printf("\\x%02x", c);
            i++;
        } else if (c == '"' || c == '\\') {
            printf("\\%c", c);
            i++;
        } else if (c < 0x80) {
            putchar(c);
            i++;
        } else {
            size_t k = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
            if (k > len - i)
                k = len - i;
            unsigned cp = k == 2 ? (c & 0x1fu) << 6 | (id[i + 1] & 0x3fu)
                        : k == 3 ? (c & 0x0fu) << 12 | (id[i + 1] & 0x3fu) << 6 | (id[i + 2] & 0x3fu)
                                 : 0x10000;
            bool hide = (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x200e && cp <= 0x200f) ||
                        (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
                        cp == 0xfeff;
            if (hide)
                printf("\\u%04x", cp);
            else
                fwrite(id + i, 1, k, stdout);
            i += k;
        }
    }
    putchar('"');
}

/* Decimal digits of v into buf (no sign, no leading zeros); returns the length. */
static size_t u64_digits(uint64_t v, char *buf)
{
    char tmp[21];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
    return n;
}

/*
 * digits * 10^exp10 written exactly in plain decimal, trailing fractional
 * zeros kept only up to min_frac digits.  Integer arithmetic on the digit
 * string: no floating point, so every printed amount is exact.
 */
static void print_scaled(const char *digits, int exp10, int min_frac)
{
    size_t n = strlen(digits);
    if (exp10 >= 0) {
        fputs(digits, stdout);
        if (!(n == 1 && digits[0] == '0'))
            for (int i = 0; i < exp10; i++)
                putchar('0');
        if (min_frac > 0) {
            putchar('.');
            for (int i = 0; i < min_frac; i++)
                putchar('0');
        }
        return;
    }
    size_t frac = (size_t)-exp10;
    char buf[128];
    size_t total = n > frac ? n : frac + 1; /* at least one integer digit */
    if (total > sizeof(buf)) { /* unreachable for checked parameters (scale <= 60) */
        fputs("(out of range)", stdout);
        return;
    }
    size_t pad = total - n;
    memset(buf, '0', pad);
    memcpy(buf + pad, digits, n);
    size_t int_len = total - frac;
    size_t end = total; /* drop trailing zeros beyond min_frac */
    while (end > int_len + (size_t)min_frac && buf[end - 1] == '0')
        end--;
    fwrite(buf, 1, int_len, stdout);
    if (end > int_len) {
        putchar('.');
        fwrite(buf + int_len, 1, end - int_len, stdout);
    }
}

/* An amount of smallest units shown in whole asset units: "1.50000000", or "0". */
static void print_amount(uint64_t units, uint32_t decimals)
{
    char digits[21];
    u64_digits(units, digits);
    if (units == 0)
        putchar('0');
    else
        print_scaled(digits, -(int)decimals, (int)decimals);
}

static void print_digest(const por_digest *d)
{
    char hex[65];
    por_digest_to_hex(d, hex);
    fputs(hex, stdout);
}

/* ------------------------------------------------------------------------ */
/* Batch proofs */

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static unsigned __int128 total_of(const por_batch_public *pub, unsigned t)
{
    return pub->totals[t][0] + ((unsigned __int128)pub->totals[t][1] << 32);
}

/*
 * Reads and decodes one batch file.  0; -1 if it cannot be read (message
 * printed; -3 if it does not exist); -2 if it is not a valid batch proof,
 * with the reason in reason[].
 */
static int load_batch(const char *path, por_batch_proof *bp, char *reason, size_t reason_size)
{
    uint8_t *buf;
    size_t len;
    memset(bp, 0, sizeof(*bp));
    int rc = read_file(path, &buf, &len);
    if (rc == -2) {
        snprintf(reason, reason_size, "%s: file larger than 16 MiB: not a batch proof", path);
        return -2;
    }
    if (rc != 0)
        return rc;
    const char *why = NULL;
    rc = por_batch_proof_decode(buf, len, bp, &why);
    free(buf);
    if (rc != 0) {
        snprintf(reason, reason_size, "cannot decode the batch proof %s: %s", path, why);
        return -2;
    }
    return 0;
}

/* The key of a batch shape, built from the circuit itself; says so and how long it took. */
static int derive_key(unsigned k, unsigned A, unsigned B, por_batch_vk *vk, const char **why)
{
    printf("deriving the verifier key for batches of 2^%u accounts, %u asset%s, balances below 2^%u, "
           "from the batch circuit itself\n",
           k, A, A == 1 ? "" : "s", B);
    por_pool *pool = por_pool_create(0);
    double t0 = now_seconds();
    int rc = por_batch_vk_derive(k, A, B, pool, vk, why);
    double t1 = now_seconds();
    por_pool_destroy(pool);
    if (rc == 0) {
        printf("verifier key derived in %.3f s (circuit digest ", t1 - t0);
        print_digest(&vk->vk.circuit_digest);
        printf(", %u queries, zero knowledge)\n", vk->vk.config.num_queries);
    }
    return rc;
}

/* The labels, the shape and the proven statement of a batch proof. */
static void print_batch_statement(const por_batch_proof *bp)
{
    const por_batch_public *pub = &bp->statement;
    printf("snapshot %" PRIu64 ", batch %" PRIu64 " (accounts %" PRIu64 "..%" PRIu64 " of the tree), "
           "batch_log2 %u, %u asset%s, balances below 2^%u\n",
           bp->snapshot_id, bp->batch_no, bp->batch_no << bp->batch_log2,
           ((bp->batch_no + 1) << bp->batch_log2) - 1, bp->batch_log2, bp->asset_count,
           bp->asset_count == 1 ? "" : "s", bp->balance_bits);
    printf("batch root ");
    print_digest(&pub->root);
    printf("\nparams digest ");
    print_digest(&pub->params_digest);
    printf("\ntotals of the batch in smallest units (assets in the snapshot's column order):\n");
    for (unsigned a = 0; a < bp->asset_count; a++) {
        char eq[80], debt[80];
        por_units_to_decimal(total_of(pub, a), 0, eq, sizeof(eq));
        por_units_to_decimal(total_of(pub, bp->asset_count + a), 0, debt, sizeof(debt));
        printf("  asset %u: equity %s, debt %s\n", a, eq, debt);
    }
}

/* Verifies a decoded batch proof under vk; prints the time.  0, or an exit code. */
static int verify_batch(const por_batch_vk *vk, const por_batch_proof *bp)
{
    const char *why = NULL;
    double t0 = now_seconds();
    int rc = por_batch_proof_verify(vk, bp, &why);
    double t1 = now_seconds();
    if (rc != 0) {
        char reason[256];
        snprintf(reason, sizeof(reason), "the batch proof does not verify: %s", why);
        return invalid(reason);
    }
    printf("PLONK proof verified in %.3f s: the batch's leaves hash to the batch root, every balance is "
           "below 2^%u, every account is solvent, the totals are exact, under the parameters of the digest\n",
           t1 - t0, bp->balance_bits);
    return 0;
}

/* Derives the key of the proof's own shape and verifies it under that key.  0, or an exit code. */
static int verify_batch_alone(const por_batch_proof *bp)
{
    por_batch_vk vk;
    const char *why = NULL;
    char reason[256];
    if (derive_key(bp->batch_log2, bp->asset_count, bp->balance_bits, &vk, &why) != 0) {
        snprintf(reason, sizeof(reason), "cannot derive the verifier key: %s", why);
        return invalid(reason);
    }
    int rc = verify_batch(&vk, bp);
    por_batch_vk_free(&vk);
    return rc;
}

/*
 * --batch for an inclusion proof: the account's leaf is in the batch that
 * batch proof covers.  Ties them by the level-k node of the path (which the
 * batch proof proves as its root), the params digest, the batch number and
 * the snapshot id.  0, or an exit code (the result line printed).
 */
static int check_inclusion_batch(const por_inclusion *p, const char *batch_file)
{
    const por_params *pp = &p->params;
    por_batch_proof bp;
    char reason[512];
    printf("batch proof %s\n", batch_file);
    int rc = load_batch(batch_file, &bp, reason, sizeof(reason));
    if (rc == -1 || rc == -3)
        return EXIT_USAGE;
    if (rc == -2)
        return invalid(reason);
    print_batch_statement(&bp);
    uint64_t batch = p->leaf_index >> pp->batch_log2;
    por_digest node, params_digest;
    por_inclusion_batch_root(p, &node);
    por_params_digest(pp, &params_digest);
    const char *bad = NULL;
    if (bp.snapshot_id != pp->snapshot_id)
        bad = "the batch proof is labelled with another snapshot id than the inclusion proof";
    else if (bp.batch_no != batch)
        bad = "the batch proof is not for the account's batch (leaf_index >> batch_log2)";
    else if (bp.batch_log2 != pp->batch_log2 || bp.asset_count != pp->asset_count ||
             bp.balance_bits != pp->balance_bits)
        bad = "the batch proof's shape is not the snapshot's";
    else if (memcmp(&bp.statement.params_digest, &params_digest, sizeof(params_digest)) != 0)
        bad = "the batch proof's params digest is not the inclusion proof's";
    else if (memcmp(&bp.statement.root, &node, sizeof(node)) != 0)
        bad = "the batch proof's root is not the node at level batch_log2 of the account's path";
    if (bad != NULL) {
        por_batch_proof_free(&bp);
        return invalid(bad);
    }
    printf("the batch proof is for snapshot %" PRIu64 ", batch %" PRIu64 " (the account's), with the same "
           "params digest, and its root is the node at level %u of the account's path\n",
           bp.snapshot_id, bp.batch_no, pp->batch_log2);
    rc = verify_batch_alone(&bp);
    por_batch_proof_free(&bp);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* inclusion */

/* The arguments of the command being run, for usage errors (set by main). */
static const char *command_usage = "";

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "%s: %s%s%s\n", progname, msg, arg ? ": " : "", arg ? arg : "");
    fprintf(stderr, "usage: %s %s\n", progname, command_usage);
    return EXIT_USAGE;
}

static void print_claims(const por_inclusion *p)
{
    const por_params *pp = &p->params;
    char time[28];
    if (json_time_format(pp->snapshot_time_us, time) != 0)
        strcpy(time, "(time out of range)");
    printf("account ");
    print_account_id(p->account_id, p->account_id_len);
    printf(" (leaf %llu of %llu), snapshot %llu taken %s\n", (unsigned long long)p->leaf_index,
           (unsigned long long)pp->leaf_count, (unsigned long long)pp->snapshot_id, time);
    printf("balances (each asset: equity, debt, price of one whole unit, collateral haircut):\n");
    for (uint32_t a = 0; a < pp->asset_count; a++) {
        const por_asset *asset = &pp->assets[a];
        char price[21];
        u64_digits(asset->price_units, price);
        printf("  %s equity ", asset->symbol);
        print_amount(p->equity[a], asset->decimals);
        printf(" debt ");
        print_amount(p->debt[a], asset->decimals);
        printf(" (price ");
        print_scaled(price, (int)asset->decimals - (int)pp->price_scale, 0);
        printf(" USD, counts %u%% as collateral)\n", asset->haircut);
    }
}

/*
 * Recomputes each step on its own so the report can say which one holds,
 * then defers to por_inclusion_verify for the verdict, so the program and
 * the library can never disagree.
 */
static int cmd_inclusion(int argc, char **argv)
{
    const char *file = NULL, *batch_file = NULL;
    por_digest given_root, given_params;
    bool have_root = false, have_params = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--batch") == 0) {
            if (i + 1 >= argc)
                return usage_error("missing value after", argv[i]);
            if (batch_file != NULL)
                return usage_error("more than one --batch", argv[i + 1]);
            batch_file = argv[++i];
        } else if (strcmp(argv[i], "--root") == 0 || strcmp(argv[i], "--params-digest") == 0) {
            bool root = argv[i][2] == 'r';
            if (i + 1 >= argc)
                return usage_error("missing value after", argv[i]);
            const char *hex = argv[++i];
            if (por_digest_from_hex(hex, strlen(hex), root ? &given_root : &given_params) != 0)
                return usage_error("not 64 lowercase hex digits of a digest", hex);
            *(root ? &have_root : &have_params) = true;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0')
            return usage_error("unknown option", argv[i]);
        else if (file == NULL)
            file = argv[i];
        else
            return usage_error("more than one file", argv[i]);
    }
    if (file == NULL)
        return usage_error("no proof file given", NULL);

    uint8_t *buf;
    size_t len;
    int rc = read_file(file, &buf, &len);
    if (rc == -1 || rc == -3)
        return EXIT_USAGE;
    if (rc == -2)
        return invalid("file larger than 16 MiB: not an inclusion proof");

    por_inclusion proof;
    const char *why = NULL;
    bool binary = len >= 4 && memcmp(buf, POR_FORMAT_MAGIC, 4) == 0;
    printf("inclusion proof %s (%s encoding)\n", file, binary ? "binary" : "JSON");
    rc = binary ? por_inclusion_decode(buf, len, &proof, &why)
                : por_inclusion_from_json((const char *)buf, len, &proof, &why);
    free(buf);
    if (rc != 0) {
        char reason[256];
        snprintf(reason, sizeof(reason), "cannot decode the proof: %s", why);
        return invalid(reason);
    }
    print_claims(&proof);

    const por_params *pp = &proof.params;
    unsigned depth = por_tree_depth(pp->leaf_count);
    por_digest commitment, leaf, root, params_digest;
    por_params_digest(pp, &params_digest);
    por_id_commitment(proof.account_id, proof.account_id_len, proof.salt, &commitment);
    printf("id commitment recomputed from the account id and the salt\n");
    por_leaf_hash(&commitment, proof.equity, proof.debt, pp->asset_count, &leaf);
    printf("leaf hash recomputed from the id commitment and the balances of %u asset%s "
           "(each checked below 2^%u)\n",
           pp->asset_count, pp->asset_count == 1 ? "" : "s", pp->balance_bits);
    por_tree_root_from_path(&leaf, proof.leaf_index, pp->leaf_count, proof.siblings, &root);
    printf("path of %u sibling hash%s leads to root ", depth, depth == 1 ? "" : "es");
    print_digest(&root);
    printf("\n");

    rc = por_inclusion_verify(&proof, have_root ? &given_root : NULL, &why);
    if (rc != 0) {
        por_inclusion_free(&proof);
        return invalid(why);
    }
    printf("the proof's root equals the recomputed root; the account is solvent under the "
           "snapshot's prices and haircuts\n");
    if (have_root)
        printf("root matches the given --root\n");
    else
        printf("no --root given: compare the root above with the one published with the final proof\n");
    printf("snapshot parameters digest ");
    print_digest(&params_digest);
    printf(" (binds prices, haircuts, decimals, time, tree size)\n");
    if (have_params && memcmp(&params_digest, &given_params, sizeof(params_digest)) != 0) {
        por_inclusion_free(&proof);
        return invalid("the snapshot parameters digest does not match --params-digest");
    }
    if (have_params)
        printf("parameters digest matches the given --params-digest\n");
    else
        printf("no --params-digest given: compare it with the one published with the final proof\n");
    if (batch_file != NULL) {
        rc = check_inclusion_batch(&proof, batch_file);
        if (rc != 0) {
            por_inclusion_free(&proof);
            return rc;
        }
    }
    por_inclusion_free(&proof);
    printf("RESULT: VALID\n");
    return EXIT_VALID;
}

/* ------------------------------------------------------------------------ */
/* batch */

static int cmd_batch(int argc, char **argv)
{
    if (argc < 1)
        return usage_error("no batch proof file given", NULL);
    if (argc > 1)
        return usage_error("more than one file", argv[1]);
    if (argv[0][0] == '-' && argv[0][1] != '\0')
        return usage_error("unknown option", argv[0]);
    por_batch_proof bp;
    char reason[512];
    printf("batch proof %s\n", argv[0]);
    int rc = load_batch(argv[0], &bp, reason, sizeof(reason));
    if (rc == -1 || rc == -3)
        return EXIT_USAGE;
    if (rc == -2)
        return invalid(reason);
    print_batch_statement(&bp);
    rc = verify_batch_alone(&bp);
    por_batch_proof_free(&bp);
    if (rc != 0)
        return rc;
    printf("the snapshot id and the batch number are labels the proof does not bind: compare the params "
           "digest with the published one, and check the batch root against the bundle's tree "
           "(por-verify bundle)\n");
    printf("RESULT: VALID\n");
    return EXIT_VALID;
}

/* ------------------------------------------------------------------------ */
/* bundle */

/* Joins DIR and a file name into buf; -1 if it does not fit. */
static int join_path(char *buf, size_t size, const char *dir, const char *name)
{
    int n = snprintf(buf, size, "%s/%s", dir, name);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

static int cmd_bundle(int argc, char **argv)
{
    if (argc < 1)
        return usage_error("no bundle directory given", NULL);
    if (argc > 1)
        return usage_error("more than one directory", argv[1]);
    if (argv[0][0] == '-' && argv[0][1] != '\0')
        return usage_error("unknown option", argv[0]);
    const char *dir = argv[0];
    char path[4096], reason[512];
    if (join_path(path, sizeof(path), dir, POR_BUNDLE_MANIFEST) != 0)
        return usage_error("directory name too long", dir);
    uint8_t *buf;
    size_t len;
    printf("bundle %s\n", dir);
    int rc = read_file(path, &buf, &len);
    if (rc == -1 || rc == -3)
        return EXIT_USAGE;
    if (rc == -2)
        return invalid("bundle.json larger than 16 MiB: not a manifest");
    por_bundle_manifest m;
    const char *why = NULL;
    rc = por_bundle_manifest_from_json((const char *)buf, len, &m, &why);
    free(buf);
    if (rc != 0) {
        snprintf(reason, sizeof(reason), "cannot read the manifest: %s", why);
        return invalid(reason);
    }
    const por_params *pp = &m.params;
    char time[28];
    if (json_time_format(pp->snapshot_time_us, time) != 0)
        strcpy(time, "(time out of range)");
    printf("snapshot %" PRIu64 " taken %s: %" PRIu64 " leaves in %" PRIu64 " batch%s of 2^%u, %u asset%s, "
           "balances below 2^%u\n",
           pp->snapshot_id, time, pp->leaf_count, m.batch_count, m.batch_count == 1 ? "" : "es", pp->batch_log2,
           pp->asset_count, pp->asset_count == 1 ? "" : "s", pp->balance_bits);
    printf("root ");
    print_digest(&m.root);
    printf("\nparams digest ");
    print_digest(&m.params_digest);
    printf(" (recomputed from the manifest's parameters)\n");

    por_batch_proof *proofs = calloc(m.batch_count ? m.batch_count : 1, sizeof(*proofs));
    if (proofs == NULL) {
        por_bundle_manifest_free(&m);
        fprintf(stderr, "%s: out of memory for %" PRIu64 " batch proofs\n", progname, m.batch_count);
        return EXIT_USAGE;
    }
    uint64_t loaded = 0;
    int result = EXIT_VALID;
    for (; loaded < m.batch_count; loaded++) {
        char name[64];
        snprintf(name, sizeof(name), POR_BUNDLE_BATCH_FILE_FMT, loaded);
        if (join_path(path, sizeof(path), dir, name) != 0) {
            result = usage_error("directory name too long", dir);
            goto out;
        }
        rc = load_batch(path, &proofs[loaded], reason, sizeof(reason));
        if (rc == -3) {
            snprintf(reason, sizeof(reason), "batch file %s is missing", name);
            result = invalid(reason);
            goto out;
        }
        if (rc == -1) {
            result = EXIT_USAGE;
            goto out;
        }
        if (rc == -2) {
            result = invalid(reason);
            goto out;
        }
    }
    {
        char name[64];
        snprintf(name, sizeof(name), POR_BUNDLE_BATCH_FILE_FMT, m.batch_count);
        FILE *extra = join_path(path, sizeof(path), dir, name) == 0 ? fopen(path, "rb") : NULL;
        if (extra != NULL) {
            fclose(extra);
            snprintf(reason, sizeof(reason), "batch file %s is beyond the manifest's %" PRIu64 " batches", name,
                     m.batch_count);
            result = invalid(reason);
            goto out;
        }
    }
    printf("read %" PRIu64 " batch proof file%s\n", loaded, loaded == 1 ? "" : "s");

    por_batch_vk vk;
    if (derive_key(pp->batch_log2, pp->asset_count, pp->balance_bits, &vk, &why) != 0) {
        snprintf(reason, sizeof(reason), "cannot derive the verifier key: %s", why);
        result = invalid(reason);
        goto out;
    }
    unsigned __int128 *totals = calloc(2 * (size_t)pp->asset_count, sizeof(*totals));
    double t0 = now_seconds();
    rc = totals != NULL ? por_bundle_check(&m, &vk, proofs, loaded, totals, &why) : -1;
    double t1 = now_seconds();
    por_batch_vk_free(&vk);
    if (rc != 0) {
        free(totals);
        result = invalid(totals != NULL ? why : "out of memory");
        goto out;
    }
    printf("verified %" PRIu64 " batch proof%s in %.3f s: each is labelled with its batch number and the "
           "snapshot id, carries the snapshot's params digest and verifies; the tree over their batch roots "
           "gives the root above; their totals add up to the manifest's\n",
           loaded, loaded == 1 ? "" : "s", t1 - t0);
    printf("proven totals (whole units; smallest units in brackets):\n");
    for (uint32_t a = 0; a < pp->asset_count; a++) {
        const por_asset *asset = &pp->assets[a];
        char eq[80], eq_units[80], debt[80], debt_units[80];
        por_units_to_decimal(totals[a], asset->decimals, eq, sizeof(eq));
        por_units_to_decimal(totals[a], 0, eq_units, sizeof(eq_units));
        por_units_to_decimal(totals[pp->asset_count + a], asset->decimals, debt, sizeof(debt));
        por_units_to_decimal(totals[pp->asset_count + a], 0, debt_units, sizeof(debt_units));
        printf("  %s equity %s (%s) debt %s (%s)\n", asset->symbol, eq, eq_units, debt, debt_units);
    }
    free(totals);
    printf("compare the root and the params digest with the published ones; customers check their inclusion "
           "proofs against this root\n");
    printf("RESULT: VALID\n");
out:
    for (uint64_t i = 0; i < m.batch_count; i++)
        por_batch_proof_free(&proofs[i]);
    free(proofs);
    por_bundle_manifest_free(&m);
    return result;
}

/* ------------------------------------------------------------------------ */

static const struct command {
    const char *name;
    const char *args;
    const char *what;
    int (*run)(int argc, char **argv);
} COMMANDS[] = {
    {"inclusion", "FILE [--root HEX] [--params-digest HEX] [--batch BATCHFILE]",
     "check that an account with exactly these balances is a leaf of the tree (JSON or binary proof);\n"
     "      with --batch, also that the batch proof of its batch verifies and proves its batch root",
     cmd_inclusion},
    {"batch", "FILE", "verify one batch proof and print its statement (root, params digest, totals)", cmd_batch},
    {"bundle", "DIR",
     "verify a snapshot's bundle: every batch proof, the root over them and the per-asset totals", cmd_bundle},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: %s COMMAND ARGS\ncommands:\n", progname);
    for (size_t i = 0; i < sizeof(COMMANDS) / sizeof(COMMANDS[0]); i++)
        fprintf(out, "  %s %s\n      %s\n", COMMANDS[i].name, COMMANDS[i].args, COMMANDS[i].what);
    fprintf(out, "exit status: 0 valid, 1 invalid, 2 usage error or unreadable file\n");
}

int main(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return EXIT_VALID;
    }
    if (argc >= 2)
        for (size_t i = 0; i < sizeof(COMMANDS) / sizeof(COMMANDS[0]); i++)
            if (strcmp(argv[1], COMMANDS[i].name) == 0) {
                char full[128];
                snprintf(full, sizeof(full), "%s %s", COMMANDS[i].name, COMMANDS[i].args);
                command_usage = full;
                return COMMANDS[i].run(argc - 2, argv + 2);
            }
    if (argc >= 2)
        fprintf(stderr, "%s: unknown command: %s\n", progname, argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
