package io.promptune.localmodel.tensor;

import io.promptune.localmodel.gguf.GgmlType;
import io.promptune.localmodel.quant.QuantFormats;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Q5_0 weights (blocks of 32: half d, 32 fifth bits qh, 16 bytes of nibbles laid out like Q4_0;
 * value = d * (q - 16)) with Q8_0 activations, as ggml_vec_dot_q5_0_q8_0.
 */
public final class Q5_0Matrix extends WeightMatrix {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_64;
    private static final int BLOCK_BYTES = 22;
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** For each byte of fifth bits, the 8 bytes 0x10 or 0 they expand to (bit i -> byte i). */
    static final byte[] HIGH_BITS = new byte[256 * 8];

    static {
        for (int v = 0; v < 256; v++) for (int i = 0; i < 8; i++) HIGH_BITS[v * 8 + i] = (byte) (((v >>> i) & 1) << 4);
    }

    public Q5_0Matrix(String name, int rows, int cols, MemorySegment data) {
        super(name, GgmlType.Q5_0, rows, cols, data);
    }

    @Override
    public ActivationFormat activationFormat() { return ActivationFormat.Q8_0; }

    static FloatVector toFloats(ByteVector v) {
        return (FloatVector) v.convertShape(VectorOperators.B2F, F, 0);
    }

    static ByteVector highBits(int qh, int shift) {
        return ByteVector.fromArray(B, HIGH_BITS, ((qh >>> shift) & 0xFF) * 8);
    }

    @Override
    public float dot(int row, Activations a, int b) {
        long base = row * rowBytes;
        float[] x = a.q;
        int xo = a.rowOffset(b);
        int bo = a.blockOffset(b);
        int nb = cols / 32;
        FloatVector acc = FloatVector.zero(F);
        for (int k = 0; k < nb; k++) {
            long p = base + (long) k * BLOCK_BYTES;
            int xi = xo + k * 32;
            int qh = data.get(INT_LE, p + 2);
            ByteVector q0 = ByteVector.fromMemorySegment(B, data, p + 6, ByteOrder.LITTLE_ENDIAN);
            ByteVector q1 = ByteVector.fromMemorySegment(B, data, p + 14, ByteOrder.LITTLE_ENDIAN);
            FloatVector s = toFloats(q0.and((byte) 0x0F).or(highBits(qh, 0)).sub((byte) 16)).mul(FloatVector.fromArray(F, x, xi));
            s = toFloats(q1.and((byte) 0x0F).or(highBits(qh, 8)).sub((byte) 16)).fma(FloatVector.fromArray(F, x, xi + 8), s);
            s = toFloats(q0.lanewise(VectorOperators.LSHR, 4).or(highBits(qh, 16)).sub((byte) 16)).fma(FloatVector.fromArray(F, x, xi + 16), s);
            s = toFloats(q1.lanewise(VectorOperators.LSHR, 4).or(highBits(qh, 24)).sub((byte) 16)).fma(FloatVector.fromArray(F, x, xi + 24), s);
            acc = s.fma(FloatVector.broadcast(F, half(p) * a.d[bo + k]), acc);
        }
        return GgmlSums.hsum8(acc);
    }

    @Override
    protected void dotEach(int r0, int r1, Activations a, FloatBatch out, int outCol0) {
        float[] o = out.data();
        int oc = out.cols();
        for (int r = r0; r < r1; r++) {
            for (int b = 0; b < a.rows; b++) o[b * oc + outCol0 + r] = dot(r, a, b);
        }
    }

    @Override
    public float dotReference(int row, Activations a, int b) {
        long base = row * rowBytes;
        int xo = a.rowOffset(b);
        int bo = a.blockOffset(b);
        float sum = 0;
        for (int k = 0; k < cols / 32; k++) {
            long p = base + (long) k * BLOCK_BYTES;
            int qh = data.get(INT_LE, p + 2);
            int sumi = 0;
            for (int j = 0; j < 16; j++) {
                int q = data.get(ValueLayout.JAVA_BYTE, p + 6 + j) & 0xFF;
                int lo = (q & 0x0F) | (((qh >>> j) & 1) << 4);
                int hi = (q >>> 4) | (((qh >>> (j + 16)) & 1) << 4);
                sumi += (lo - 16) * a.qBytes[xo + k * 32 + j];
                sumi += (hi - 16) * a.qBytes[xo + k * 32 + j + 16];
            }
            sum += sumi * (half(p) * a.d[bo + k]);
        }
        return sum;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int offset) {
        QuantFormats.of(type).dequantize(data, row * rowBytes, cols, out, offset);
    }
}
