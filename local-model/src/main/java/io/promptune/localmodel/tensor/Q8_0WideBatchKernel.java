package io.promptune.localmodel.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

import static jdk.incubator.vector.VectorOperators.FMA;
import static jdk.incubator.vector.VectorOperators.MUL;

/**
 * {@link Q8_0BatchKernel} on 512-bit vectors (AVX-512: 16 float lanes, 32 vector registers), bit-identical to it:
 * each 16-lane vector holds two weight rows of the same block interleaved, lane 2j for the pair's first row and
 * 2j + 1 for its second, each lane doing exactly what lane j of the 256-bit kernel does for its row (the exact quad
 * sum of elements 4j..4j+3, then {@code fma(d_w * d_a, quad, acc)} per block in block order, hsum_float_8 at the
 * end). The activation rows are laid out to match: each value twice (lanes 2j and 2j + 1).
 *
 * <p>The micro-kernel ({@link #pair2Times4}) takes two pairs (4 weight rows) against 4 activation rows: each activation
 * vector is loaded once for both pairs. On the AVX-512 machine these kernels are bound by loads, not FMAs (lab: ~2.4 G
 * 512-bit loads/s per core, ~6.4 G register FMAs/s), so the 256-bit kernel (24 loads per 128 MACs) runs ~24 GMAC/s,
 * one pair x 4 rows (25 per 256) ~28 and two pairs x 4 rows (30 per 512) ~31-33 in place (2048x2048 .. 5632x2048,
 * batch 128). A block's scale vector {d_w0 * d_a, d_w1 * d_a, ...} is the pair's widened scale vector {d_w0, d_w1, ...}
 * (stored with its block) times a broadcast of d_a, one multiply in the loop: a table of products read as 64-bit
 * broadcasts needs a lane reinterpretation that put the micro-kernel past C2's inlining node limit (a broadcast left as
 * a call, boxed: 8 GMAC/s).
 */
final class Q8_0WideBatchKernel {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    /** Lanes 0..7 of a 16-float vector, each twice (the activation layout's first half of two quads vectors). */
    private static final VectorShuffle<Float> TWICE_LO = VectorShuffle.fromOp(F, i -> i / 2);
    private static final VectorShuffle<Float> TWICE_HI = VectorShuffle.fromOp(F, i -> 8 + i / 2);

    /** Blocks per K chunk: 4 activation rows x 16 blocks x 256 bytes (values twice) = 16 KB of L1, with two pairs' 10 KB. */
    static final int CHUNK = 16;
    /** Floats of a widened pair-block: 4 quads vectors and the scale vector. */
    private static final int PAIR_BLOCK = 80;
    /** Pairs per panel (128 weight rows): 64 x 16 blocks x 320 bytes = 320 KB of L2. */
    private static final int PANEL_PAIRS = 64;
    private static final int PANEL_FLOATS = PANEL_PAIRS * CHUNK * PAIR_BLOCK;
    /** Floats of one activation group's K chunk: 4 rows of 64 * CHUNK (a short last chunk keeps the stride), then their 4 x CHUNK scales. */
    private static final int GROUP_FLOATS = 4 * 64 * CHUNK + 4 * CHUNK;
    /** Offsets in the float scratch from its first 64-byte aligned float: the panel at 0, then the batch's activation groups. */
    private static final int GROUPS = PANEL_FLOATS;
    /** Largest regrouped batch kept per thread (floats, 8 MB: 128 rows x 5632 columns fit, values twice); larger batches copy per panel. */
    private static final int GROUPED_MAX = 1 << 21;

    private Q8_0WideBatchKernel() { }

    private static final ThreadLocal<Q8_0BatchKernel.Scratch> SCRATCH = ThreadLocal.withInitial(() -> new Q8_0BatchKernel.Scratch(0));

