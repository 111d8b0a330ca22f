package io.promptune.localmodel.model;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The vectorized attention against a plain scalar transcription of ggml's AVX2 flash-attention arithmetic. */
class HalfAttentionTest {
    static float half(float v) {
        return Float.float16ToFloat(Float.floatToFloat16(v));
    }

    @Test
    void roundToHalfEqualsTheJdkConversionEverywhere() {
        Random rnd = new Random(3);
        float[] x = new float[8], out = new float[8];
        for (int it = 0; it < 200_000; it++) {
            for (int i = 0; i < 8; i++) {
                x[i] = switch (rnd.nextInt(4)) {
                    case 0 -> Float.intBitsToFloat(rnd.nextInt());            // any bits: NaN, infinities, subnormals
                    case 1 -> (float) rnd.nextGaussian();
                    case 2 -> (float) (rnd.nextGaussian() * 1e-5);            // half subnormal range
                    default -> Float.float16ToFloat((short) rnd.nextInt()) + Math.ulp(1f) * rnd.nextInt(3); // ties and near-ties
                };
            }
            HalfAttention.roundToHalf(FloatVector.fromArray(FloatVector.SPECIES_256, x, 0), out, 0);
            for (int i = 0; i < 8; i++) {
                float expect = half(x[i]);
                if (Float.isNaN(expect)) assertEquals(Float.isNaN(expect), Float.isNaN(out[i]));
                else assertEquals(Float.floatToIntBits(expect), Float.floatToIntBits(out[i]), "half(" + x[i] + ")");
            }
        }
    }

    @Test
    void widenHeadConvertsEveryHalfExactly() {
        int kvDim = 96, hd = 32, positions = 65536 / hd; // every half bit pattern once, in head 1 of 3
        short[] cache = new short[positions * kvDim];
        for (int i = 0; i < 65536; i++) cache[(i / hd) * kvDim + hd + i % hd] = (short) i;
        float[] out = new float[positions * hd];
        for (int round = 0; round < 300; round++) HalfAttention.widenHead(cache, kvDim, hd, positions, hd, out); // until C2 compiles it
        for (int i = 0; i < 65536; i++) {
            assertEquals(Float.floatToRawIntBits(Float.float16ToFloat((short) i)), Float.floatToRawIntBits(out[i]), "half 0x" + Integer.toHexString(i));
        }
    }

    /** ggml_vec_dot_f16 on AVX2 written out lane by lane. */
    static float dotScalar(float[] x, int xo, float[] y, int n) {
        float[][] sum = new float[4][8];
        for (int i = 0; i < n; i += 32) {
            for (int j = 0; j < 4; j++) {
                for (int l = 0; l < 8; l++) sum[j][l] = Math.fma(x[xo + i + 8 * j + l], y[i + 8 * j + l], sum[j][l]);
            }
        }
        float[] r = new float[8];
        for (int l = 0; l < 8; l++) r[l] = (sum[0][l] + sum[2][l]) + (sum[1][l] + sum[3][l]);
        float t0 = r[0] + r[4], t1 = r[1] + r[5], t2 = r[2] + r[6], t3 = r[3] + r[7];
        return (t0 + t1) + (t2 + t3);
    }

    @Test
    void attendMatchesScalarGgmlArithmeticBitForBit() {
        Random rnd = new Random(11);
        int hd = 64, kvDim = 2 * hd, positions = 77, kvOff = hd;
        float[] kc = new float[positions * kvDim], vc = new float[positions * kvDim], q = new float[hd];
        for (int i = 0; i < kc.length; i++) {
            kc[i] = half((float) rnd.nextGaussian());
            vc[i] = half((float) rnd.nextGaussian() * (i % 5 == 0 ? 1e-4f : 1f));
        }
        for (int i = 0; i < hd; i++) q[i] = half((float) rnd.nextGaussian() * 3);
        float scale = (float) (1.0 / Math.sqrt(hd));
        for (int last : new int[]{0, 1, 31, 76}) {
            float[] out = new float[hd];
            HalfAttention.attend(q, kc, vc, kvDim, kvOff, last, hd, scale, new float[hd], out, 0);
            float[] acc = new float[hd];
            float m = Float.NEGATIVE_INFINITY, s = 0f;
            for (int t = 0; t <= last; t++) {
                int ko = t * kvDim + kvOff;
                float score = dotScalar(kc, ko, q, hd) * scale;
                float ms = 1f, vs = 1f;
                if (score > m) {
                    float old = m;
                    m = score;
                    ms = GgmlMath.expf(old - m);
                    for (int d = 0; d < hd; d++) acc[d] = half(acc[d] * ms);
                } else {
                    vs = GgmlMath.expf(score - m);
                }
                for (int d = 0; d < hd; d++) acc[d] = half(Math.fma(vc[ko + d], vs, acc[d]));
                s = Math.fma(s, ms, vs);
            }
            for (int d = 0; d < hd; d++) assertEquals(acc[d] / s, out[d], Math.ulp(acc[d] / s), "last " + last + " dim " + d);
        }
    }

