/*
 * por-verify: checks por proofs without a database and says in plain words
 * what it checked (docs/por-verify.md is the manual).
 *
 *   por-verify [--json] inclusion FILE [--root HEX] [--params-digest HEX] [--batch BATCHFILE]
 *   por-verify [--json] batch FILE [--params FILE] [--params-digest HEX]
 *   por-verify [--json] bundle DIR [--root HEX] [--params-digest HEX]
 *   por-verify [--json] final FILE [--params FILE] [--root HEX] [--params-digest HEX]
 *   por-verify --version | --help
 * --derive-keys (anywhere): every key by the setup, the shipped table unused.
 *
 * A batch proof's verifier key is never read from anywhere: it is derived
 * from the shape in the file (batch_log2, asset count, balance bits) by
 * building the batch circuit and preprocessing it, as the prover did, and
 * only after the cheap checks (por_batch_proof_precheck) and within the
 * library's cost cap (batch_proof.h).
 *
 * A final proof's keys (the batch key and every aggregation level's) are
 * derived the same way from the shape in its header (agg/final_proof.h).
 *
 * Shipped keys (por/vk_table.h): a key's costly part, the commitment to its
 * circuit's fixed columns, is taken from the table compiled into this program
 * when the table holds the circuit's fingerprint; the circuit itself is still
 * built here, from the shape, and fingerprinted.  --derive-keys skips the
 * table.  The report and the JSON's "keys" member say which it was.
 *
 * Every run ends with one result (stdout: "RESULT: WORD[: reason]", or one
 * JSON object under --json):
 *   VALID       exit 0  every check held and every published value the
 *                       statement rests on (root, params digest) was given
 *                       and matched
 *   INVALID     exit 1  a check failed (a well-formed proof that is wrong)
 *   ERROR       exit 2  usage error, unreadable file, or input that is not a
 *                       proof in a format this program reads (garbled)
 *   CONSISTENT  exit 3  every check held, but some published value was not
 *                       given: only internal consistency is established
 * Subcommands live in the COMMANDS table; each gets the arguments after its name.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agg/final_proof.h"
#include "plonk/plonk_soundness.h"
#include "por/batch_proof.h"
#include "por/bundle.h"
#include "por/hex.h"
#include "por/inclusion.h"
#include "util/decimal.h"
#include "util/json.h"
#include "util/threadpool.h"

#define POR_VERIFY_VERSION "1.1"

#define EXIT_VALID 0
#define EXIT_INVALID 1
#define EXIT_ERROR 2
#define EXIT_CONSISTENT 3

/* No proof we read comes anywhere near this (a batch proof is a few hundred
 * kilobytes); the cap keeps hostile files cheap. */
#define MAX_FILE_BYTES (16u << 20)

static const char *progname = "por-verify";

/* ------------------------------------------------------------------------ */
/* The report: human lines go to `out` (stdout, or a memory stream that
 * --json turns into the "report" array); the statement and the published
 * values are also kept as JSON members for --json.  This is the program's
 * state for one run, set up by main. */

static FILE *out;
static bool json_mode;
static char *captured; /* --json: the human report */
static size_t captured_len;
static json_writer statement; /* members of the "statement" object */
static size_t statement_members;
static const char *command_name, *input_name;
static char result_reason[1024];

/* --derive-keys: every key by the setup.  keys_used: what the run's keys cost
 * and where they came from, for the JSON's "keys" member. */
static bool derive_keys;
static struct {
    unsigned total, shipped;
    double ms;
} keys_used;

/* The table keys are looked up in: none under --derive-keys. */
static const por_vk_table *key_table(void) { return derive_keys ? NULL : por_vk_table_shipped(); }

static void keys_account(unsigned total, unsigned shipped, double ms)
{
    keys_used.total += total;
    keys_used.shipped += shipped;
    keys_used.ms += ms;
}

/* A published value the result rests on: given and matched, or not given (a
 * mismatch ends the run as INVALID). */
typedef struct {
    const char *name;   /* "root", "params_digest" */
    const char *option; /* "--root", "--params-digest" */
    bool given;
    char value[65];     /* what the proof says, to compare by hand when not given */
} published_value;
static published_value published[2];
static size_t published_count;

static void put_char(int c) { fputc(c, out); }

/* Records the reason of the result and returns its exit code. */
static int conclude_with(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(result_reason, sizeof(result_reason), fmt, ap);
    va_end(ap);
    return code;
}

static int invalid(const char *reason) { return conclude_with(EXIT_INVALID, "%s", reason); }

/* The statement's members for --json; a key, then exactly one value. */
static void statement_key(const char *key)
{
    json_write_raw(&statement, statement_members++ ? ", \"" : "\"");
    json_write_raw(&statement, key);
    json_write_raw(&statement, "\": ");
}

static void statement_u64(const char *key, uint64_t v)
{
    statement_key(key);
    json_write_u64(&statement, v);
}

static void statement_string(const char *key, const char *s, size_t len)
{
    statement_key(key);
    json_write_string(&statement, s, len);
}

static void statement_digest(const char *key, const por_digest *d)
{
    char hex[65];
    por_digest_to_hex(d, hex);
    statement_string(key, hex, 64);
}

/* The batch shape (k, A, B) of a statement. */
static void statement_shape(uint32_t batch_log2, uint32_t asset_count, uint32_t balance_bits)
{
    statement_u64("batch_log2", batch_log2);
    statement_u64("asset_count", asset_count);
    statement_u64("balance_bits", balance_bits);
}

/* Notes a published value: what the proof says, and whether the user gave one (compare_published compares). */
static void note_published(const char *name, const char *option, const por_digest *value, bool given)
{
    if (published_count == sizeof(published) / sizeof(published[0]))
        abort(); /* a command compares at most these two: anything else is a bug here */
    published_value *p = &published[published_count++];
    p->name = name;
    p->option = option;
    p->given = given;
    por_digest_to_hex(value, p->value);
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
    put_char('"');
    for (size_t i = 0; i < len;) {
        uint8_t c = id[i];
        if (c < 0x20 || c == 0x7f) {
            fprintf(out, "\\x%02x", c);
            i++;
        } else if (c == '"' || c == '\\') {
            fprintf(out, "\\%c", c);
            i++;
        } else if (c < 0x80) {
            put_char(c);
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
                fprintf(out, "\\u%04x", cp);
            else
                fwrite(id + i, 1, k, out);
            i += k;
        }
    }
    put_char('"');
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
        fputs(digits, out);
        if (!(n == 1 && digits[0] == '0'))
            for (int i = 0; i < exp10; i++)
                put_char('0');
        if (min_frac > 0) {
            put_char('.');
            for (int i = 0; i < min_frac; i++)
                put_char('0');
        }
        return;
    }
    size_t frac = (size_t)-exp10;
    char buf[128];
    size_t total = n > frac ? n : frac + 1; /* at least one integer digit */
    if (total > sizeof(buf)) { /* unreachable for checked parameters (scale <= 60) */
        fputs("(out of range)", out);
        return;
    }
    size_t pad = total - n;
    memset(buf, '0', pad);
    memcpy(buf + pad, digits, n);
    size_t int_len = total - frac;
    size_t end = total; /* drop trailing zeros beyond min_frac */
    while (end > int_len + (size_t)min_frac && buf[end - 1] == '0')
        end--;
    fwrite(buf, 1, int_len, out);
    if (end > int_len) {
        put_char('.');
        fwrite(buf + int_len, 1, end - int_len, out);
    }
}

/* An amount of smallest units shown in whole asset units: "1.50000000", or "0". */
static void print_amount(uint64_t units, uint32_t decimals)
{
    char digits[21];
    u64_digits(units, digits);
    if (units == 0)
        put_char('0');
    else
        print_scaled(digits, -(int)decimals, (int)decimals);
}

static void print_digest(const por_digest *d)
{
    char hex[65];
    por_digest_to_hex(d, hex);
    fputs(hex, out);
}

/* ------------------------------------------------------------------------ */
/* Input */

/*
 * A digest given on the command line, in any of the forms people copy:
 * 64 hex digits in either case, optionally after "\x" (how psql prints a
 * bytea) or "0x".  0, or -1 if it is not a canonical digest.
 */
