package io.promptune.optimizer.samplers;

import org.apache.commons.math3.special.Erf;

/**
 * log EI for a maximised Gaussian posterior, stable far into the tail where EI underflows (the
 * "LogEI" idea of Ament et al., 2023): EI = sigma * h(z) with h(z) = phi(z) + z Phi(z), and for
 * z < -5 h is computed through the Mills ratio's continued fraction instead of by cancellation.
 */
final class LogExpectedImprovement {
    private static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

    private LogExpectedImprovement() {
    }

    static double pdf(double z) {
        return Math.exp(-0.5 * z * z - LOG_SQRT_2PI);
    }

    static double cdf(double z) {
        return 0.5 * Erf.erfc(-z / Math.sqrt(2));
    }

    /** Mills ratio Phi(-t)/phi(t) for t >= 5, by its continued fraction. */
    private static double mills(double t) {
        double f = t;
        for (int k = 60; k >= 1; k--) f = t + k / f;
        return 1 / f;
    }

    /** log h(z). */
    static double logH(double z) {
        if (z > -5) return Math.log(pdf(z) + z * cdf(z));
        double t = -z;
        double oneMinus = t > 1e4 ? 1 / (t * t) : 1 - t * mills(t);
        return -0.5 * z * z - LOG_SQRT_2PI + Math.log(oneMinus);
    }

    /** d log h / dz = Phi(z) / h(z). */
    static double dLogH(double z) {
        if (z > -5) return cdf(z) / (pdf(z) + z * cdf(z));
        double t = -z;
        double m = mills(t);
        double oneMinus = t > 1e4 ? 1 / (t * t) : 1 - t * m;
        return m / oneMinus;
    }
}