    /**
     * The register accumulation's float-arithmetic rounding against the JDK's conversion, bit for bit, on values that
     * reach every branch of half's range: subnormal halves, results that round to (signed) zero, values past 32768
     * (which send the head back to the exact path) and up to infinity, NaN, and keys that raise the maximum often.
     */
    @Test
    void attendRoundsLikeTheConversionAtEveryRangeEnd() {
        Random rnd = new Random(5);
        for (int hd : new int[]{64, 128, 96}) {
            int kvDim = 2 * hd, positions = 90, kvOff = hd;
            float scale = (float) (1.0 / Math.sqrt(hd));
            for (int round = 0; round < 60; round++) {
                int kind = round % 6;
                float[] kc = new float[positions * kvDim], vc = new float[positions * kvDim], q = new float[hd];
                for (int i = 0; i < hd; i++) q[i] = half((float) rnd.nextGaussian());
                for (int i = 0; i < kc.length; i++) {
                    int t = i / kvDim;
                    // kind 1: scores rising with the position, so the maximum rises (and the accumulator is scaled) often
                    float k = (float) rnd.nextGaussian() * (kind == 1 ? 0.05f * t : 1f);
                    kc[i] = half(kind == 1 ? k * Math.signum(q[i % kvDim % hd]) : k);
                    vc[i] = half(switch (kind) {
                        case 2 -> (float) rnd.nextGaussian() * 1e-6f;                          // subnormal halves, zeros
                        case 3 -> rnd.nextInt(3) == 0 ? -0f : (float) rnd.nextGaussian() * 1e-7f; // negative zeros, sign of zero results
                        case 4 -> (rnd.nextInt(5) == 0 ? -1 : 1) * (10000f + Math.abs((float) rnd.nextGaussian()) * 20000f); // past 32768, to infinity
                        case 5 -> rnd.nextInt(500) == 0 ? Float.NaN : (float) rnd.nextGaussian();
                        default -> (float) rnd.nextGaussian() * (rnd.nextBoolean() ? 1f : 1e-3f);
                    });
                }
                for (int last : new int[]{0, 7, positions - 1}) {
                    float[] out = new float[hd];
                    HalfAttention.attend(q, kc, vc, kvDim, kvOff, last, hd, scale, new float[hd], out, 0);
                    float[] acc = new float[hd];
                    float m = Float.NEGATIVE_INFINITY, s = 0f;
                    for (int t = 0; t <= last; t++) {
                        int ko = t * kvDim + kvOff;
                        float score = dotScalar(kc, ko, q, hd) * scale;
                        float ms = 1f, vs = 1f;
                        if (score > m) {
                            float old = m;
                            m = score;
                            ms = GgmlMath.expf(old - m);
                            if (old != Float.NEGATIVE_INFINITY) for (int d = 0; d < hd; d++) acc[d] = half(acc[d] * ms);
                        } else {
                            vs = GgmlMath.expf(score - m);
                        }
                        for (int d = 0; d < hd; d++) acc[d] = half(Math.fma(vc[ko + d], vs, acc[d]));
                        s = Math.fma(s, ms, vs);
                    }
                    float inv = s == 0f ? 0f : 1f / s;
                    for (int d = 0; d < hd; d++) {
                        float expect = acc[d] * inv;
                        if (Float.isNaN(expect)) assertEquals(true, Float.isNaN(out[d]), "hd " + hd + " kind " + kind + " dim " + d);
                        else assertEquals(Float.floatToIntBits(expect), Float.floatToIntBits(out[d]), "hd " + hd + " kind " + kind + " last " + last + " dim " + d);
                    }
                }
            }
        }
    }
}