static int parse_digest_arg(const char *arg, por_digest *d)
{
    if ((arg[0] == '\\' && arg[1] == 'x') || (arg[0] == '0' && (arg[1] == 'x' || arg[1] == 'X')))
        arg += 2;
    char lower[65];
    size_t n = strlen(arg);
    if (n != 64)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (!isxdigit((unsigned char)arg[i]))
            return -1;
        lower[i] = (char)tolower((unsigned char)arg[i]);
    }
    return por_digest_from_hex(lower, n, d);
}

/*
 * Reads a whole file (at most MAX_FILE_BYTES).  0, or -1 with the reason in
 * why[] and *missing set if the file does not exist.
 */
static int read_input(const char *path, uint8_t **data, size_t *data_len, bool *missing, char *why, size_t why_size)
{
    *missing = false;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        *missing = errno == ENOENT;
        snprintf(why, why_size, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, len = 0;
    uint8_t *buf = malloc(cap);
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
    int rc = -1;
    if (buf == NULL)
        snprintf(why, why_size, "out of memory reading %s", path);
    else if (ferror(f))
        snprintf(why, why_size, "cannot read %s", path);
    else if (len > MAX_FILE_BYTES)
        snprintf(why, why_size, "%s is larger than 16 MiB: not a proof", path);
    else
        rc = 0;
    fclose(f);
    if (rc != 0) {
        free(buf);
        return rc;
    }
    *data = buf;
    *data_len = len;
    return 0;
}

/*
 * A binary proof saved as hex text ("\x504f5246..." as psql prints a bytea,
 * or "0x..."/bare hex with a trailing newline) is decoded in place to its
 * bytes.  Returns true if it was such text.
 */
static bool unhex_text(uint8_t *buf, size_t *len)
{
    size_t n = *len, start = 0;
    while (n > 0 && isspace(buf[n - 1]))
        n--;
    if (n >= 2 && ((buf[0] == '\\' && buf[1] == 'x') || (buf[0] == '0' && buf[1] == 'x')))
        start = 2;
    /* "PORF" in hex: anything else is not a binary proof's text */
    if (n - start < 8 || (n - start) % 2 != 0 || strncasecmp((const char *)buf + start, "504f5246", 8) != 0)
        return false;
    for (size_t i = start; i < n; i++)
        if (!isxdigit(buf[i]))
            return false;
    for (size_t i = start; i < n; i++)
        buf[i] = (uint8_t)tolower(buf[i]);
    size_t bytes = (n - start) / 2;
    if (por_hex_decode((const char *)buf + start, n - start, buf, bytes) != 0)
        return false;
    *len = bytes;
    return true;
}

/*
 * A por binary file of another kind than expected: which command reads it.
 * NULL if it is not one (then the decoder says what is wrong).
 */
static const char *other_kind(const uint8_t *buf, size_t len, unsigned expected)
{
    if (len < 6 || memcmp(buf, POR_FORMAT_MAGIC, 4) != 0 || buf[5] == expected)
        return NULL;
    return buf[5] == POR_KIND_INCLUSION ? "an inclusion proof: check it with por-verify inclusion"
           : buf[5] == POR_KIND_BATCH   ? "a batch proof: check it with por-verify batch"
           : buf[5] == POR_KIND_FINAL   ? "a final proof: check it with por-verify final"
                                        : NULL;
}

/* What a binary proof's decoder said, with the likely cause when the bytes went through a text tool. */
static int garbled(const char *what, const char *path, const char *why)
{
    return conclude_with(EXIT_ERROR,
                         "%s is not a readable %s: %s (a binary proof must be copied as bytes: a text conversion "
                         "of line endings or character sets garbles it; psql's \\x hex text is read as well)",
                         path, what, why);
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
 * Reads and decodes one batch file.  0; -1 if it cannot be read (*missing
 * set if it does not exist); -2 if it is not a readable batch proof.  The
 * reason is in reason[].
 */
static int load_batch(const char *path, por_batch_proof *bp, bool *missing, char *reason, size_t reason_size)
{
    uint8_t *buf;
    size_t len;
    memset(bp, 0, sizeof(*bp));
    if (read_input(path, &buf, &len, missing, reason, reason_size) != 0)
        return -1;
    unhex_text(buf, &len);
    const char *why = other_kind(buf, len, POR_KIND_BATCH);
    if (why != NULL) {
        snprintf(reason, reason_size, "%s is not a batch proof but %s", path, why);
        free(buf);
        return -1;
    }
    int rc = por_batch_proof_decode(buf, len, bp, &why);
    free(buf);
    if (rc != 0) {
        snprintf(reason, reason_size, "%s", why);
        return -2;
    }
    return 0;
}

/* load_batch's failures as results: unreadable or garbled is ERROR. */
static int batch_load_result(int rc, const char *path, const char *reason)
{
    return rc == -1 ? conclude_with(EXIT_ERROR, "%s", reason) : garbled("batch proof", path, reason);
}

/*
 * The proof system's parameters as the proof carries them (the cheap checks
 * have required the production configuration).
 *
 * The security these parameters give under the derived key is printed by
 * print_security once the key exists (it depends on the circuit's layout).
 */
static void print_proof_parameters(const por_plonk_proof *proof)
{
    const por_fri_params *fri = &proof->opening.params;
    fprintf(out,
            "proof parameters: PLONK over Goldilocks with FRI, circuit of 2^%u rows, rate 1/%u (blowup %u), "
            "%u queries, %u grinding bits, Merkle cap height %u\n",
            fri->degree_bits, 1u << fri->rate_bits, 1u << fri->rate_bits, fri->num_queries, fri->pow_bits,
            fri->cap_height);
    statement_key("proof_parameters");
    json_write_raw(&statement, "{\"degree_bits\": ");
    json_write_u64(&statement, fri->degree_bits);
    json_write_raw(&statement, ", \"rate_bits\": ");
    json_write_u64(&statement, fri->rate_bits);
    json_write_raw(&statement, ", \"num_queries\": ");
    json_write_u64(&statement, fri->num_queries);
    json_write_raw(&statement, ", \"pow_bits\": ");
    json_write_u64(&statement, fri->pow_bits);
    json_write_raw(&statement, ", \"cap_height\": ");
    json_write_u64(&statement, fri->cap_height);
    json_write_raw(&statement, "}");
}

/*
 * The soundness claim of proofs under vk (plonk_soundness.h, docs/security.md):
 * the conjectured figure with the conjecture it rests on, and the provable one.
 */
static void print_security(const por_plonk_vk *vk)
{
    por_soundness sec;
    if (por_plonk_soundness(vk, 0, &sec) != 0)
        return;
    char claim[256];
    por_soundness_describe(&sec, claim, sizeof(claim));
    fprintf(out, "security: %s\n", claim);
    char figures[160];
    snprintf(figures, sizeof(figures),
             "{\"conjectured_bits\": %.1f, \"provable_bits\": %.1f, \"field_bits\": %.1f, "
             "\"conjecture\": \"ethSTARK\"}",
             sec.conjectured_bits, sec.provable_bits, sec.field_bits);
    statement_key("security");
    json_write_raw(&statement, figures);
}

/*
 * The cheap checks of a decoded proof, then the key its header names, built
 * from the circuit itself; says so and how long it took.  0, or -1 with *why.
 */
static int derive_key_for(const por_batch_proof *bp, por_batch_vk *vk, const char **why)
{
    if ((*why = por_batch_proof_precheck(bp)) != NULL)
        return -1;
    fprintf(out, "header and proof shape within the verifier's cap (batch_log2 <= %u, 2^batch_log2 * assets <= %u, "
                 "circuit <= 2^%u rows) and at the production configuration\n",
            POR_BATCH_CAP_LOG2, POR_BATCH_MAX_ACCOUNT_ASSETS, POR_BATCH_CAP_DEGREE_BITS);
    print_proof_parameters(&bp->proof);
    unsigned k = bp->batch_log2, A = bp->asset_count, B = bp->balance_bits;
    fprintf(out, "deriving the verifier key for batches of 2^%u accounts, %u asset%s, balances below 2^%u, "
                 "from the batch circuit itself\n",
            k, A, A == 1 ? "" : "s", B);
    por_pool *pool = por_pool_create(0);
    double t0 = now_seconds();
    int rc = por_batch_vk_derive_for_with(bp, key_table(), pool, vk, why);
    double t1 = now_seconds();
    por_pool_destroy(pool);
    if (rc == 0) {
        keys_account(1, vk->shipped, (t1 - t0) * 1e3);
        if (vk->shipped)
            fprintf(out, "verifier key in %.3f s, shipped: the batch circuit built and fingerprinted here, the "
                         "commitment to its fixed columns from the table compiled into por-verify (--derive-keys "
                         "derives it) (circuit digest ",
                    t1 - t0);
        else
            fprintf(out, "verifier key derived in %.3f s (circuit digest ", t1 - t0);
        print_digest(&vk->vk.circuit_digest);
        fprintf(out, ", zero knowledge)\n");
        print_security(&vk->vk);
    }
    return rc;
}

/*
 * One element of a statement's per-asset array: the asset's symbol and
 * decimals when known, its column, and equity and debt as decimal strings of
 * smallest units (they exceed 2^53).
 */
static void statement_amounts(unsigned column, const por_asset *asset, const char *equity, const char *debt)
{
    json_write_raw(&statement, column ? ", {" : "{");
    if (asset != NULL) {
        json_write_raw(&statement, "\"symbol\": ");
        json_write_string(&statement, asset->symbol, strlen(asset->symbol));
        json_write_raw(&statement, ", \"decimals\": ");
        json_write_u64(&statement, asset->decimals);
        json_write_raw(&statement, ", ");
    }
    json_write_raw(&statement, "\"column\": ");
    json_write_u64(&statement, column);
    json_write_raw(&statement, ", \"equity\": \"");
    json_write_raw(&statement, equity);
    json_write_raw(&statement, "\", \"debt\": \"");
    json_write_raw(&statement, debt);
    json_write_raw(&statement, "\"}");
}

/*
 * Per-asset totals (2A: equity of asset a at [a], debt at [A + a]): by
 * symbol in whole units and smallest units when the snapshot parameters are
 * known, else by column in smallest units.
 */
static void print_totals(const unsigned __int128 *totals, uint32_t A, const por_params *pp)
{
    statement_key("totals");
    json_write_raw(&statement, "[");
    for (unsigned a = 0; a < A; a++) {
        const por_asset *asset = pp != NULL ? &pp->assets[a] : NULL;
        char eq[80], debt[80], eq_units[80], debt_units[80];
        por_units_to_decimal(totals[a], 0, eq_units, sizeof(eq_units));
        por_units_to_decimal(totals[A + a], 0, debt_units, sizeof(debt_units));
        if (asset != NULL) {
            por_units_to_decimal(totals[a], asset->decimals, eq, sizeof(eq));
            por_units_to_decimal(totals[A + a], asset->decimals, debt, sizeof(debt));
            fprintf(out, "  %s equity %s (%s) debt %s (%s)\n", asset->symbol, eq, eq_units, debt, debt_units);
        } else
            fprintf(out, "  column %u: equity %s, debt %s\n", a, eq_units, debt_units);
        statement_amounts(a, asset, eq_units, debt_units);
    }
    json_write_raw(&statement, "]");
}

/* A batch statement's totals (print_totals), with the heading saying which form they take. */
static void print_batch_totals(const por_batch_public *pub, uint32_t A, const por_params *pp)
{
    if (pp != NULL)
        fprintf(out, "totals of the batch (whole units; smallest units in brackets):\n");
    else
        fprintf(out, "totals of the batch in smallest units, by column (the batch file carries no asset symbols: "
                     "pass --params with the bundle's bundle.json or an inclusion proof of the snapshot to name "
                     "them, or check the whole bundle with por-verify bundle DIR):\n");
    unsigned __int128 totals[2 * POR_MAX_ASSETS];
    for (unsigned t = 0; t < 2 * A; t++)
        totals[t] = total_of(pub, t);
    print_totals(totals, A, pp);
}

/* The labels, the shape and the proven statement of a batch proof. */
static void print_batch_statement(const por_batch_proof *bp, const por_params *pp)
{
    const por_batch_public *pub = &bp->statement;
    fprintf(out,
            "snapshot %" PRIu64 ", batch %" PRIu64 " (accounts %" PRIu64 "..%" PRIu64 " of the tree), "
            "batch_log2 %u, %u asset%s, balances below 2^%u\n",
            bp->snapshot_id, bp->batch_no, bp->batch_no << bp->batch_log2,
            ((bp->batch_no + 1) << bp->batch_log2) - 1, bp->batch_log2, bp->asset_count,
            bp->asset_count == 1 ? "" : "s", bp->balance_bits);
    fprintf(out, "batch root ");
    print_digest(&pub->root);
    fprintf(out, "\nparams digest ");
    print_digest(&pub->params_digest);
    fprintf(out, "\n");
    statement_u64("snapshot_id", bp->snapshot_id);
    statement_u64("batch_no", bp->batch_no);
    statement_shape(bp->batch_log2, bp->asset_count, bp->balance_bits);
    statement_digest("batch_root", &pub->root);
    statement_digest("params_digest", &pub->params_digest);
    print_batch_totals(pub, bp->asset_count, pp);
}

/* Verifies a decoded batch proof under vk; prints the time.  0, or an exit code. */
static int verify_batch(const por_batch_vk *vk, const por_batch_proof *bp)
{
    const char *why = NULL;
    double t0 = now_seconds();
    int rc = por_batch_proof_verify(vk, bp, &why);
    double t1 = now_seconds();
    if (rc != 0)
        return conclude_with(EXIT_INVALID, "the batch proof does not verify: %s", why);
    fprintf(out,
            "PLONK proof verified in %.3f s: the batch's leaves hash to the batch root, every balance is "
            "below 2^%u, every account is solvent, the totals are exact, under the parameters of the digest\n",
            t1 - t0, bp->balance_bits);
    return 0;
}

/* The cheap checks, the key of the proof's own shape, and the proof under it.  0, or an exit code. */
static int verify_batch_alone(const por_batch_proof *bp)
{
    por_batch_vk vk;
    const char *why = NULL;
    if (derive_key_for(bp, &vk, &why) != 0)
        return conclude_with(EXIT_INVALID, "no verifier key for this batch proof: %s", why);
    int rc = verify_batch(&vk, bp);
    por_batch_vk_free(&vk);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Options shared by the commands */

/* The arguments of the command being run, for usage errors (set by main). */
static const char *command_usage = "";

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "%s: %s%s%s\n", progname, msg, arg ? ": " : "", arg ? arg : "");
    fprintf(stderr, "usage: %s %s\n", progname, command_usage);
    return conclude_with(EXIT_ERROR, "usage: %s%s%s", msg, arg ? ": " : "", arg ? arg : "");
}

typedef struct {
    const char *file;          /* the one positional argument */
    const char *batch_file;    /* --batch */
    const char *params_file;   /* --params */
    const char *final_file;    /* --final */
    por_digest root, params_digest;
    bool have_root, have_params_digest;
} options;

/*
 * Parses a command's arguments: one positional argument and the options the
 * command allows (a string of letters: r --root, d --params-digest,
 * b --batch, p --params, f --final).  0, or an exit code (usage error reported).
 */
static int parse_options(int argc, char **argv, const char *allowed, const char *what, options *o)
{
    memset(o, 0, sizeof(*o));
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        char letter = strcmp(a, "--root") == 0            ? 'r'
                      : strcmp(a, "--params-digest") == 0 ? 'd'
                      : strcmp(a, "--batch") == 0         ? 'b'
                      : strcmp(a, "--params") == 0        ? 'p'
                      : strcmp(a, "--final") == 0         ? 'f'
                                                          : 0;
        if (letter != 0 && strchr(allowed, letter) != NULL) {
            if (i + 1 >= argc)
                return usage_error("missing value after", a);
            const char *v = argv[++i];
            if (letter == 'r' || letter == 'd') {
                bool *have = letter == 'r' ? &o->have_root : &o->have_params_digest;
                if (*have)
                    return usage_error("option given twice", a);
                if (parse_digest_arg(v, letter == 'r' ? &o->root : &o->params_digest) != 0)
                    return usage_error("not a digest (64 hex digits, optionally after \\x or 0x)", v);
                *have = true;
            } else {
                const char **slot = letter == 'b' ? &o->batch_file : letter == 'f' ? &o->final_file : &o->params_file;
                if (*slot != NULL)
                    return usage_error("option given twice", a);
                *slot = v;
            }
        } else if (a[0] == '-' && a[1] != '\0')
            return usage_error("unknown option", a);
        else if (o->file == NULL)
            o->file = a;
        else
            return usage_error("more than one argument", a);
    }
    if (o->file == NULL)
        return usage_error(what, NULL);
    input_name = o->file;
    return 0;
}

