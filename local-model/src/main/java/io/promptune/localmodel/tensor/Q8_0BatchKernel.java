package io.promptune.localmodel.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.ref.WeakReference;

/**
 * Q8_0 weights times a batch of Q8_0 activation rows (prefill, larger batched decodes) with float FMAs on
 * exact integers: weight rows are widened into integer-valued floats ({@link Activations#quads} order:
 * vector v of a block holds element 4j + v in lane j) and meet the activation rows (widened once per batch
 * by {@link Activations}). int8 x int8 products and sums of four are exact in float, so lane j of
 * {@code w0*a0 + w1*a1 + w2*a2 + w3*a3} is exactly ggml's quad sum of elements 4j..4j+3 whatever the order;
 * then {@code fma(d_w * d_a, quad, acc)} per block in block order and hsum_float_8, as tinyBLAS_Q0_AVX (and
 * ggml_vec_dot_q8_0_q8_0): bit-identical to {@link Q8_0Matrix#dot}.
 *
 * <p>The micro-kernel ({@link #rowTimes4}) takes one weight row against four activation rows: the weight
 * vector is loaded once per step and each activation vector is a memory operand of its FMA, so a block costs
 * ~7 instructions per output (4 product FMAs, the scale FMA and its broadcast, a quarter of the weight load)
 * with the 4 quad sums, 4 accumulators, the weight vector and a broadcast in 10 of the 16 ymm registers
 * (the 2x2 register tile it replaces needed ~22 per output: separate loads, spills, unhoisted range checks).
 * Its loads are plain heap-array loads at {@code base + 32k + constant}, which C2 range-check-eliminates.
 * K is cut into chunks of {@link #CHUNK} blocks so an activation group's chunk (16 KB) stays in L1 while a
 * panel of widened weight rows (chunk only, {@link #PANEL_FLOATS}) passes over it from L2; the accumulators
 * live in a per-thread scratch between chunks.
 *
 * <p>The widened panel, the activation group and the scale products share one scratch array, and a group's
 * 4 accumulators lie next to each other, so the micro-kernel's loop needs few general registers: with 12
 * arguments live across it (one array and offset per operand, 4 accumulator offsets) C2 kept 5 of them on
 * the stack and reloaded them every block, and strip-mined the loop (lab: +10-20% without).
 */
final class Q8_0BatchKernel {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;

    /** Blocks per K chunk: 4 activation rows x 32 blocks x 128 bytes = 16 KB of L1. */
    static final int CHUNK = 32;
    /** Widened weights per panel chunk (floats): rows per panel = PANEL_FLOATS / (32 * CHUNK), even. */
    static final int PANEL_FLOATS = 64 * 1024;
    private static final int PANEL_ROWS = PANEL_FLOATS / (32 * CHUNK);
    /** Panel rows whose scale products are computed in one pass (the activation scales stay in registers). */
    private static final int SCALE_ROWS = 8;
    /** Floats of one activation group's K chunk: 4 rows of 32 * CHUNK (a short last chunk keeps the stride). */
    private static final int GROUP_FLOATS = 4 * 32 * CHUNK;
    /** Offsets in the scratch from its first 32-byte aligned float: the panel at 0, then the scale products, then the batch's activation groups. */
    private static final int PRODUCTS = PANEL_FLOATS, GROUPS = PRODUCTS + SCALE_ROWS * 4 * CHUNK;
    /**
     * Largest regrouped batch kept per thread (floats, 4 MB: 128 rows x 5632 columns fit); larger batches (512-token
     * prompt chunks) copy each group's chunk per panel as before, so the scratch stays small.
     */
    private static final int GROUPED_MAX = 1 << 20;

    private Q8_0BatchKernel() { }

    /**
     * A thread's scratch (panel chunk, activation group, scale products), the panel's scales and accumulators, kept between
     * calls; {@link Q8_0WideBatchKernel} keeps one of its own.
     */
    static final class Scratch {
        final float[] wd;
        float[] s = new float[0], acc = new float[0];
        /** The activations whose groups the scratch holds (one copy per thread and batch, not one per panel), and the aligned start they were written at. */
        private WeakReference<Activations> grouped = new WeakReference<>(null);
        private int groupedAt = -1;

        Scratch(int scaleFloats) {
            wd = new float[scaleFloats];
        }

        /** Grows the arrays to at least these sizes (s by a vector more, for its aligned start). */
        Scratch fit(int accFloats, int scratchFloats) {
            if (acc.length < accFloats) acc = new float[accFloats];
            if (s.length < scratchFloats + 16) {
                s = new float[scratchFloats + 16];
                groupedAt = -1;
            }
            return this;
        }

