/*
 * por-verify: checks por proofs without a database and says in plain words
 * what it checked.
 *
 *   por-verify inclusion FILE [--root HEX] [--params-digest HEX]
 *
 * Output ends with "RESULT: VALID" (exit 0) or "RESULT: INVALID: <reason>"
 * (exit 1); usage errors and unreadable files exit 2.  Subcommands live in
 * the COMMANDS table; each gets the arguments after its name.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "inclusion.h"
#include "json.h"

#define EXIT_VALID 0
#define EXIT_INVALID 1
#define EXIT_USAGE 2

/* No proof we read comes anywhere near this; the cap keeps hostile files cheap. */
#define MAX_FILE_BYTES (16u << 20)

static const char *progname = "por-verify";

static int invalid(const char *reason)
{
    printf("RESULT: INVALID: %s\n", reason);
    return EXIT_INVALID;
}

/*
 * Reads a whole file (at most MAX_FILE_BYTES).  Returns 0, -1 if it cannot be
 * read (errno-style message printed), -2 if it is too large.
 */
static int read_file(const char *path, uint8_t **out, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "%s: cannot open %s: %s\n", progname, path, strerror(errno));
        return -1;
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
/* inclusion */

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "%s: %s%s%s\n", progname, msg, arg ? ": " : "", arg ? arg : "");
    fprintf(stderr, "usage: %s inclusion FILE [--root HEX] [--params-digest HEX]\n", progname);
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
    const char *file = NULL;
    por_digest given_root, given_params;
    bool have_root = false, have_params = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--root") == 0 || strcmp(argv[i], "--params-digest") == 0) {
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
    if (rc == -1)
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
    por_inclusion_free(&proof);
    printf("RESULT: VALID\n");
    return EXIT_VALID;
}

/* ------------------------------------------------------------------------ */

static const struct command {
    const char *name;
    const char *args;
    const char *what;
    int (*run)(int argc, char **argv);
} COMMANDS[] = {
    {"inclusion", "FILE [--root HEX] [--params-digest HEX]",
     "check that an account with exactly these balances is a leaf of the tree (JSON or binary proof)",
     cmd_inclusion},
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
            if (strcmp(argv[1], COMMANDS[i].name) == 0)
                return COMMANDS[i].run(argc - 2, argv + 2);
    if (argc >= 2)
        fprintf(stderr, "%s: unknown command: %s\n", progname, argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