/* A published value against what the proof says: noted, and a mismatch is INVALID.  0, or an exit code. */
static int compare_published(const char *name, const char *option, const char *words, const por_digest *proven,
                             bool given, const por_digest *given_value)
{
    note_published(name, option, proven, given);
    if (!given)
        return 0;
    if (memcmp(proven, given_value, sizeof(*proven)) != 0)
        return conclude_with(EXIT_INVALID, "the %s is not the published one given with %s", words, option);
    fprintf(out, "%s matches the given %s\n", words, option);
    return 0;
}

/* VALID if every published value was given (and so matched), else CONSISTENT. */
static int all_checks_held(void)
{
    for (size_t i = 0; i < published_count; i++)
        if (!published[i].given)
            return conclude_with(EXIT_CONSISTENT, "internally consistent, but not every published value was given "
                                                  "to compare (see \"published\")");
    return EXIT_VALID;
}

/* ------------------------------------------------------------------------ */
/* inclusion */

/*
 * Decodes an inclusion proof in any encoding por writes: binary, the same as
 * hex text, or JSON; announce: say which.  0, or an exit code (ERROR: not
 * a readable proof).
 */
static int load_inclusion(const char *path, por_inclusion *proof, bool announce)
{
    uint8_t *buf;
    size_t len;
    bool missing;
    char reason[512];
    if (read_input(path, &buf, &len, &missing, reason, sizeof(reason)) != 0)
        return conclude_with(EXIT_ERROR, "%s", reason);
    bool hex = unhex_text(buf, &len);
    bool binary = len >= 4 && memcmp(buf, POR_FORMAT_MAGIC, 4) == 0;
    size_t first = 0;
    while (first < len && isspace(buf[first]))
        first++;
    const char *why = other_kind(buf, len, POR_KIND_INCLUSION);
    int rc;
    if (why != NULL)
        rc = conclude_with(EXIT_ERROR, "%s is not an inclusion proof but %s", path, why);
    else if (binary) {
        if (announce)
            fprintf(out, "inclusion proof %s (binary encoding%s)\n", path, hex ? ", as hex text" : "");
        rc = por_inclusion_decode(buf, len, proof, &why) != 0 ? garbled("inclusion proof", path, why) : 0;
    } else if (first < len && buf[first] == '{') {
        if (announce)
            fprintf(out, "inclusion proof %s (JSON encoding)\n", path);
        rc = por_inclusion_from_json((const char *)buf, len, proof, &why) != 0
                 ? conclude_with(EXIT_ERROR, "%s is not a readable inclusion proof: %s", path, why)
                 : 0;
    } else
        rc = conclude_with(EXIT_ERROR,
                           "%s is not an inclusion proof: neither the binary encoding (starting with PORF) nor JSON",
                           path);
    free(buf);
    return rc;
}