    /** {@code out[b][outCol0 + r] = dot(r, a, b)} for rows [r0, r1) and every activation row b. */
    static void dotRows(Q8_0Matrix w, int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        int nb = w.cols() / 32, oc = out.cols(), rows = a.rows, slots = (rows + 3) & ~3;
        int chunks = (nb + CHUNK - 1) / CHUNK;
        long groupedFloats = (long) slots / 4 * chunks * GROUP_FLOATS;
        boolean once = groupedFloats <= GROUPED_MAX;
        Q8_0BatchKernel.Scratch scratch = SCRATCH.get().fit((PANEL_PAIRS + 1) * slots * 16, GROUPS + (once ? (int) groupedFloats : GROUP_FLOATS));
        float[] s = scratch.s, acc = scratch.acc, o = out.data();
        int sa = HeapAlignment.firstAligned(s, 64), ga = sa + GROUPS;
        if (scratch.regroup(a, once, ga)) group(a, nb, chunks, s, ga);
        for (int p0 = r0; p0 < r1; p0 += 2 * PANEL_PAIRS) {
            int np = Math.min(r1 - p0, 2 * PANEL_PAIRS), pairs = (np + 1) / 2;
            for (int k0 = 0; k0 < nb; k0 += CHUNK) {
                int kc = Math.min(CHUNK, nb - k0), pf = PAIR_BLOCK * kc; // pair i at s[sa + pf * i]
                for (int i = 0; i < pairs; i++) {
                    int r = p0 + 2 * i;
                    w.widenPairInterleaved(r, r + 1 < p0 + np ? r + 1 : r, k0, k0 + kc, s, sa + pf * i);
                }
                for (int b = 0; b < rows; b += 4) {
                    int xa = ga;
                    if (once) {
                        xa += (b / 4 * chunks + k0 / CHUNK) * GROUP_FLOATS;
                    } else {
                        copyGroup(a, b, k0, kc, s, ga);
                    }
                    int i = 0;
                    for (; i + 2 <= pairs; i += 2) pair2Times4(s, sa + pf * i, pf, xa, kc, k0 == 0, acc, accAt(i, b, slots));
                    if (i < pairs) pairTimes4(s, sa + pf * i, xa, kc, k0 == 0, acc, accAt(i, b, slots));
                }
            }
            for (int i = 0; i < np; i++) {
                for (int b = 0; b < rows; b++) o[b * oc + outCol0 + p0 + i] = GgmlSums.hsum8(acc, accAt(i / 2, b, slots) + (i & 1), 2);
            }
        }
    }

    /**
     * Where pair i's accumulator for activation row b starts: the 8 accumulators of a tile (pairs 2t, 2t + 1 x a group of 4
     * rows) lie together, the even pair's 4 first.
     */
    private static int accAt(int i, int b, int slots) {
        return 16 * ((i >> 1) * 2 * slots + 2 * (b & ~3) + 4 * (i & 1) + (b & 3));
    }

    /** As {@link Q8_0BatchKernel}'s group, with the wide layout (see {@link #copyGroup}). */
    private static void group(Activations a, int nb, int chunks, float[] s, int ga) {
        for (int b = 0; b < a.rows; b += 4) {
            for (int c = 0; c < chunks; c++) copyGroup(a, b, c * CHUNK, Math.min(CHUNK, nb - c * CHUNK), s, ga + (b / 4 * chunks + c) * GROUP_FLOATS);
        }
    }

    /**
     * Blocks [k0, k0 + kc) of activation rows b..b+3 (the last row repeated past the batch) to s[to + 64 * CHUNK * j]:
     * block k at + 64k, its quads vector v (8 floats) at + 16v with each value twice; the block scales at
     * s[to + 256 * CHUNK + CHUNK * j + k].
     */
    private static void copyGroup(Activations a, int b, int k0, int kc, float[] s, int to) {
        float[] x = a.quads, d = a.d;
        for (int j = 0; j < 4; j++) {
            int row = Math.min(b + j, a.rows - 1), from = a.rowOffset(row) + 32 * k0, t = to + 64 * CHUNK * j;
            for (int k = 0; k < kc; k++) {
                FloatVector lo = FloatVector.fromArray(F, x, from + 32 * k), hi = FloatVector.fromArray(F, x, from + 32 * k + 16);
                lo.rearrange(TWICE_LO).intoArray(s, t + 64 * k);
                lo.rearrange(TWICE_HI).intoArray(s, t + 64 * k + 16);
                hi.rearrange(TWICE_LO).intoArray(s, t + 64 * k + 32);
                hi.rearrange(TWICE_HI).intoArray(s, t + 64 * k + 48);
            }
            System.arraycopy(d, a.blockOffset(row) + k0, s, to + 256 * CHUNK + CHUNK * j, kc);
        }
    }

