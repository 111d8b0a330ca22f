package io.promptune.localmodel.quant;

import java.lang.foreign.MemorySegment;

/**
 * The scale searches shared by the k-quants, following ggml-quants.c's make_qx_quants and
 * make_qkx2_quants step by step in float arithmetic (same operation order, same rounding) so that
 * our files match llama-quantize's. Also the 6-bit scale/min packing of Q4_K and Q5_K.
 */
final class KQuantMath {
    static final int QK_K = 256;
    static final float GROUP_MAX_EPS = 1e-15f;

    private KQuantMath() {}

    /**
     * Symmetric quantization of x[off..off+n) to levels -nmax..nmax-1 (stored in L as l + nmax),
     * searching 19 scales around -nmax/max for the one with the best weighted fit (weights x^2,
     * llama.cpp's rmse_type 1). Returns the scale.
     */
    static float makeQxQuants(int n, int nmax, float[] x, int off, byte[] L, int lOff) {
        float max = 0, amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[off + i]);
            if (ax > amax) {
                amax = ax;
                max = x[off + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) L[lOff + i] = 0;
            return 0f;
        }
        float iscale = -nmax / max;
        float sumlx = 0, suml2 = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[off + i];
            int l = clamp(Rounding.nearestInt(iscale * xi), -nmax, nmax - 1);
            L[lOff + i] = (byte) (l + nmax);
            float w = xi * xi;
            sumlx += w * xi * l;
            suml2 += w * l * l;
        }
        float scale = suml2 != 0 ? sumlx / suml2 : 0f;
        float best = scale * sumlx;
        for (int is = -9; is <= 9; is++) {
            if (is == 0) continue;
            iscale = -(nmax + 0.1f * is) / max;
            sumlx = 0;
            suml2 = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[off + i];
                int l = clamp(Rounding.nearestInt(iscale * xi), -nmax, nmax - 1);
                float w = xi * xi;
                sumlx += w * xi * l;
                suml2 += w * l * l;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; i++) {
                    int l = clamp(Rounding.nearestInt(iscale * x[off + i]), -nmax, nmax - 1);
                    L[lOff + i] = (byte) (l + nmax);
                }
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    /**
     * Asymmetric quantization of x[off..off+n) to levels 0..nmax with a scale and a min (min <= 0),
     * trying nstep+1 scale candidates and keeping the one with the least weighted squared error.
     * Returns the scale; stores -min in {@code theMin[mIdx]} and the levels in L.
     */
    static float makeQkx2Quants(int n, int nmax, float[] x, int off, float[] weights, byte[] L, int lOff,
                                float[] theMin, int mIdx, byte[] laux, float rmin, float rdelta, int nstep) {
        float min = x[off], max = x[off];
        float sumW = weights[0];
        float sumX = sumW * x[off];
        for (int i = 1; i < n; i++) {
            float xi = x[off + i];
            if (xi < min) min = xi;
            if (xi > max) max = xi;
            float w = weights[i];
            sumW += w;
            sumX += w * xi;
        }
        if (min > 0) min = 0;
        if (max == min) {
            for (int i = 0; i < n; i++) L[lOff + i] = 0;
            theMin[mIdx] = -min;
            return 0f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++) {
            int l = clamp(Rounding.nearestInt(iscale * (x[off + i] - min)), 0, nmax);
            L[lOff + i] = (byte) l;
            float diff = scale * l + min - x[off + i];
            bestError += weights[i] * (diff * diff);
        }
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0, sumL2 = 0, sumXl = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[off + i];
                int l = clamp(Rounding.nearestInt(iscale * (xi - min)), 0, nmax);
                laux[i] = (byte) l;
                float w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXl += w * l * xi;
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float thisScale = (sumW * sumXl - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXl) / det;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXl / sumL2;
                }
                float curError = 0;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * laux[i] + thisMin - x[off + i];
                    curError += weights[i] * (diff * diff);
                }
                if (curError < bestError) {
                    System.arraycopy(laux, 0, L, lOff, n);
                    bestError = curError;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        theMin[mIdx] = -min;
        return scale;
    }

    /**
     * Quantizes one 256-element super-block the Q4_K/Q5_K way: per 32-element sub-block a scale and a
     * min from makeQkx2Quants, both requantized to 6 bits against half-precision super-scales d and dmin
     * (written at o and o+2, the 12 packed scale bytes at o+4), then the levels recomputed against the
     * stored scales. Levels 0..nmax end up in L[0..256).
     */
    static void quantizeScaleMinSuperBlock(float[] x, int off, int nmax, float rmin, int nstep,
                                           MemorySegment dst, long o, byte[] L) {
        float[] scales = new float[8], mins = new float[8], weights = new float[32];
        byte[] laux = new byte[32];
        float maxScale = 0, maxMin = 0;
        for (int j = 0; j < 8; j++) {
            int xo = off + 32 * j;
            float sumX2 = 0;
            for (int l = 0; l < 32; l++) sumX2 += x[xo + l] * x[xo + l];
            float avX = (float) Math.sqrt(sumX2 / 32);
            for (int l = 0; l < 32; l++) weights[l] = avX + Math.abs(x[xo + l]);
            scales[j] = makeQkx2Quants(32, nmax, x, xo, weights, L, 32 * j, mins, j, laux, rmin, 0.1f, nstep);
            if (scales[j] > maxScale) maxScale = scales[j];
            if (mins[j] > maxMin) maxMin = mins[j];
        }
        float invScale = maxScale > 0 ? 63f / maxScale : 0f;
        float invMin = maxMin > 0 ? 63f / maxMin : 0f;
        int[] packed = new int[12];
        for (int j = 0; j < 8; j++) {
            int ls = Math.min(63, Rounding.nearestInt(invScale * scales[j]) & 0xFF);
            int lm = Math.min(63, Rounding.nearestInt(invMin * mins[j]) & 0xFF);
            if (j < 4) {
                packed[j] = ls;
                packed[j + 4] = lm;
            } else {
                packed[j + 4] = (ls & 0xF) | ((lm & 0xF) << 4);
                packed[j - 4] |= (ls >> 4) << 6;
                packed[j] |= (lm >> 4) << 6;
            }
        }
        Le.putF16(dst, o, maxScale / 63f);
        Le.putF16(dst, o + 2, maxMin / 63f);
        for (int k = 0; k < 12; k++) Le.put8(dst, o + 4 + k, packed[k]);
        float d = Le.f16(dst, o), dmin = Le.f16(dst, o + 2);
        for (int j = 0; j < 8; j++) {
            float dl = d * scaleK4(packed, j);
            if (dl == 0f) continue; // llama.cpp keeps the search's levels here
            float dm = dmin * minK4(packed, j);
            for (int ii = 0; ii < 32; ii++) {
                L[32 * j + ii] = (byte) clamp(Rounding.nearestInt((x[off + 32 * j + ii] + dm) / dl), 0, nmax);
            }
        }
    }

    /** The 6-bit scale of sub-block j from the 12 packed bytes (get_scale_min_k4). */
    static int scaleK4(int[] q, int j) {
        return j < 4 ? q[j] & 63 : (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
    }

    static int minK4(int[] q, int j) {
        return j < 4 ? q[j + 4] & 63 : (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
    }

    /** Reads the 12 packed scale bytes at {@code off} as unsigned ints. */
    static int[] readScales(MemorySegment s, long off, int[] into) {
        for (int k = 0; k < 12; k++) into[k] = Le.u8(s, off + k);
        return into;
    }

    static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