/*
 * --batch for an inclusion proof: the account's leaf is in the batch that
 * batch proof covers.  Ties them by the level-k node of the path (which the
 * batch proof proves as its root), the params digest, the batch number and
 * the snapshot id.  0, or an exit code.
 */
static int check_inclusion_batch(const por_inclusion *p, const char *batch_file)
{
    const por_params *pp = &p->params;
    por_batch_proof bp;
    char reason[512];
    bool missing;
    fprintf(out, "batch proof %s\n", batch_file);
    int rc = load_batch(batch_file, &bp, &missing, reason, sizeof(reason));
    if (rc != 0)
        return batch_load_result(rc, batch_file, reason);
    uint64_t batch = p->leaf_index >> pp->batch_log2;
    por_digest node, params_digest;
    por_inclusion_batch_root(p, &node);
    por_params_digest(pp, &params_digest);
    bool same_params = bp.asset_count == pp->asset_count &&
                       memcmp(&bp.statement.params_digest, &params_digest, sizeof(params_digest)) == 0;
    statement_key("batch");
    json_write_raw(&statement, "{");
    size_t outer_members = statement_members;
    statement_members = 0;
    print_batch_statement(&bp, same_params ? pp : NULL); /* the snapshot's symbols name its columns */
    json_write_raw(&statement, "}");
    statement_members = outer_members;
    const char *bad = NULL;
    if (bp.snapshot_id != pp->snapshot_id)
        bad = "the batch proof is labelled with another snapshot id than the inclusion proof";
    else if (bp.batch_no != batch)
        bad = "the batch proof is not for the account's batch (leaf_index >> batch_log2)";
    else if (bp.batch_log2 != pp->batch_log2 || bp.asset_count != pp->asset_count ||
             bp.balance_bits != pp->balance_bits)
        bad = "the batch proof's shape is not the snapshot's";
    else if (!same_params)
        bad = "the batch proof's params digest is not the inclusion proof's";
    else if (memcmp(&bp.statement.root, &node, sizeof(node)) != 0)
        bad = "the batch proof's root is not the node at level batch_log2 of the account's path";
    if (bad != NULL) {
        por_batch_proof_free(&bp);
        return invalid(bad);
    }
    fprintf(out,
            "the batch proof is for snapshot %" PRIu64 ", batch %" PRIu64 " (the account's), with the same "
            "params digest, and its root is the node at level %u of the account's path\n",
            bp.snapshot_id, bp.batch_no, pp->batch_log2);
    rc = verify_batch_alone(&bp);
    por_batch_proof_free(&bp);
    return rc;
}

static int load_final(const char *path, por_final_proof *fp);
static int verify_final(const por_final_proof *fp);
static int load_params(const char *path, por_params *pp);
static int parse_options_params(int argc, char **argv, const char *allowed, const char *what, options *o,
                                por_params *params);

/*
 * --final for an inclusion proof: the account's path leads to the final
 * proof's root and the account's parameters hash to its params digest (so
 * the leaf count and shape are the same), then the final proof verifies.
 * The final proof is the published file, so its root and digest count as
 * the published values (cmd_inclusion).  0, or an exit code.
 */
static int check_inclusion_final(const por_inclusion *p, const por_digest *params_digest, const char *final_file)
{
    por_final_proof fp;
    fprintf(out, "final proof %s\n", final_file);
    int rc = load_final(final_file, &fp);
    if (rc != 0)
        return rc;
    const por_agg_public *st = &fp.statement;
    if (memcmp(&st->node.root, &p->root, sizeof(p->root)) != 0)
        rc = invalid("the account's path does not lead to the final proof's root (another snapshot, or not included)");
    else if (memcmp(&st->node.params_digest, params_digest, sizeof(*params_digest)) != 0)
        rc = invalid("the account's parameters do not hash to the final proof's params digest");
    else if (st->leaf_count != p->params.leaf_count || fp.shape.asset_count != p->params.asset_count ||
             fp.shape.batch_log2 != p->params.batch_log2 || fp.shape.balance_bits != p->params.balance_bits)
        rc = invalid("the final proof's shape or leaf count is not the account's snapshot's");
    if (rc == 0) {
        fprintf(out, "the account's path leads to the final proof's root and its parameters hash to the final "
                     "proof's params digest\n");
        rc = verify_final(&fp);
    }
    por_final_proof_free(&fp);
    return rc;
}

