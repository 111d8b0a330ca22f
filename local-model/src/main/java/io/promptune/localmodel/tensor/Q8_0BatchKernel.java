package io.promptune.localmodel.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

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
 * Its loads are plain heap-array loads at {@code base + 64k + constant}, which C2 range-check-eliminates.
 * K is cut into chunks of {@link #CHUNK} blocks so an activation group's chunk (8 KB) stays in L1 while a
 * panel of widened weight rows (chunk only, {@link #PANEL_FLOATS}) passes over it from L2; the accumulators
 * live in a per-thread scratch between chunks.
 */
final class Q8_0BatchKernel {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;

    /** Blocks per K chunk: 4 activation rows x 16 blocks x 128 bytes = 8 KB of L1. */
    static final int CHUNK = 32;
    /** Widened weights per panel chunk (floats): rows per panel = PANEL_FLOATS / (32 * CHUNK), even. */
    static final int PANEL_FLOATS = 64 * 1024;
    private static final int PANEL_ROWS = PANEL_FLOATS / (32 * CHUNK);

    private Q8_0BatchKernel() { }

    /** A thread's widened panel chunk, its scales, a row's scale products and the panel's accumulators, kept between calls. */
    private static final class Scratch {
        final float[] wq = new float[PANEL_FLOATS + 8], xs = new float[4 * 32 * CHUNK + 8];
        final float[] wd = new float[PANEL_ROWS * CHUNK], sc = new float[4 * CHUNK];
        float[] acc = new float[0];

        Scratch fit(int accFloats) {
            if (acc.length < accFloats) acc = new float[accFloats];
            return this;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** {@code out[b][outCol0 + r] = dot(r, a, b)} for rows [r0, r1) and every activation row b. */
    static void dotRows(Q8_0Matrix w, int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        int nb = w.cols() / 32, oc = out.cols(), rows = a.rows, slots = rows + 1; // slot `rows`: a group's unused outputs
        Scratch s = SCRATCH.get().fit(PANEL_ROWS * slots * 8);
        float[] wq = s.wq, xs = s.xs, wd = s.wd, sc = s.sc, acc = s.acc, x = a.quads, ad = a.d, o = out.data();
        int wa = HeapAlignment.firstAligned(wq), xa = HeapAlignment.firstAligned(xs); // vectors on 32-byte boundaries
        for (int p0 = r0; p0 < r1; p0 += PANEL_ROWS) {
            int np = Math.min(r1 - p0, PANEL_ROWS);
            java.util.Arrays.fill(acc, 0, np * slots * 8, 0f);
            for (int k0 = 0; k0 < nb; k0 += CHUNK) {
                int kc = Math.min(CHUNK, nb - k0);
                for (int i = 0; i < np; i += 2) {
                    int r = p0 + i;
                    w.widenPair(r, i + 1 < np ? r + 1 : r, k0, k0 + kc, wq, wa + 64 * CHUNK * (i / 2), wd, 2 * CHUNK * (i / 2));
                }
                for (int b = 0; b < rows; b += 4) {
                    int b1 = Math.min(b + 1, rows - 1), b2 = Math.min(b + 2, rows - 1), b3 = Math.min(b + 3, rows - 1);
                    // the group's chunk, copied to the aligned scratch (it stays in L1 while the panel passes)
                    System.arraycopy(x, a.rowOffset(b) + 32 * k0, xs, xa, 32 * kc);
                    System.arraycopy(x, a.rowOffset(b1) + 32 * k0, xs, xa + 32 * CHUNK, 32 * kc);
                    System.arraycopy(x, a.rowOffset(b2) + 32 * k0, xs, xa + 64 * CHUNK, 32 * kc);
                    System.arraycopy(x, a.rowOffset(b3) + 32 * k0, xs, xa + 96 * CHUNK, 32 * kc);
                    int d0 = a.blockOffset(b) + k0, d1 = a.blockOffset(b1) + k0, d2 = a.blockOffset(b2) + k0, d3 = a.blockOffset(b3) + k0;
                    int s1 = b + 1 < rows ? b + 1 : rows, s2 = b + 2 < rows ? b + 2 : rows, s3 = b + 3 < rows ? b + 3 : rows;
                    for (int i = 0; i < np; i++) {
                        int wo = wa + 64 * CHUNK * (i / 2) + 32 * (i & 1), so = 2 * CHUNK * (i / 2) + kc * (i & 1), ci = i * slots;
                        scaleProducts(wd, so, ad, d0, d1, d2, d3, kc, sc);
                        rowTimes4(wq, wo, xs, xa, sc, kc, acc, 8 * (ci + b), 8 * (ci + s1), 8 * (ci + s2), 8 * (ci + s3));
                    }
                }
            }
            for (int i = 0; i < np; i++) {
                for (int b = 0, c = 8 * i * slots; b < rows; b++, c += 8) o[b * oc + outCol0 + p0 + i] = hsum8(acc, c);
            }
        }
    }

    /** {@link GgmlSums#hsum8} of acc[c..c + 8), from the array (no lane extraction). */
    private static float hsum8(float[] acc, int c) {
        float a0 = acc[c] + acc[c + 4], a1 = acc[c + 1] + acc[c + 5], a2 = acc[c + 2] + acc[c + 6], a3 = acc[c + 3] + acc[c + 7];
        return (a0 + a2) + (a1 + a3);
    }

    /** sc[j * CHUNK + k] = wd[so + k] * ad[dj + k] for activation j < 4, k < kc: d_w * d_a, each rounded once as in ggml. */
    private static void scaleProducts(float[] wd, int so, float[] ad, int d0, int d1, int d2, int d3, int kc, float[] sc) {
        int k = 0;
        for (int n = F.loopBound(kc); k < n; k += F.length()) {
            FloatVector dw = FloatVector.fromArray(F, wd, so + k);
            dw.mul(FloatVector.fromArray(F, ad, d0 + k)).intoArray(sc, k);
            dw.mul(FloatVector.fromArray(F, ad, d1 + k)).intoArray(sc, CHUNK + k);
            dw.mul(FloatVector.fromArray(F, ad, d2 + k)).intoArray(sc, 2 * CHUNK + k);
            dw.mul(FloatVector.fromArray(F, ad, d3 + k)).intoArray(sc, 3 * CHUNK + k);
        }
        for (; k < kc; k++) {
            float dw = wd[so + k];
            sc[k] = dw * ad[d0 + k];
            sc[CHUNK + k] = dw * ad[d1 + k];
            sc[2 * CHUNK + k] = dw * ad[d2 + k];
            sc[3 * CHUNK + k] = dw * ad[d3 + k];
        }
    }

    /**
     * One widened weight row (block k at wq[w + 64k]) times the 4 activation rows at xs[x + j * 32 * CHUNK]
     * (quads layout, block k at + 32k) over kc blocks, accumulating into acc[cj..cj + 8) (read first, written
     * back). A block's quad sum is two independent product chains added (exact integers in any order): the
     * dependency chain per block is mul, FMA, add instead of mul and three FMAs (lab: +15-25%).
     */
    private static void rowTimes4(float[] wq, int w, float[] xs, int x, float[] sc, int kc,
                                  float[] acc, int c0, int c1, int c2, int c3) {
        final int X1 = 32 * CHUNK, X2 = 64 * CHUNK, X3 = 96 * CHUNK;
        FloatVector a0 = FloatVector.fromArray(F, acc, c0), a1 = FloatVector.fromArray(F, acc, c1);
        FloatVector a2 = FloatVector.fromArray(F, acc, c2), a3 = FloatVector.fromArray(F, acc, c3);
        for (int k = 0; k < kc; k++) {
            int wk = w + 64 * k, xk = x + 32 * k;
            FloatVector v = FloatVector.fromArray(F, wq, wk), u = FloatVector.fromArray(F, wq, wk + 8);
            FloatVector q0 = u.fma(FloatVector.fromArray(F, xs, xk + 8), v.mul(FloatVector.fromArray(F, xs, xk)));
            FloatVector q1 = u.fma(FloatVector.fromArray(F, xs, xk + X1 + 8), v.mul(FloatVector.fromArray(F, xs, xk + X1)));
            FloatVector q2 = u.fma(FloatVector.fromArray(F, xs, xk + X2 + 8), v.mul(FloatVector.fromArray(F, xs, xk + X2)));
            FloatVector q3 = u.fma(FloatVector.fromArray(F, xs, xk + X3 + 8), v.mul(FloatVector.fromArray(F, xs, xk + X3)));
            v = FloatVector.fromArray(F, wq, wk + 16);
            u = FloatVector.fromArray(F, wq, wk + 24);
            FloatVector p0 = u.fma(FloatVector.fromArray(F, xs, xk + 24), v.mul(FloatVector.fromArray(F, xs, xk + 16)));
            FloatVector p1 = u.fma(FloatVector.fromArray(F, xs, xk + X1 + 24), v.mul(FloatVector.fromArray(F, xs, xk + X1 + 16)));
            FloatVector p2 = u.fma(FloatVector.fromArray(F, xs, xk + X2 + 24), v.mul(FloatVector.fromArray(F, xs, xk + X2 + 16)));
            FloatVector p3 = u.fma(FloatVector.fromArray(F, xs, xk + X3 + 24), v.mul(FloatVector.fromArray(F, xs, xk + X3 + 16)));
            a0 = q0.add(p0).fma(FloatVector.broadcast(F, sc[k]), a0);
            a1 = q1.add(p1).fma(FloatVector.broadcast(F, sc[CHUNK + k]), a1);
            a2 = q2.add(p2).fma(FloatVector.broadcast(F, sc[2 * CHUNK + k]), a2);
            a3 = q3.add(p3).fma(FloatVector.broadcast(F, sc[3 * CHUNK + k]), a3);
        }
        a0.intoArray(acc, c0);
        a1.intoArray(acc, c1);
        a2.intoArray(acc, c2);
        a3.intoArray(acc, c3);
    }
}