    /** The exact quad sums of one block: the weight vectors times the activation block at s[x]. */
    private static FloatVector quad(FloatVector w0, FloatVector w1, FloatVector w2, FloatVector w3, float[] s, int x) {
        FloatVector q = w0.mul(FloatVector.fromArray(F, s, x));
        q = w1.fma(FloatVector.fromArray(F, s, x + 16), q);
        q = w2.fma(FloatVector.fromArray(F, s, x + 32), q);
        return w3.fma(FloatVector.fromArray(F, s, x + 48), q);
    }

    /**
     * One widened pair (block k at s[w + 80k], interleaved, its scale vector at + 64) times the 4 activation rows of the
     * group chunk at s[x] (row j's block k at + 64 * CHUNK * j + 64k, values twice; its scale at + 256 * CHUNK + CHUNK * j + k)
     * over kc blocks, accumulating into acc[c + 16j..c + 16j + 16) (from zero when {@code first}, else read first;
     * written back). The trip count masked to 6 bits keeps C2 from strip-mining the loop. A panel's odd last pair takes it.
     */
    private static void pairTimes4(float[] s, int w, int x, int kc, boolean first, float[] acc, int c) {
        final int X1 = 64 * CHUNK, X2 = 128 * CHUNK, X3 = 192 * CHUNK, D = 256 * CHUNK;
        FloatVector a0, a1, a2, a3;
        if (first) {
            a0 = FloatVector.zero(F);
            a1 = a0;
            a2 = a0;
            a3 = a0;
        } else {
            a0 = FloatVector.fromArray(F, acc, c);
            a1 = FloatVector.fromArray(F, acc, c + 16);
            a2 = FloatVector.fromArray(F, acc, c + 32);
            a3 = FloatVector.fromArray(F, acc, c + 48);
        }
        int n = kc & 63;
        for (int k = 0; k < n; k++) {
            int wk = w + PAIR_BLOCK * k, xk = x + 64 * k, dk = x + D + k;
            FloatVector w0 = FloatVector.fromArray(F, s, wk), w1 = FloatVector.fromArray(F, s, wk + 16);
            FloatVector w2 = FloatVector.fromArray(F, s, wk + 32), w3 = FloatVector.fromArray(F, s, wk + 48);
            FloatVector dw = FloatVector.fromArray(F, s, wk + 64);
            a0 = quad(w0, w1, w2, w3, s, xk).fma(dw.mul(s[dk]), a0);
            a1 = quad(w0, w1, w2, w3, s, xk + X1).fma(dw.mul(s[dk + CHUNK]), a1);
            a2 = quad(w0, w1, w2, w3, s, xk + X2).fma(dw.mul(s[dk + 2 * CHUNK]), a2);
            a3 = quad(w0, w1, w2, w3, s, xk + X3).fma(dw.mul(s[dk + 3 * CHUNK]), a3);
        }
        a0.intoArray(acc, c);
        a1.intoArray(acc, c + 16);
        a2.intoArray(acc, c + 32);
        a3.intoArray(acc, c + 48);
    }