static void print_claims(const por_inclusion *p)
{
    const por_params *pp = &p->params;
    char time[28];
    if (json_time_format(pp->snapshot_time_us, time) != 0)
        strcpy(time, "(time out of range)");
    fprintf(out, "account ");
    print_account_id(p->account_id, p->account_id_len);
    fprintf(out, " (leaf %" PRIu64 " of %" PRIu64 "), snapshot %" PRIu64 " taken %s\n", p->leaf_index,
            pp->leaf_count, pp->snapshot_id, time);
    fprintf(out, "balances (each asset: equity, debt, price of one whole unit, collateral haircut):\n");
    statement_string("account_id", (const char *)p->account_id, p->account_id_len);
    statement_u64("leaf_index", p->leaf_index);
    statement_u64("leaf_count", pp->leaf_count);
    statement_u64("snapshot_id", pp->snapshot_id);
    statement_string("snapshot_time", time, strlen(time));
    statement_key("balances");
    json_write_raw(&statement, "[");
    for (uint32_t a = 0; a < pp->asset_count; a++) {
        const por_asset *asset = &pp->assets[a];
        char price[21];
        u64_digits(asset->price_units, price);
        fprintf(out, "  %s equity ", asset->symbol);
        print_amount(p->equity[a], asset->decimals);
        fprintf(out, " debt ");
        print_amount(p->debt[a], asset->decimals);
        fprintf(out, " (price ");
        print_scaled(price, (int)asset->decimals - (int)pp->price_scale, 0);
        fprintf(out, " USD, counts %u%% as collateral)\n", asset->haircut);
        char equity[21], debt[21];
        u64_digits(p->equity[a], equity);
        u64_digits(p->debt[a], debt);
        statement_amounts(a, asset, equity, debt);
    }
    json_write_raw(&statement, "]");
}

/*
 * Recomputes each step on its own so the report can say which one holds,
 * then defers to por_inclusion_verify for the verdict, so the program and
 * the library can never disagree.
 */