        /**
         * True when batch {@code a} must be regrouped into s from {@code ga} (another batch than the last, or the array moved);
         * false when its groups are there, or when it is too large to keep ({@code once} false: the caller copies per panel).
         */
        boolean regroup(Activations a, boolean once, int ga) {
            if (!once) {
                groupedAt = -1; // the slot is overwritten per panel
                return false;
            }
            if (grouped.get() == a && groupedAt == ga) return false;
            grouped = new WeakReference<>(a);
            groupedAt = ga;
            return true;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(() -> new Scratch(PANEL_ROWS * CHUNK));

    /** {@code out[b][outCol0 + r] = dot(r, a, b)} for rows [r0, r1) and every activation row b. */
    static void dotRows(Q8_0Matrix w, int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        int nb = w.cols() / 32, oc = out.cols(), rows = a.rows, slots = (rows + 3) & ~3; // a short last group's extra outputs are dropped
        int chunks = (nb + CHUNK - 1) / CHUNK;
        long groupedFloats = (long) slots / 4 * chunks * GROUP_FLOATS;
        boolean once = groupedFloats <= GROUPED_MAX; // the whole batch regrouped once, else one group's chunk per panel
        Scratch scratch = SCRATCH.get().fit(PANEL_ROWS * slots * 8, GROUPS + (once ? (int) groupedFloats : GROUP_FLOATS));
        float[] s = scratch.s, wd = scratch.wd, acc = scratch.acc, ad = a.d, o = out.data();
        int sa = HeapAlignment.firstAligned(s), pa = sa + PRODUCTS, ga = sa + GROUPS; // vectors on 32-byte boundaries
        if (scratch.regroup(a, once, ga)) group(a, nb, chunks, s, ga);
        for (int p0 = r0; p0 < r1; p0 += PANEL_ROWS) {
            int np = Math.min(r1 - p0, PANEL_ROWS);
            for (int k0 = 0; k0 < nb; k0 += CHUNK) {
                int kc = Math.min(CHUNK, nb - k0), rf = 32 * kc; // panel row i at s[sa + rf * i], its scales at wd[kc * i]
                for (int i = 0; i < np; i += 2) {
                    int r = p0 + i;
                    w.widenPair(r, i + 1 < np ? r + 1 : r, k0, k0 + kc, s, sa + rf * i, wd, kc * i);
                }
                for (int b = 0; b < rows; b += 4) {
                    int b1 = Math.min(b + 1, rows - 1), b2 = Math.min(b + 2, rows - 1), b3 = Math.min(b + 3, rows - 1);
                    int xa = ga; // the group's chunk: it stays in L1 while the panel passes
                    if (once) {
                        xa += (b / 4 * chunks + k0 / CHUNK) * GROUP_FLOATS;
                    } else {
                        copyGroup(a, b, k0, kc, s, ga);
                    }
                    int d0 = a.blockOffset(b) + k0, d1 = a.blockOffset(b1) + k0, d2 = a.blockOffset(b2) + k0, d3 = a.blockOffset(b3) + k0;
                    for (int i0 = 0; i0 < np; i0 += SCALE_ROWS) {
                        int ni = Math.min(SCALE_ROWS, np - i0);
                        scaleProducts(wd, kc * i0, ni, ad, d0, d1, d2, d3, kc, s, pa);
                        for (int i = i0; i < i0 + ni; i++) {
                            rowTimes4(s, sa + rf * i, xa, pa + 4 * CHUNK * (i - i0), kc, k0 == 0, acc, 8 * (i * slots + b));
                        }
                    }
                }
            }
            for (int i = 0; i < np; i++) {
                for (int b = 0, c = 8 * i * slots; b < rows; b++, c += 8) o[b * oc + outCol0 + p0 + i] = GgmlSums.hsum8(acc, c);
            }
        }
    }

    /**
     * Copies the batch's activations ({@link Activations#quads}) into s from {@code ga}: group g (rows 4g..4g+3, a short
     * last group repeating its last row) and K chunk c at ga + (g * chunks + c) * GROUP_FLOATS, row j of the group at
     * + 32 * CHUNK * j. Done once per thread and batch (up to {@link #GROUPED_MAX}): copying each group's chunk for every
     * panel reads the whole batch again per 64 weight rows (lab: +3% at 2048x2048 and at the 2-thread chunk pattern).
     */
    private static void group(Activations a, int nb, int chunks, float[] s, int ga) {
        for (int b = 0; b < a.rows; b += 4) {
            for (int c = 0; c < chunks; c++) copyGroup(a, b, c * CHUNK, Math.min(CHUNK, nb - c * CHUNK), s, ga + (b / 4 * chunks + c) * GROUP_FLOATS);
        }
    }

    /** Blocks [k0, k0 + kc) of activation rows b..b+3 (the last row repeated past the batch) to s[to + 32 * CHUNK * j]. */
    private static void copyGroup(Activations a, int b, int k0, int kc, float[] s, int to) {
        for (int j = 0; j < 4; j++) System.arraycopy(a.quads, a.rowOffset(Math.min(b + j, a.rows - 1)) + 32 * k0, s, to + 32 * CHUNK * j, 32 * kc);
    }

    /**
     * sc[t + 4 CHUNK i + j CHUNK + k] = wd[so + kc i + k] * ad[dj + k] for panel rows i < ni, activation j < 4, k < kc:
     * d_w * d_a, each rounded once as in ggml.
     */
    private static void scaleProducts(float[] wd, int so, int ni, float[] ad, int d0, int d1, int d2, int d3, int kc, float[] sc, int t) {
        int n = F.loopBound(kc);
        for (int k = 0; k < n; k += F.length()) {
            FloatVector x0 = FloatVector.fromArray(F, ad, d0 + k), x1 = FloatVector.fromArray(F, ad, d1 + k);
            FloatVector x2 = FloatVector.fromArray(F, ad, d2 + k), x3 = FloatVector.fromArray(F, ad, d3 + k);
            for (int i = 0; i < ni; i++) {
                FloatVector dw = FloatVector.fromArray(F, wd, so + kc * i + k);
                int ti = t + 4 * CHUNK * i + k;
                dw.mul(x0).intoArray(sc, ti);
                dw.mul(x1).intoArray(sc, ti + CHUNK);
                dw.mul(x2).intoArray(sc, ti + 2 * CHUNK);
                dw.mul(x3).intoArray(sc, ti + 3 * CHUNK);
            }
        }
        for (int k = n; k < kc; k++) {
            for (int i = 0; i < ni; i++) {
                float dw = wd[so + kc * i + k];
                int ti = t + 4 * CHUNK * i + k;
                sc[ti] = dw * ad[d0 + k];
                sc[ti + CHUNK] = dw * ad[d1 + k];
                sc[ti + 2 * CHUNK] = dw * ad[d2 + k];
                sc[ti + 3 * CHUNK] = dw * ad[d3 + k];
            }
        }
    }

    /**
     * One widened weight row (block k at s[w + 32k]) times the 4 activation rows at s[x + j * 32 * CHUNK] (quads
     * layout, block k at + 32k) over kc blocks, with scale products s[sc + j * CHUNK + k], accumulating into
     * acc[c + 8j..c + 8j + 8) (from zero when {@code first}, else read first; written back). A block's quad sum is
     * two independent product chains added (exact integers in any order): the dependency chain per block is mul,
     * FMA, add instead of mul and three FMAs (lab: +15-25%). The trip count masked to 6 bits (kc <= CHUNK) tells
     * C2 the loop is short, so it is not strip-mined (that cost registers and a second loop).
     */
    private static void rowTimes4(float[] s, int w, int x, int sc, int kc, boolean first, float[] acc, int c) {
        final int X1 = 32 * CHUNK, X2 = 64 * CHUNK, X3 = 96 * CHUNK;
        FloatVector a0, a1, a2, a3;
        if (first) {
            a0 = FloatVector.zero(F);
            a1 = a0;
            a2 = a0;
            a3 = a0;
        } else {
            a0 = FloatVector.fromArray(F, acc, c);
            a1 = FloatVector.fromArray(F, acc, c + 8);
            a2 = FloatVector.fromArray(F, acc, c + 16);
            a3 = FloatVector.fromArray(F, acc, c + 24);
        }
        int n = kc & 63;
        for (int k = 0; k < n; k++) {
            int wk = w + 32 * k, xk = x + 32 * k, sk = sc + k;
            FloatVector v = FloatVector.fromArray(F, s, wk), u = FloatVector.fromArray(F, s, wk + 8);
            FloatVector q0 = u.fma(FloatVector.fromArray(F, s, xk + 8), v.mul(FloatVector.fromArray(F, s, xk)));
            FloatVector q1 = u.fma(FloatVector.fromArray(F, s, xk + X1 + 8), v.mul(FloatVector.fromArray(F, s, xk + X1)));
            FloatVector q2 = u.fma(FloatVector.fromArray(F, s, xk + X2 + 8), v.mul(FloatVector.fromArray(F, s, xk + X2)));
            FloatVector q3 = u.fma(FloatVector.fromArray(F, s, xk + X3 + 8), v.mul(FloatVector.fromArray(F, s, xk + X3)));
            v = FloatVector.fromArray(F, s, wk + 16);
            u = FloatVector.fromArray(F, s, wk + 24);
            FloatVector p0 = u.fma(FloatVector.fromArray(F, s, xk + 24), v.mul(FloatVector.fromArray(F, s, xk + 16)));
            FloatVector p1 = u.fma(FloatVector.fromArray(F, s, xk + X1 + 24), v.mul(FloatVector.fromArray(F, s, xk + X1 + 16)));
            FloatVector p2 = u.fma(FloatVector.fromArray(F, s, xk + X2 + 24), v.mul(FloatVector.fromArray(F, s, xk + X2 + 16)));
            FloatVector p3 = u.fma(FloatVector.fromArray(F, s, xk + X3 + 24), v.mul(FloatVector.fromArray(F, s, xk + X3 + 16)));
            a0 = q0.add(p0).fma(FloatVector.broadcast(F, s[sk]), a0);
            a1 = q1.add(p1).fma(FloatVector.broadcast(F, s[sk + CHUNK]), a1);
            a2 = q2.add(p2).fma(FloatVector.broadcast(F, s[sk + 2 * CHUNK]), a2);
            a3 = q3.add(p3).fma(FloatVector.broadcast(F, s[sk + 3 * CHUNK]), a3);
        }
        a0.intoArray(acc, c);
        a1.intoArray(acc, c + 8);
        a2.intoArray(acc, c + 16);
        a3.intoArray(acc, c + 24);
    }
}