    /**
     * Two widened pairs (the second at + pf) times the 4 activation rows, as {@link #pairTimes4}: each activation vector is
     * loaded once for both pairs (8 accumulators at acc[c..c + 128), the first pair's 4 first). On AVX-512 the kernels are
     * bound by loads, not FMAs (lab: 512-bit loads ~2.4 G/s per core here), so sharing them is the gain.
     *
     * <p>Shaped to compile without boxed vectors whatever the profiles say (it boxed under {@code -XX:-UseTypeSpeculation}):
     * every call is {@code lanewise(op, ...)} at this method's own call site (the convenience methods {@code mul}/{@code fma}
     * dispatch inside the JDK at one call site shared by 256- and 512-bit callers); a loop-carried vector (the quad sums q
     * over m, the accumulators over k) is only ever an argument, never a receiver, so the block scale is the FMA's receiver
     * ({@code fma(q, d, acc) == d.lanewise(FMA, q, acc)} bit for bit); and the k loop is a do-while (kc >= 1), so the stores
     * after it see the last block's results rather than a merge with the loaded start values. The m loop stays a loop: written
     * out, the method grew past C1's register limit (stuck at tier 2) and C2's inlining node budget (late-inlined calls lose
     * their receivers' exact classes).
     */
    private static void pair2Times4(float[] s, int w, int pf, int x, int kc, boolean first, float[] acc, int c) {
        final int X1 = 64 * CHUNK, X2 = 128 * CHUNK, X3 = 192 * CHUNK, D = 256 * CHUNK;
        if (first) Arrays.fill(acc, c, c + 128, 0f);
        FloatVector a00 = FloatVector.fromArray(F, acc, c), a01 = FloatVector.fromArray(F, acc, c + 16);
        FloatVector a02 = FloatVector.fromArray(F, acc, c + 32), a03 = FloatVector.fromArray(F, acc, c + 48);
        FloatVector a10 = FloatVector.fromArray(F, acc, c + 64), a11 = FloatVector.fromArray(F, acc, c + 80);
        FloatVector a12 = FloatVector.fromArray(F, acc, c + 96), a13 = FloatVector.fromArray(F, acc, c + 112);
        int n = kc & 63, k = 0;
        do {
            int wk = w + PAIR_BLOCK * k, vk = wk + pf, xk = x + 64 * k, dk = x + D + k;
            FloatVector w0 = FloatVector.fromArray(F, s, wk), v0 = FloatVector.fromArray(F, s, vk);
            FloatVector x0 = FloatVector.fromArray(F, s, xk), x1 = FloatVector.fromArray(F, s, xk + X1);
            FloatVector x2 = FloatVector.fromArray(F, s, xk + X2), x3 = FloatVector.fromArray(F, s, xk + X3);
            FloatVector q00 = w0.lanewise(MUL, x0), q01 = w0.lanewise(MUL, x1), q02 = w0.lanewise(MUL, x2), q03 = w0.lanewise(MUL, x3);
            FloatVector q10 = v0.lanewise(MUL, x0), q11 = v0.lanewise(MUL, x1), q12 = v0.lanewise(MUL, x2), q13 = v0.lanewise(MUL, x3);
            for (int m = 16; m < 64; m += 16) {
                FloatVector wm = FloatVector.fromArray(F, s, wk + m), vm = FloatVector.fromArray(F, s, vk + m);
                FloatVector y0 = FloatVector.fromArray(F, s, xk + m), y1 = FloatVector.fromArray(F, s, xk + X1 + m);
                FloatVector y2 = FloatVector.fromArray(F, s, xk + X2 + m), y3 = FloatVector.fromArray(F, s, xk + X3 + m);
                q00 = wm.lanewise(FMA, y0, q00);
                q01 = wm.lanewise(FMA, y1, q01);
                q02 = wm.lanewise(FMA, y2, q02);
                q03 = wm.lanewise(FMA, y3, q03);
                q10 = vm.lanewise(FMA, y0, q10);
                q11 = vm.lanewise(FMA, y1, q11);
                q12 = vm.lanewise(FMA, y2, q12);
                q13 = vm.lanewise(FMA, y3, q13);
            }
            FloatVector dw = FloatVector.fromArray(F, s, wk + 64), dv = FloatVector.fromArray(F, s, vk + 64);
            FloatVector b0 = FloatVector.broadcast(F, s[dk]), b1 = FloatVector.broadcast(F, s[dk + CHUNK]);
            FloatVector b2 = FloatVector.broadcast(F, s[dk + 2 * CHUNK]), b3 = FloatVector.broadcast(F, s[dk + 3 * CHUNK]);
            a00 = dw.lanewise(MUL, b0).lanewise(FMA, q00, a00);
            a01 = dw.lanewise(MUL, b1).lanewise(FMA, q01, a01);
            a02 = dw.lanewise(MUL, b2).lanewise(FMA, q02, a02);
            a03 = dw.lanewise(MUL, b3).lanewise(FMA, q03, a03);
            a10 = dv.lanewise(MUL, b0).lanewise(FMA, q10, a10);
            a11 = dv.lanewise(MUL, b1).lanewise(FMA, q11, a11);
            a12 = dv.lanewise(MUL, b2).lanewise(FMA, q12, a12);
            a13 = dv.lanewise(MUL, b3).lanewise(FMA, q13, a13);
        } while (++k < n);
        a00.intoArray(acc, c);
        a01.intoArray(acc, c + 16);
        a02.intoArray(acc, c + 32);
        a03.intoArray(acc, c + 48);
        a10.intoArray(acc, c + 64);
        a11.intoArray(acc, c + 80);
        a12.intoArray(acc, c + 96);
        a13.intoArray(acc, c + 112);
    }
}