static int cmd_inclusion(int argc, char **argv)
{
    options o;
    int rc = parse_options(argc, argv, "rdbf", "no proof file given", &o);
    if (rc != 0)
        return rc;
    por_inclusion proof;
    memset(&proof, 0, sizeof(proof));
    if ((rc = load_inclusion(o.file, &proof, true)) != 0)
        return rc;
    print_claims(&proof);

    const por_params *pp = &proof.params;
    unsigned depth = por_tree_depth(pp->leaf_count);
    por_digest commitment, leaf, root, params_digest;
    const char *why = NULL;
    por_params_digest(pp, &params_digest);
    por_id_commitment(proof.account_id, proof.account_id_len, proof.salt, &commitment);
    fprintf(out, "id commitment recomputed from the account id and the salt\n");
    por_leaf_hash(&commitment, proof.equity, proof.debt, pp->asset_count, &leaf);
    fprintf(out,
            "leaf hash recomputed from the id commitment and the balances of %u asset%s "
            "(each checked below 2^%u)\n",
            pp->asset_count, pp->asset_count == 1 ? "" : "s", pp->balance_bits);
    por_tree_root_from_path(&leaf, proof.leaf_index, pp->leaf_count, proof.siblings, &root);
    fprintf(out, "path of %u sibling hash%s leads to root ", depth, depth == 1 ? "" : "es");
    print_digest(&root);
    fprintf(out, "\n");
    statement_digest("root", &proof.root);
    statement_digest("params_digest", &params_digest);

    if (por_inclusion_verify(&proof, NULL, &why) != 0) {
        rc = invalid(why);
        goto out;
    }
    fprintf(out, "the proof's root equals the recomputed root; the account is solvent under the "
                 "snapshot's prices and haircuts\n");
    fprintf(out, "snapshot parameters digest ");
    print_digest(&params_digest);
    fprintf(out, " (binds prices, haircuts, decimals, time, tree size)\n");
    const char *root_option = "--root", *digest_option = "--params-digest";
    if (o.final_file != NULL) {
        if ((rc = check_inclusion_final(&proof, &params_digest, o.final_file)) != 0)
            goto out;
        /* the verified final proof is the published root and digest, unless given as well */
        if (!o.have_root)
            o.root = proof.root, o.have_root = true, root_option = "--final";
        if (!o.have_params_digest)
            o.params_digest = params_digest, o.have_params_digest = true, digest_option = "--final";
    }
    if ((rc = compare_published("root", root_option, "root", &proof.root, o.have_root, &o.root)) != 0 ||
        (rc = compare_published("params_digest", digest_option, "parameters digest", &params_digest,
                                o.have_params_digest, &o.params_digest)) != 0)
        goto out;
    if (o.batch_file != NULL && (rc = check_inclusion_batch(&proof, o.batch_file)) != 0)
        goto out;
    rc = all_checks_held();
out:
    por_inclusion_free(&proof);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* final */

/* Reads and decodes a final proof.  0, or an exit code (ERROR: unreadable or garbled). */
static int load_final(const char *path, por_final_proof *fp)
{
    uint8_t *buf;
    size_t len;
    bool missing;
    char reason[512];
    memset(fp, 0, sizeof(*fp));
    if (read_input(path, &buf, &len, &missing, reason, sizeof(reason)) != 0)
        return conclude_with(EXIT_ERROR, "%s", reason);
    unhex_text(buf, &len);
    const char *why = other_kind(buf, len, POR_KIND_FINAL);
    int rc = 0;
    if (why != NULL)
        rc = conclude_with(EXIT_ERROR, "%s is not a final proof but %s", path, why);
    else if (por_final_proof_decode(buf, len, fp, &why) != 0)
        rc = garbled("final proof", path, why);
    free(buf);
    return rc;
}

/* The shape and the proven statement of a final proof, totals by symbol if pp is the snapshot's. */
static void print_final_statement(const por_final_proof *fp, const por_params *pp)
{
    const por_agg_public *st = &fp->statement;
    const por_agg_shape *sh = &fp->shape;
    uint64_t batches = por_agg_batch_count(st->leaf_count, sh->batch_log2);
    fprintf(out,
            "final proof of a snapshot of %" PRIu64 " leaves (padding included) in %" PRIu64 " batch%s of 2^%u, "
            "%u asset%s, balances below 2^%u; %u aggregation level%s of fan-in %u\n",
            st->leaf_count, batches, batches == 1 ? "" : "es", sh->batch_log2, sh->asset_count,
            sh->asset_count == 1 ? "" : "s", sh->balance_bits, fp->levels, fp->levels == 1 ? "" : "s",
            1u << sh->fan_in_log2);
    fprintf(out, "root ");
    print_digest(&st->node.root);
    fprintf(out, "\nparams digest ");
    print_digest(&st->node.params_digest);
    fprintf(out, "\n");
    statement_shape(sh->batch_log2, sh->asset_count, sh->balance_bits);
    statement_u64("fan_in", 1u << sh->fan_in_log2);
    statement_u64("levels", fp->levels);
    statement_u64("leaf_count", st->leaf_count);
    statement_u64("batches", batches);
    statement_digest("root", &st->node.root);
    statement_digest("params_digest", &st->node.params_digest);
    if (pp != NULL)
        fprintf(out, "totals of the snapshot (whole units; smallest units in brackets):\n");
    else
        fprintf(out, "totals of the snapshot in smallest units, by column (pass --params with the bundle's "
                     "bundle.json or an inclusion proof of the snapshot to name them):\n");
    unsigned __int128 totals[2 * POR_MAX_ASSETS];
    for (unsigned t = 0; t < 2 * sh->asset_count; t++)
        totals[t] = total_of(&st->node, t);
    print_totals(totals, sh->asset_count, pp);
}

/*
 * The cheap checks, every key derived from the circuits (timed), the
 * security of the compression key (the published proof's), and the proof
 * under it.  0, or an exit code.
 */
static int verify_final(const por_final_proof *fp)
{
    const char *why = por_final_proof_precheck(fp);
    if (why != NULL)
        return conclude_with(EXIT_INVALID, "the final proof fails the cheap checks: %s", why);
    fprintf(out, "header within the verifier's cap (batch shape as for batch proofs, at most %u levels), the levels "
                 "are those of the leaf count, the proof is of the top node, at the compression configuration\n",
            POR_FINAL_CAP_LEVELS);
    print_proof_parameters(&fp->proof);
    fprintf(out, "deriving the verifier keys from the circuits themselves: the batch circuit, then aggregation "
                 "levels 1..%u, each pinning the key below, then the compression circuit pinning level %u's\n",
            fp->levels, fp->levels);
    por_pool *pool = por_pool_create(0);
    por_agg_keys keys;
    int rc = por_agg_keys_derive_with(&fp->shape, fp->levels, false, NULL, key_table(), pool, &keys, &why);
    por_pool_destroy(pool);
    if (rc != 0)
        return conclude_with(EXIT_INVALID, "no verifier keys for this final proof: %s", why);
    keys_account(fp->levels + 2, keys.shipped, keys.derive_ms);
    if (keys.shipped == 0)
        fprintf(out, "verifier keys derived in %.3f s (compression circuit digest ", keys.derive_ms / 1e3);
    else
        fprintf(out, "verifier keys in %.3f s, %u of %u shipped: every circuit built and fingerprinted here, the "
                     "commitments to their fixed columns from the table compiled into por-verify, the rest derived "
                     "(--derive-keys derives all) (compression circuit digest ",
                keys.derive_ms / 1e3, keys.shipped, fp->levels + 2);
    print_digest(&keys.compress_vk.circuit_digest);
    fprintf(out, ", zero knowledge)\n");
    statement_key("key_derivation_ms");
    json_write_u64(&statement, (uint64_t)(keys.derive_ms + 0.5));
    print_security(&keys.compress_vk);
    double t0 = now_seconds();
    rc = por_final_verify(fp, &keys, NULL, NULL, &why);
    double t1 = now_seconds();
    por_agg_keys_free(&keys);
    if (rc != 0)
        return conclude_with(EXIT_INVALID, "the final proof does not verify: %s", why);
    fprintf(out,
            "PLONK proof verified in %.3f s: it proves the top aggregation proof verifies (node 0), so every "
            "batch of the snapshot was proven (leaves hash to its root, "
            "balances below 2^%u, every account solvent, exact totals) under the parameters of the digest, "
            "the batch roots hash to the root as the account tree does, and the totals are their exact sums\n",
            t1 - t0, fp->shape.balance_bits);
    return 0;
}

static int cmd_final(int argc, char **argv)
{
    options o;
    por_params params;
    int rc = parse_options_params(argc, argv, "rdp", "no final proof file given", &o, &params);
    if (rc != 0)
        return rc;
    por_final_proof fp;
    fprintf(out, "final proof %s\n", o.file);
    if ((rc = load_final(o.file, &fp)) != 0) {
        free(params.assets);
        return rc;
    }
    const por_params *pp = o.params_file != NULL ? &params : NULL;
    if (pp != NULL) {
        por_digest d;
        por_params_digest(pp, &d);
        if (memcmp(&d, &fp.statement.node.params_digest, sizeof(d)) != 0 || pp->asset_count != fp.shape.asset_count) {
            print_final_statement(&fp, NULL);
            rc = conclude_with(EXIT_INVALID, "the final proof's params digest is not that of the parameters in %s",
                               o.params_file);
            goto out;
        }
        char time[28];
        if (json_time_format(pp->snapshot_time_us, time) != 0)
            strcpy(time, "(time out of range)");
        fprintf(out, "parameters (their digest is the proof's): snapshot %" PRIu64 " taken %s, prices in 10^-%u USD\n",
                pp->snapshot_id, time, pp->price_scale);
    }
    print_final_statement(&fp, pp);
    if ((rc = verify_final(&fp)) != 0)
        goto out;
    if ((rc = compare_published("root", "--root", "root", &fp.statement.node.root, o.have_root, &o.root)) != 0 ||
        (rc = compare_published("params_digest", "--params-digest", "parameters digest",
                                &fp.statement.node.params_digest, o.have_params_digest, &o.params_digest)) != 0)
        goto out;
    rc = all_checks_held();
out:
    free(params.assets);
    por_final_proof_free(&fp);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* batch */

/*
 * --params FILE: the snapshot parameters from a bundle manifest or an
 * inclusion proof of the snapshot (any encoding), to name a batch's assets.
 * *pp owns its assets on success.  0, or an exit code (ERROR: unreadable).
 */
static int load_params(const char *path, por_params *pp)
{
    uint8_t *buf;
    size_t len;
    bool missing;
    char reason[512];
    if (read_input(path, &buf, &len, &missing, reason, sizeof(reason)) != 0)
        return conclude_with(EXIT_ERROR, "--params: %s", reason);
    por_bundle_manifest m;
    const char *why_manifest = NULL;
    int rc = por_bundle_manifest_from_json((const char *)buf, len, &m, &why_manifest);
    free(buf);
    if (rc == 0) {
        *pp = m.params;
        m.params.assets = NULL;
        por_bundle_manifest_free(&m);
        fprintf(out, "asset symbols from the bundle manifest %s\n", path);
        return 0;
    }
    por_inclusion proof;
    memset(&proof, 0, sizeof(proof));
    if (load_inclusion(path, &proof, false) != 0) {
        char why_inclusion[sizeof(result_reason)];
        snprintf(why_inclusion, sizeof(why_inclusion), "%s", result_reason);
        return conclude_with(EXIT_ERROR, "--params %s is neither a bundle manifest (%s) nor an inclusion proof (%s)",
                             path, why_manifest, why_inclusion);
    }
    *pp = proof.params;
    proof.params.assets = NULL;
    por_inclusion_free(&proof);
    fprintf(out, "asset symbols from the inclusion proof %s\n", path);
    return 0;
}

/* parse_options, then --params if given (*params zeroed otherwise).  0, or an exit code. */
static int parse_options_params(int argc, char **argv, const char *allowed, const char *what, options *o,
                                por_params *params)
{
    memset(params, 0, sizeof(*params));
    int rc = parse_options(argc, argv, allowed, what, o);
    if (rc == 0 && o->params_file != NULL)
        rc = load_params(o->params_file, params);
    return rc;
}

static int cmd_batch(int argc, char **argv)
{
    options o;
    por_params params;
    int rc = parse_options_params(argc, argv, "dp", "no batch proof file given", &o, &params);
    if (rc != 0)
        return rc;
    por_batch_proof bp;
    char reason[512];
    bool missing;
    fprintf(out, "batch proof %s\n", o.file);
    rc = load_batch(o.file, &bp, &missing, reason, sizeof(reason));
    if (rc != 0) {
        free(params.assets);
        return batch_load_result(rc, o.file, reason);
    }
    const por_params *pp = o.params_file != NULL ? &params : NULL;
    if (pp != NULL) {
        /* the parameters name the columns only if they are this batch's: the digest says so */
        por_digest d;
        por_params_digest(pp, &d);
        if (memcmp(&d, &bp.statement.params_digest, sizeof(d)) != 0 || pp->asset_count != bp.asset_count) {
            print_batch_statement(&bp, NULL);
            rc = conclude_with(EXIT_INVALID, "the batch proof's params digest is not that of the parameters in %s",
                               o.params_file);
            goto out;
        }
    }
    print_batch_statement(&bp, pp);
    if ((rc = verify_batch_alone(&bp)) != 0)
        goto out;
    if ((rc = compare_published("params_digest", "--params-digest", "parameters digest", &bp.statement.params_digest,
                                o.have_params_digest, &o.params_digest)) != 0)
        goto out;
    fprintf(out, "the snapshot id and the batch number are labels the proof does not bind: the params digest "
                 "binds the snapshot; check the batch root against the bundle's tree (por-verify bundle)\n");
    rc = all_checks_held();
out:
    free(params.assets);
    por_batch_proof_free(&bp);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* bundle */

/* Joins DIR and a file name into buf; -1 if it does not fit. */
static int join_path(char *buf, size_t size, const char *dir, const char *name)
{
    int n = snprintf(buf, size, "%s/%s", dir, name);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* The manifest's statement: snapshot, shape, root, params digest. */
static void print_manifest(const por_bundle_manifest *m)
{
    const por_params *pp = &m->params;
    char time[28];
    if (json_time_format(pp->snapshot_time_us, time) != 0)
        strcpy(time, "(time out of range)");
    fprintf(out,
            "snapshot %" PRIu64 " taken %s: %" PRIu64 " leaves in %" PRIu64 " batch%s of 2^%u, %u asset%s, "
            "balances below 2^%u\n",
            pp->snapshot_id, time, pp->leaf_count, m->batch_count, m->batch_count == 1 ? "" : "es", pp->batch_log2,
            pp->asset_count, pp->asset_count == 1 ? "" : "s", pp->balance_bits);
    fprintf(out, "root ");
    print_digest(&m->root);
    fprintf(out, "\nparams digest ");
    print_digest(&m->params_digest);
    fprintf(out, " (recomputed from the manifest's parameters)\n");
    statement_u64("snapshot_id", pp->snapshot_id);
    statement_string("snapshot_time", time, strlen(time));
    statement_u64("leaf_count", pp->leaf_count);
    statement_u64("batch_count", m->batch_count);
    statement_shape(pp->batch_log2, pp->asset_count, pp->balance_bits);
    statement_digest("root", &m->root);
    statement_digest("params_digest", &m->params_digest);
}

/*
 * Reads batch files 0 .. batch_count - 1 of dir, and requires that there is
 * none past them.  0, or an exit code (missing or extra file: INVALID;
 * unreadable or garbled: ERROR).
 */
static int load_bundle_batches(const char *dir, uint64_t batch_count, por_batch_proof *proofs)
{
    char path[4096], reason[512], name[64];
    bool missing;
    for (uint64_t i = 0; i < batch_count; i++) {
        snprintf(name, sizeof(name), POR_BUNDLE_BATCH_FILE_FMT, i);
        if (join_path(path, sizeof(path), dir, name) != 0)
            return usage_error("directory name too long", dir);
        int rc = load_batch(path, &proofs[i], &missing, reason, sizeof(reason));
        if (rc == -1 && missing)
            return conclude_with(EXIT_INVALID, "batch file %s is missing", name);
        if (rc != 0)
            return batch_load_result(rc, path, reason);
    }
    snprintf(name, sizeof(name), POR_BUNDLE_BATCH_FILE_FMT, batch_count);
    FILE *extra = join_path(path, sizeof(path), dir, name) == 0 ? fopen(path, "rb") : NULL;
    if (extra != NULL) {
        fclose(extra);
        return conclude_with(EXIT_INVALID, "batch file %s is beyond the manifest's %" PRIu64 " batches", name,
                             batch_count);
    }
    fprintf(out, "read %" PRIu64 " batch proof file%s\n", batch_count, batch_count == 1 ? "" : "s");
    return 0;
}

static int cmd_bundle(int argc, char **argv)
{
    options o;
    int rc = parse_options(argc, argv, "rd", "no bundle directory given", &o);
    if (rc != 0)
        return rc;
    const char *dir = o.file;
    char path[4096], reason[512];
    if (join_path(path, sizeof(path), dir, POR_BUNDLE_MANIFEST) != 0)
        return usage_error("directory name too long", dir);
    uint8_t *buf;
    size_t len;
    bool missing;
    fprintf(out, "bundle %s\n", dir);
    if (read_input(path, &buf, &len, &missing, reason, sizeof(reason)) != 0)
        return conclude_with(EXIT_ERROR, "%s", reason);
    por_bundle_manifest m;
    const char *why = NULL;
    rc = por_bundle_manifest_from_json((const char *)buf, len, &m, &why);
    free(buf);
    if (rc != 0)
        return conclude_with(EXIT_ERROR, "%s is not a readable bundle manifest: %s", path, why);
    const por_params *pp = &m.params;
    print_manifest(&m);
    /* the shape alone decides whether the files are worth reading */
    if ((why = por_batch_shape_check(pp->batch_log2, pp->asset_count, pp->balance_bits)) != NULL) {
        por_bundle_manifest_free(&m);
        return conclude_with(EXIT_INVALID, "the manifest's batch shape is refused before anything is read: %s", why);
    }
    por_batch_proof *proofs = calloc(m.batch_count, sizeof(*proofs));
    unsigned __int128 *totals = calloc(2 * (size_t)pp->asset_count, sizeof(*totals));
    por_batch_vk vk;
    memset(&vk, 0, sizeof(vk));
    if (proofs == NULL || totals == NULL) {
        rc = conclude_with(EXIT_ERROR, "out of memory for %" PRIu64 " batch proofs", m.batch_count);
        goto out;
    }
    if ((rc = load_bundle_batches(dir, m.batch_count, proofs)) != 0)
        goto out;
    /* labels, shapes, digests and each proof's configuration before the key costs anything */
    if (por_bundle_precheck(&m, proofs, m.batch_count, &why) != 0) {
        rc = invalid(why);
        goto out;
    }
    fprintf(out, "every batch file is labelled with its batch number and the snapshot id, has the snapshot's shape "
                 "and params digest\n");
    if (derive_key_for(&proofs[0], &vk, &why) != 0) {
        rc = conclude_with(EXIT_INVALID, "no verifier key for the bundle's batch proofs: %s", why);
        goto out;
    }
    double t0 = now_seconds();
    rc = por_bundle_check(&m, &vk, proofs, m.batch_count, totals, &why);
    double t1 = now_seconds();
    if (rc != 0) {
        rc = invalid(why);
        goto out;
    }
    fprintf(out,
            "verified %" PRIu64 " batch proof%s in %.3f s: each verifies; the tree over their batch roots "
            "gives the root above; their totals add up to the manifest's\n",
            m.batch_count, m.batch_count == 1 ? "" : "s", t1 - t0);
    fprintf(out, "proven totals (whole units; smallest units in brackets):\n");
    print_totals(totals, pp->asset_count, pp);
    if ((rc = compare_published("root", "--root", "root", &m.root, o.have_root, &o.root)) != 0 ||
        (rc = compare_published("params_digest", "--params-digest", "parameters digest", &m.params_digest,
                                o.have_params_digest, &o.params_digest)) != 0)
        goto out;
    fprintf(out, "customers check their inclusion proofs against this root\n");
    rc = all_checks_held();
out:
    por_batch_vk_free(&vk);
    for (uint64_t i = 0; proofs != NULL && i < m.batch_count; i++)
        por_batch_proof_free(&proofs[i]);
    free(proofs);
    free(totals);
    por_bundle_manifest_free(&m);
    return rc;
}

/* ------------------------------------------------------------------------ */

static const struct command {
    const char *name;
    const char *args;
    const char *what;
    int (*run)(int argc, char **argv);
} COMMANDS[] = {
    {"inclusion", "FILE [--root HEX] [--params-digest HEX] [--batch BATCHFILE] [--final FINALFILE]",
     "check that an account with exactly these balances is a leaf of the tree (binary, hex text or JSON proof);\n"
     "      with --batch, also that the batch proof of its batch verifies and proves its batch root;\n"
     "      with --final, that its path leads to the final proof's root, its parameters hash to the final\n"
     "      proof's params digest, and the final proof verifies",
     cmd_inclusion},
    {"batch", "FILE [--params FILE] [--params-digest HEX]",
     "verify one batch proof and print its statement (batch root, params digest, totals); --params names\n"
     "      the assets from the bundle's bundle.json or an inclusion proof of the snapshot",
     cmd_batch},
    {"bundle", "DIR [--root HEX] [--params-digest HEX]",
     "verify a snapshot's bundle: every batch proof, the root over them and the per-asset totals", cmd_bundle},
    {"final", "FILE [--params FILE] [--root HEX] [--params-digest HEX]",
     "verify a snapshot's final proof with every key derived from the circuits (shipped commitments\n"
     "      for known circuits unless --derive-keys), and print its statement\n"
     "      (root, params digest, leaf count, per-asset totals; --params names the assets)",
     cmd_final},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: %s [--json] [--derive-keys] COMMAND ARGS\n       %s --version | --help\ncommands:\n", progname,
            progname);
    for (size_t i = 0; i < sizeof(COMMANDS) / sizeof(COMMANDS[0]); i++)
        fprintf(f, "  %s %s\n      %s\n", COMMANDS[i].name, COMMANDS[i].args, COMMANDS[i].what);
    fprintf(f, "HEX: a digest as 64 hex digits, either case, optionally after \\x (as psql prints bytea) or 0x\n"
               "--json: one JSON object on stdout instead of the report (docs/por-verify.md)\n"
               "--derive-keys: derive every verifier key by preprocessing its circuit, instead of taking the\n"
               "      commitment of a circuit whose fingerprint is in the table compiled into por-verify\n"
               "exit status: 0 VALID (every check held, root and params digest compared with the given ones),\n"
               "             1 INVALID, 2 ERROR (usage, unreadable or garbled input),\n"
               "             3 CONSISTENT (every check held, but not every published value was given to compare)\n");
}

/* The tool's version and the format versions it reads. */
static void version(void)
{
    if (json_mode) {
        printf("{\"tool\": \"por-verify\", \"version\": \"" POR_VERIFY_VERSION "\", \"reads\": {"
               "\"inclusion_proof_binary\": %d, \"inclusion_proof_json\": %d, \"batch_proof\": %d, "
               "\"plonk_proof\": %d, \"final_proof\": %d, \"bundle_manifest\": %d, \"params_digest\": %d}}\n",
               POR_FORMAT_VERSION, POR_FORMAT_VERSION, POR_FORMAT_VERSION, POR_PLONK_VERSION, POR_FINAL_FORMAT_VERSION,
               POR_BUNDLE_VERSION, POR_PARAMS_DIGEST_VERSION);
        return;
    }
    printf("por-verify " POR_VERIFY_VERSION "\n"
           "reads: inclusion proofs (binary PORF version %d kind %d, JSON version %d), batch proofs (PORF version %d "
           "kind %d, PLONK proof version %d), final proofs (PORF version %d kind %d), bundle manifests (version %d); "
           "params digest encoding version %d\n",
           POR_FORMAT_VERSION, POR_KIND_INCLUSION, POR_FORMAT_VERSION, POR_FORMAT_VERSION, POR_KIND_BATCH,
           POR_PLONK_VERSION, POR_FINAL_FORMAT_VERSION, POR_KIND_FINAL, POR_BUNDLE_VERSION, POR_PARAMS_DIGEST_VERSION);
}

static const char *result_word(int code)
{
    switch (code) {
    case EXIT_VALID:
        return "VALID";
    case EXIT_INVALID:
        return "INVALID";
    case EXIT_CONSISTENT:
        return "CONSISTENT";
    default:
        return "ERROR";
    }
}

/* For CONSISTENT: which published values to compare, and how. */
static void explain_unchecked(FILE *f)
{
    fprintf(f, "RESULT: CONSISTENT: internally consistent, but not compared with the published");
    const char *sep = " ";
    for (size_t i = 0; i < published_count; i++)
        if (!published[i].given) {
            fprintf(f, "%s%s (%s %s)", sep, published[i].name, published[i].option, published[i].value);
            sep = ", ";
        }
    fprintf(f, ": compare with the values the exchange published, or pass them with those options\n");
}

/* The run's one result: the RESULT line, or under --json the whole object. */
static void print_result(int code)
{
    if (!json_mode) {
        if (code == EXIT_CONSISTENT)
            explain_unchecked(stdout);
        else if (code == EXIT_VALID)
            printf("RESULT: VALID\n");
        else
            printf("RESULT: %s: %s\n", result_word(code), result_reason);
        return;
    }
    json_writer w;
    json_writer_init(&w);
    json_write_raw(&w, "{\"tool\": \"por-verify\", \"version\": \"" POR_VERIFY_VERSION "\", \"command\": ");
    if (command_name != NULL)
        json_write_string(&w, command_name, strlen(command_name));
    else
        json_write_raw(&w, "null");
    json_write_raw(&w, ", \"input\": ");
    if (input_name != NULL)
        json_write_string(&w, input_name, strlen(input_name));
    else
        json_write_raw(&w, "null");
    json_write_raw(&w, ", \"result\": \"");
    json_write_raw(&w, result_word(code));
    json_write_raw(&w, "\", \"exit_code\": ");
    json_write_u64(&w, (uint64_t)code);
    json_write_raw(&w, ", \"reason\": ");
    if (code == EXIT_VALID)
        json_write_raw(&w, "null");
    else
        json_write_string(&w, result_reason, strlen(result_reason));
    json_write_raw(&w, ", \"published\": {");
    for (size_t i = 0; i < published_count; i++) {
        json_write_raw(&w, i ? ", \"" : "\"");
        json_write_raw(&w, published[i].name);
        json_write_raw(&w, "\": {\"value\": \"");
        json_write_raw(&w, published[i].value);
        json_write_raw(&w, published[i].given ? "\", \"compared\": \"matched\"}" : "\", \"compared\": \"not given\"}");
    }
    json_write_raw(&w, "}, \"keys\": ");
    if (keys_used.total == 0) {
        json_write_raw(&w, "null");
    } else {
        json_write_raw(&w, keys_used.shipped == 0                 ? "{\"source\": \"derived\", \"ms\": "
                           : keys_used.shipped == keys_used.total ? "{\"source\": \"shipped\", \"ms\": "
                                                                  : "{\"source\": \"mixed\", \"ms\": ");
        json_write_u64(&w, (uint64_t)(keys_used.ms + 0.5));
        json_write_raw(&w, ", \"count\": ");
        json_write_u64(&w, keys_used.total);
        json_write_raw(&w, ", \"shipped\": ");
        json_write_u64(&w, keys_used.shipped);
        json_write_raw(&w, "}");
    }
    json_write_raw(&w, ", \"statement\": {");
    char *members = json_writer_finish(&statement);
    json_write_raw(&w, members != NULL ? members : "");
    free(members);
    json_write_raw(&w, "}, \"report\": [");
    /* the human report, line by line (untrusted text escaped by the writer) */
    size_t start = 0, lines = 0;
    for (size_t i = 0; i < captured_len; i++)
        if (captured[i] == '\n') {
            json_write_raw(&w, lines++ ? ", " : "");
            json_write_string(&w, captured + start, i - start);
            start = i + 1;
        }
    json_write_raw(&w, "]}\n");
    char *text = json_writer_finish(&w);
    /* invalid UTF-8 in a file's text (an account id cannot have it) fails the writer: say so rather than print half */
    if (text == NULL)
        printf("{\"tool\": \"por-verify\", \"result\": \"%s\", \"exit_code\": %d, \"reason\": \"the report could not "
               "be written as JSON\"}\n",
               result_word(code), code);
    else
        fputs(text, stdout);
    free(text);
}

int main(int argc, char **argv)
{
    /* --json and --derive-keys anywhere: taken out before the command sees its arguments */
    int n = 0;
    for (int i = 0; i < argc; i++)
        if (i > 0 && strcmp(argv[i], "--json") == 0)
            json_mode = true;
        else if (i > 0 && strcmp(argv[i], "--derive-keys") == 0)
            derive_keys = true;
        else
            argv[n++] = argv[i];
    argc = n;
    argv[argc] = NULL;
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return EXIT_VALID;
    }
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        version();
        return EXIT_VALID;
    }
    out = json_mode ? open_memstream(&captured, &captured_len) : stdout;
    if (out == NULL) {
        fprintf(stderr, "%s: out of memory\n", progname);
        return EXIT_ERROR;
    }
    json_writer_init(&statement);
    int code = -1;
    if (argc >= 2)
        for (size_t i = 0; i < sizeof(COMMANDS) / sizeof(COMMANDS[0]); i++)
            if (strcmp(argv[1], COMMANDS[i].name) == 0) {
                char full[160];
                snprintf(full, sizeof(full), "%s %s", COMMANDS[i].name, COMMANDS[i].args);
                command_usage = full;
                command_name = COMMANDS[i].name;
                code = COMMANDS[i].run(argc - 2, argv + 2);
                break;
            }
    if (code < 0) {
        if (argc >= 2)
            fprintf(stderr, "%s: unknown command: %s\n", progname, argv[1]);
        usage(stderr);
        code = conclude_with(EXIT_ERROR, argc >= 2 ? "usage: unknown command" : "usage: no command given");
    }
    if (json_mode)
        fclose(out); /* sets captured, captured_len */
    print_result(code);
    free(captured);
    return code;
}
