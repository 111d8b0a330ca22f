package io.promptune.optimizer.samplers;

/**
 * A Gaussian process with a Matérn 5/2 kernel and one lengthscale per dimension (ARD). Numeric
 * dimensions use squared distance in [0,1]; categorical ones use the Hamming distance (0 or 1), so
 * a fitted lengthscale tells how much a categorical choice matters. Hyperparameters (inverse
 * squared lengthscales, signal variance, noise variance) are fitted by maximising the log marginal
 * likelihood plus weak priors (those Optuna's GPSampler uses), with L-BFGS on an exact gradient.
 */
final class GaussianProcess {
    static final double MIN_NOISE = 1e-6;

    final double[][] x;
    final double[] y;
    final boolean[] categorical;
    final int n, d;
    /** Known noise variance per point (standardised units), e.g. from the trial's standard error. */
    final double[] knownNoise;
    /** Whether a shared noise variance is fitted; off for deterministic objectives (then only jitter). */
    final boolean learnNoise;
    /** log inverse squared lengthscales (d), log signal variance, log (noise - MIN_NOISE). */
    double[] theta;
    private double[][] kInv;
    private double[] alpha;
    private double[] lambda;
    private double scale;

    GaussianProcess(double[][] x, double[] y, boolean[] categorical, double[] knownNoise, boolean learnNoise) {
        this.knownNoise = knownNoise == null ? new double[x.length] : knownNoise;
        this.learnNoise = learnNoise;
        this.x = x;
        this.y = y;
        this.categorical = categorical;
        this.n = x.length;
        this.d = categorical.length;
        this.theta = defaultTheta(d);
    }

    static double[] defaultTheta(int d) {
        double[] t = new double[d + 2];
        t[d] = 0;
        t[d + 1] = Math.log(1e-2);
        return t;
    }

    /** Matérn 5/2 of a squared scaled distance. */
    static double matern(double r2) {
        double r = Math.sqrt(5 * r2);
        return (1 + r + 5.0 / 3.0 * r2) * Math.exp(-r);
    }

    /** d matern / d r2. */
    static double maternDr2(double r2) {
        double r = Math.sqrt(5 * r2);
        return -5.0 / 6.0 * (1 + r) * Math.exp(-r);
    }

    private double dist(double[] a, double[] b, int j) {
        if (categorical[j]) return a[j] == b[j] ? 0 : 1;
        double t = a[j] - b[j];
        return t * t;
    }

    /** Per-dimension pairwise distances, computed once per fit: [dim][a * n + b] for b < a. */
    private double[][] pairDist;

    private double[][] pairDistances() {
        if (pairDist == null) {
            pairDist = new double[d][n * n];
            for (int a = 0; a < n; a++)
                for (int b = 0; b < a; b++)
                    for (int j = 0; j < d; j++) pairDist[j][a * n + b] = dist(x[a], x[b], j);
        }
        return pairDist;
    }

