package io.promptune.optimizer.samplers;

/**
 * Limited-memory BFGS with optional box bounds handled by projection (a light L-BFGS-B): the search
 * direction is built from the last {@code m} steps, the step is projected back into the box, and an
 * Armijo backtracking line search guards every move. Used to fit GP hyperparameters and to polish
 * the acquisition function; both are smooth and low-dimensional, where this is plenty.
 */
final class Lbfgs {
    @FunctionalInterface
    interface DiffFunction {
        /** Returns f(x) and writes the gradient into g. */
        double value(double[] x, double[] g);
    }

    record Result(double[] x, double value, int evaluations) {
    }

    private Lbfgs() {
    }

    static Result minimize(DiffFunction f, double[] x0, double[] lower, double[] upper, int maxIter, double gtol) {
        int n = x0.length, m = 8;
        double[] x = x0.clone();
        project(x, lower, upper);
        double[] g = new double[n];
        double fx = f.value(x, g);
        int evals = 1;
        if (!Double.isFinite(fx)) return new Result(x, fx, evals);
        double[][] s = new double[m][], y = new double[m][];
        double[] rho = new double[m];
        int stored = 0, head = 0;
        double[] gNew = new double[n], xNew = new double[n], d = new double[n], alpha = new double[m];
        for (int iter = 0; iter < maxIter; iter++) {
            double[] pg = projectedGradient(x, g, lower, upper);
            if (norm(pg) < gtol) break;
            // Two-loop recursion on the projected gradient.
            System.arraycopy(pg, 0, d, 0, n);
            for (int k = 0; k < stored; k++) {
                int i = Math.floorMod(head - 1 - k, m);
                alpha[i] = rho[i] * dot(s[i], d);
                for (int j = 0; j < n; j++) d[j] -= alpha[i] * y[i][j];
            }
            double gamma = 1;
            if (stored > 0) {
                int last = Math.floorMod(head - 1, m);
                gamma = dot(s[last], y[last]) / dot(y[last], y[last]);
            }
            for (int j = 0; j < n; j++) d[j] *= gamma;
            for (int k = stored - 1; k >= 0; k--) {
                int i = Math.floorMod(head - 1 - k, m);
                double beta = rho[i] * dot(y[i], d);
                for (int j = 0; j < n; j++) d[j] += s[i][j] * (alpha[i] - beta);
            }
            for (int j = 0; j < n; j++) {
                d[j] = -d[j];
                if (pg[j] == 0) d[j] = 0; // pinned at a bound
            }
            if (dot(d, pg) >= 0) { // not a descent direction: restart from steepest descent
                for (int j = 0; j < n; j++) d[j] = -pg[j];
                stored = 0;
            }
            double step = stored == 0 ? Math.min(1.0, 1.0 / Math.max(norm(d), 1e-12)) : 1.0;
            double fNew = Double.NaN;
            boolean accepted = false;
            for (int ls = 0; ls < 30; ls++) {
                for (int j = 0; j < n; j++) xNew[j] = x[j] + step * d[j];
                project(xNew, lower, upper);
                double decrease = 0;
                for (int j = 0; j < n; j++) decrease += pg[j] * (xNew[j] - x[j]);
                fNew = f.value(xNew, gNew);
                evals++;
                if (Double.isFinite(fNew) && fNew <= fx + 1e-4 * decrease) {
                    accepted = true;
                    break;
                }
                step *= 0.5;
            }
            if (!accepted) break;
            double[] sk = new double[n], yk = new double[n];
            for (int j = 0; j < n; j++) {
                sk[j] = xNew[j] - x[j];
                yk[j] = gNew[j] - g[j];
            }
            double sy = dot(sk, yk);
            if (sy > 1e-12) {
                s[head] = sk;
                y[head] = yk;
                rho[head] = 1 / sy;
                head = (head + 1) % m;
                stored = Math.min(stored + 1, m);
            }
            double rel = Math.abs(fx - fNew) / Math.max(1.0, Math.abs(fx));
            System.arraycopy(xNew, 0, x, 0, n);
            System.arraycopy(gNew, 0, g, 0, n);
            fx = fNew;
            if (rel < 1e-10) break;
        }
        return new Result(x, fx, evals);
    }

    private static double[] projectedGradient(double[] x, double[] g, double[] lo, double[] hi) {
        double[] pg = g.clone();
        if (lo == null) return pg;
        for (int j = 0; j < x.length; j++) {
            if (x[j] <= lo[j] && g[j] > 0) pg[j] = 0;
            if (x[j] >= hi[j] && g[j] < 0) pg[j] = 0;
        }
        return pg;
    }

    private static void project(double[] x, double[] lo, double[] hi) {
        if (lo == null) return;
        for (int j = 0; j < x.length; j++) x[j] = Math.clamp(x[j], lo[j], hi[j]);
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }
}
