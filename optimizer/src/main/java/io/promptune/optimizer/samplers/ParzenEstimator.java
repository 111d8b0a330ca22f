package io.promptune.optimizer.samplers;

import org.apache.commons.math3.special.Erf;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A weighted mixture of product kernels over the unit-encoded space, plus one broad prior kernel:
 * truncated normals on [0,1] for numeric dimensions, smoothed one-hot distributions for
 * categorical ones. A NaN coordinate (inactive parameter) makes that kernel uniform in that
 * dimension. Bandwidths follow Optuna 5's TPE: per-dimension neighbour distances, clipped below
 * by 1/min(100, 1 + kernels).
 */
final class ParzenEstimator {
    private static final double SQRT2 = Math.sqrt(2), LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

    private final UnitCodec codec;
    private final int[] dims;
    private final int k; // kernels, the last is the prior
    private final double[] logWeights;
    private final double[][] mu, sigma, logNorm; // [kernel][dimIndex]
    private final double[][][] catLogP; // [kernel][dimIndex][choice]

    /**
     * @param points     observed points (encoded), one kernel each
     * @param weights    one weight per point (the prior gets {@code priorWeight})
     * @param dims       which dimensions of the codec this estimator covers
     * @param multivariate bandwidth rule
     */
    ParzenEstimator(UnitCodec codec, List<double[]> points, double[] weights, int[] dims, double priorWeight, boolean multivariate) {
        this.codec = codec;
        this.dims = dims;
        int n = points.size();
        this.k = n + 1;
        logWeights = new double[k];
        double sum = priorWeight;
        for (double w : weights) sum += w;
        for (int i = 0; i < n; i++) logWeights[i] = Math.log(weights[i] / sum);
        logWeights[n] = Math.log(priorWeight / sum);
        mu = new double[k][dims.length];
        sigma = new double[k][dims.length];
        logNorm = new double[k][dims.length];
        catLogP = new double[k][dims.length][];
        double minSigma = 1.0 / Math.min(100.0, 1.0 + k);
        for (int j = 0; j < dims.length; j++) {
            int d = dims[j];
            if (codec.isCategorical(d)) {
                int c = codec.choices(d);
                for (int i = 0; i < k; i++) {
                    double[] p = new double[c];
                    java.util.Arrays.fill(p, priorWeight / k);
                    double tot = priorWeight / k * c;
                    if (i < n && !Double.isNaN(points.get(i)[d])) {
                        p[(int) points.get(i)[d]] += 1;
                        tot += 1;
                    } else if (i < n) {
                        java.util.Arrays.fill(p, 1.0);
                        tot = c;
                    }
                    for (int q = 0; q < c; q++) p[q] = Math.log(p[q] / tot);
                    catLogP[i][j] = p;
                }
                continue;
            }
            double[] s = neighbourSigmas(points, d);
            for (int i = 0; i < k; i++) {
                boolean prior = i == n;
                double m = prior ? 0.5 : points.get(i)[d];
                double sg = prior ? 1.0 : Math.clamp(s[i], minSigma, 1.0);
                if (Double.isNaN(m)) { // inactive: uniform over [0,1]
                    mu[i][j] = Double.NaN;
                    continue;
                }
                mu[i][j] = m;
                sigma[i][j] = sg;
                double mass = phi((1 - m) / sg) - phi((0 - m) / sg);
                logNorm[i][j] = -Math.log(sg) - LOG_SQRT_2PI - Math.log(Math.max(mass, 1e-300));
            }
        }
    }

    /**
     * Optuna's (v5) rule, per dimension even for the joint model: the larger gap to a neighbouring
     * observation (the range ends count as neighbours, except for the outermost kernels).
     */
    private static double[] neighbourSigmas(List<double[]> points, int d) {
        int n = points.size();
        double[] out = new double[n];
        if (n == 0) return out;
        Integer[] idx = new Integer[n];
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = Double.isNaN(points.get(i)[d]) ? 0.5 : points.get(i)[d];
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, (a, b) -> Double.compare(v[a], v[b]));
        double[] sorted = new double[n + 2];
        sorted[0] = 0;
        for (int i = 0; i < n; i++) sorted[i + 1] = v[idx[i]];
        sorted[n + 1] = 1;
        for (int r = 0; r < n; r++) {
            double s = Math.max(sorted[r + 1] - sorted[r], sorted[r + 2] - sorted[r + 1]);
            if (n + 2 >= 4) {
                if (r == 0) s = sorted[2] - sorted[1];
                if (r == n - 1) s = sorted[n] - sorted[n - 1];
            }
            out[idx[r]] = s;
        }
        return out;
    }

    static double phi(double z) {
        return 0.5 * Erf.erfc(-z / SQRT2);
    }

    /** Draws a point: pick a kernel by weight, then each covered dimension from that kernel. */
    double[] sample(SplittableRandom r, double[] into) {
        double u = r.nextDouble(), acc = 0;
        int i = k - 1;
        for (int q = 0; q < k; q++) {
            acc += Math.exp(logWeights[q]);
            if (u < acc) { i = q; break; }
        }
        for (int j = 0; j < dims.length; j++) {
            int d = dims[j];
            if (codec.isCategorical(d)) {
                double[] lp = catLogP[i][j];
                double v = r.nextDouble(), a = 0;
                int pick = lp.length - 1;
                for (int c = 0; c < lp.length; c++) {
                    a += Math.exp(lp[c]);
                    if (v < a) { pick = c; break; }
                }
                into[d] = pick;
            } else if (Double.isNaN(mu[i][j])) {
                into[d] = r.nextDouble();
            } else {
                into[d] = truncatedNormal(r, mu[i][j], sigma[i][j]);
            }
        }
        return into;
    }

    private static double truncatedNormal(SplittableRandom r, double m, double s) {
        for (int attempt = 0; attempt < 32; attempt++) {
            double x = m + s * gaussian(r);
            if (x >= 0 && x <= 1) return x;
        }
        return Math.clamp(m, 0, 1);
    }

    private static double gaussian(SplittableRandom r) {
        double u1 = r.nextDouble(), u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** Log density of a point over the covered dimensions. */
    double logPdf(double[] x) {
        double max = Double.NEGATIVE_INFINITY;
        double[] terms = new double[k];
        for (int i = 0; i < k; i++) {
            double t = logWeights[i];
            for (int j = 0; j < dims.length; j++) {
                int d = dims[j];
                if (codec.isCategorical(d)) t += catLogP[i][j][(int) x[d]];
                else if (!Double.isNaN(mu[i][j])) {
                    double z = (x[d] - mu[i][j]) / sigma[i][j];
                    t += logNorm[i][j] - 0.5 * z * z;
                }
            }
            terms[i] = t;
            max = Math.max(max, t);
        }
        double s = 0;
        for (double t : terms) s += Math.exp(t - max);
        return max + Math.log(s);
    }
}