    /** Negative (log marginal likelihood + log prior), with its gradient in g. */
    double loss(double[] th, double[] g) {
        double[] lam = new double[d];
        for (int j = 0; j < d; j++) lam[j] = Math.exp(th[j]);
        double s = Math.exp(th[d]), noise = MIN_NOISE + Math.exp(th[d + 1]);
        double[][] pd = pairDistances();
        double[][] r2 = new double[n][n], k = new double[n][n];
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < a; b++) {
                double t = 0;
                int idx = a * n + b;
                for (int j = 0; j < d; j++) t += lam[j] * pd[j][idx];
                r2[a][b] = r2[b][a] = t;
                k[a][b] = k[b][a] = s * matern(t);
            }
            k[a][a] = s + noise + knownNoise[a];
        }
        double[][] l = Cholesky.decompose(k);
        if (l == null) {
            java.util.Arrays.fill(g, 0);
            return Double.POSITIVE_INFINITY;
        }
        double[] al = Cholesky.solve(l, y);
        double logDet = 0;
        for (int a = 0; a < n; a++) logDet += Math.log(l[a][a]);
        double nll = 0.5 * Lbfgs.dot(y, al) + logDet + 0.5 * n * Math.log(2 * Math.PI);
        double[][] inv = Cholesky.inverse(l);
        // dNLL/dtheta = -0.5 tr((alpha alpha^T - K^-1) dK/dtheta)
        java.util.Arrays.fill(g, 0);
        double gs = 0, gn = 0;
        for (int a = 0; a < n; a++) {
            double w0 = al[a] * al[a] - inv[a][a];
            gs += w0 * s;
            gn += w0;
            for (int b = 0; b < a; b++) {
                double w = 2 * (al[a] * al[b] - inv[a][b]); // (a,b) and (b,a)
                gs += w * k[a][b];
                double c = w * s * maternDr2(r2[a][b]);
                int idx = a * n + b;
                for (int j = 0; j < d; j++) g[j] += c * lam[j] * pd[j][idx];
            }
        }
        for (int j = 0; j < d; j++) g[j] *= -0.5;
        g[d] = -0.5 * gs;
        g[d + 1] = -0.5 * gn * (noise - MIN_NOISE);
        // Priors: lengthscales near 1 on the unit cube, signal variance Gamma(2,1), noise Gamma(1.1,30).
        double prior = 0;
        for (int j = 0; j < d; j++) {
            prior += -(0.1 / lam[j] + 0.1 * lam[j]);
            g[j] -= 0.1 / lam[j] - 0.1 * lam[j];
        }
        prior += Math.log(s) - s;
        g[d] -= 1 - s;
        prior += 0.1 * Math.log(noise) - 30 * noise;
        g[d + 1] -= (0.1 / noise - 30) * (noise - MIN_NOISE);
        return nll - prior;
    }

    /** Fits the hyperparameters from the current theta (warm start) and from the default start. */
    void fit(double[] warmStart, boolean alsoFromDefault) {
        double[] lo = new double[d + 2], hi = new double[d + 2];
        for (int j = 0; j < d; j++) { lo[j] = Math.log(1e-4); hi[j] = Math.log(1e4); }
        lo[d] = Math.log(1e-3); hi[d] = Math.log(1e3);
        lo[d + 1] = Math.log(1e-9); hi[d + 1] = Math.log(10);
        if (!learnNoise) lo[d + 1] = hi[d + 1] = Math.log(1e-9);
        Lbfgs.Result best = null;
        for (double[] start : warmStart == null ? new double[][]{defaultTheta(d)}
                : alsoFromDefault ? new double[][]{warmStart.clone(), defaultTheta(d)} : new double[][]{warmStart.clone()}) {
            if (!learnNoise) start[d + 1] = Math.log(1e-9);
            Lbfgs.Result r = Lbfgs.minimize(this::loss, start, lo, hi, 40, 1e-2);
            if (best == null || r.value() < best.value()) best = r;
        }
        theta = best.x();
        prepare();
    }

    /** Caches K^-1 and alpha for predictions at the current hyperparameters. */
    void prepare() {
        lambda = new double[d];
        for (int j = 0; j < d; j++) lambda[j] = Math.exp(theta[j]);
        scale = Math.exp(theta[d]);
        double noise = MIN_NOISE + Math.exp(theta[d + 1]);
        double[][] k = new double[n][n];
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < a; b++) k[a][b] = k[b][a] = scale * matern(r2(x[a], x[b]));
            k[a][a] = scale + noise + knownNoise[a];
        }
        double[][] l = Cholesky.decompose(k);
        double jitter = 1e-8;
        while (l == null) {
            for (int a = 0; a < n; a++) k[a][a] += jitter;
            jitter *= 10;
            l = Cholesky.decompose(k);
        }
        alpha = Cholesky.solve(l, y);
        kInv = Cholesky.inverse(l);
    }

    double r2(double[] a, double[] b) {
        double t = 0;
        for (int j = 0; j < d; j++) t += lambda[j] * dist(a, b, j);
        return t;
    }

    double lengthscale(int j) {
        return 1 / Math.sqrt(Math.exp(theta[j]));
    }

    /**
     * Posterior mean and variance at p; when grad is non-null, also their gradients with respect to
     * the numeric coordinates (grad[0] for the mean, grad[1] for the variance; categorical entries 0).
     */
    double[] posterior(double[] p, double[][] grad) {
        double[] kv = new double[n], dr = grad == null ? null : new double[n];
        for (int i = 0; i < n; i++) {
            double t = r2(p, x[i]);
            kv[i] = scale * matern(t);
            if (dr != null) dr[i] = scale * maternDr2(t);
        }
        double mean = Lbfgs.dot(kv, alpha);
        double[] v = new double[n];
        for (int a = 0; a < n; a++) {
            double s = 0;
            double[] row = kInv[a];
            for (int b = 0; b < n; b++) s += row[b] * kv[b];
            v[a] = s;
        }
        double var = Math.max(scale - Lbfgs.dot(kv, v), 1e-12);
        if (grad != null) {
            java.util.Arrays.fill(grad[0], 0);
            java.util.Arrays.fill(grad[1], 0);
            for (int i = 0; i < n; i++) {
                double cm = alpha[i] * dr[i], cv = -2 * v[i] * dr[i];
                for (int j = 0; j < d; j++) {
                    if (categorical[j]) continue;
                    double dd = 2 * lambda[j] * (p[j] - x[i][j]);
                    grad[0][j] += cm * dd;
                    grad[1][j] += cv * dd;
                }
            }
        }
        return new double[]{mean, var};
    }

    /** Cholesky factorisation helpers on plain arrays. */
    static final class Cholesky {
        private Cholesky() {
        }

        /** Lower-triangular L with L L^T = a, or null when a is not positive definite. */
        static double[][] decompose(double[][] a) {
            int n = a.length;
            double[][] l = new double[n][n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j <= i; j++) {
                    double s = a[i][j];
                    double[] li = l[i], lj = l[j];
                    for (int k = 0; k < j; k++) s -= li[k] * lj[k];
                    if (i == j) {
                        if (!(s > 0)) return null;
                        li[i] = Math.sqrt(s);
                    } else {
                        li[j] = s / lj[j];
                    }
                }
            }
            return l;
        }

        static double[] solve(double[][] l, double[] b) {
            int n = b.length;
            double[] z = new double[n];
            for (int i = 0; i < n; i++) {
                double s = b[i];
                for (int k = 0; k < i; k++) s -= l[i][k] * z[k];
                z[i] = s / l[i][i];
            }
            double[] x = new double[n];
            for (int i = n - 1; i >= 0; i--) {
                double s = z[i];
                for (int k = i + 1; k < n; k++) s -= l[k][i] * x[k];
                x[i] = s / l[i][i];
            }
            return x;
        }

        static double[][] inverse(double[][] l) {
            int n = l.length;
            // inv(L) then inv(L)^T inv(L)
            double[][] li = new double[n][n];
            for (int i = 0; i < n; i++) {
                li[i][i] = 1 / l[i][i];
                for (int j = 0; j < i; j++) {
                    double s = 0;
                    for (int k = j; k < i; k++) s -= l[i][k] * li[k][j];
                    li[i][j] = s / l[i][i];
                }
            }
            double[][] inv = new double[n][n];
            for (int i = 0; i < n; i++)
                for (int j = 0; j <= i; j++) {
                    double s = 0;
                    for (int k = i; k < n; k++) s += li[k][i] * li[k][j];
                    inv[i][j] = inv[j][i] = s;
                }
            return inv;
        }
    }
}
