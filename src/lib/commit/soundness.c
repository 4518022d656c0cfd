/*
 * Soundness terms of a DEEP-FRI opening and its outer protocol (soundness.h).
 */
#include "commit/soundness.h"

#include <math.h>
#include <stdio.h>

#include "field/field.h"

/* |F| of the challenge field: the quadratic extension of Goldilocks. */
static double ext_field_size(void) { return (double)GL_P * (double)GL_P; }

/* sum_k (2^a_k - 1) w(|D_k|) for the reductions of p. */
static double folding_sum(const por_fri_params *p, double (*weight)(double, double), double arg)
{
    double sum = 0, d = ldexp(1.0, (int)por_fri_lde_bits(p));
    for (unsigned k = 0; k < p->num_reductions; k++) {
        sum += (ldexp(1.0, (int)p->reduction_bits[k]) - 1) * weight(d, arg);
        d = ldexp(d, -(int)p->reduction_bits[k]);
    }
    return sum;
}

static double conj_fold_weight(double d, double unused)
{
    (void)unused;
    return d;
}

/* (2m + 1)(|D| + 1) / sqrt(rho), arg = m; sqrt(rho) is folded in by the caller. */
static double johnson_fold_weight(double d, double m) { return (2 * m + 1) * (d + 1); }

static double bits(double err) { return err > 0 ? -log2(err) : INFINITY; }

void por_soundness_estimate(const por_soundness_input *in, por_soundness *out)
{
    const por_fri_params *p = &in->fri;
    const double F = ext_field_size(), D0 = ldexp(1.0, (int)por_fri_lde_bits(p));
    const double rho = ldexp(1.0, -(int)p->rate_bits), sr = sqrt(rho);
    const double grind = ldexp(1.0, -(int)p->pow_bits);

    out->query_conjectured_bits = (double)p->num_queries * p->rate_bits + p->pow_bits;
    out->query_provable_bits = (double)p->num_queries * p->rate_bits / 2 + p->pow_bits;

    double field = (in->num_functions * D0 + folding_sum(p, conj_fold_weight, 0) + in->iop_degree) / F;
    out->field_bits = bits(field);
    out->conjectured_bits = bits(field + ldexp(1.0, -(int)out->query_conjectured_bits));

    out->provable_bits = 0;
    out->johnson_m = 3;
    for (unsigned m = 3; m <= 256; m++) {
        double mh = m + 0.5, alpha = sr * (1 + 1.0 / (2 * m)), list = mh / sr;
        double err = pow(alpha, p->num_queries) * grind +
                     in->num_functions * pow(mh, 7) * D0 * D0 / (3 * rho * sr * F) +
                     folding_sum(p, johnson_fold_weight, m) / (sr * F) + list * in->iop_degree / F;
        if (bits(err) > out->provable_bits) {
            out->provable_bits = bits(err);
            out->johnson_m = m;
        }
    }
}

/* Rounded down to a tenth: a claim never states more than was computed. */
static double tenth_below(double x) { return floor(x * 10) / 10; }

void por_soundness_describe(const por_soundness *s, char *buf, size_t len)
{
    snprintf(buf, len,
             "%.1f bits conjectured (ethSTARK conjecture; queries %.0f, field %.1f), "
             "%.1f bits provable (Johnson bound)",
             tenth_below(s->conjectured_bits), s->query_conjectured_bits, tenth_below(s->field_bits),
             tenth_below(s->provable_bits));
}
