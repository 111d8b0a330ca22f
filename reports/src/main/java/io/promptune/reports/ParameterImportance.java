package io.promptune.reports;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How much of the objective's spread across trials each parameter explains. Method: for each
 * parameter, the trials are grouped (a categorical by its choice; a number into up to five
 * equal-count bins) and the share of the objective's variance between the group means is taken
 * (the correlation ratio eta squared, a one-way variance decomposition in the spirit of fANOVA
 * without its random forest). Shares are normalised to sum to 1. For numbers, Spearman's rank
 * correlation gives the direction (higher value, higher or lower objective).
 */
public final class ParameterImportance {
    public static final String METHOD = "correlation ratio (eta squared) of the objective over each parameter's "
            + "groups: categorical choices, or up to 5 equal-count bins of a number; normalised to sum to 1 "
            + "(a one-way variance decomposition, fANOVA-lite). Direction: Spearman rank correlation.";

    public record Entry(String param, double importance, Double spearman) { }

    private ParameterImportance() { }

    /** @param rows each row is one finished trial's params; {@code values} its objective, same order. */
    public static List<Entry> compute(List<Map<String, Object>> rows, double[] values, List<String> params) {
        List<Entry> raw = new ArrayList<>();
        if (values.length < 3) return raw;
        double mean = 0;
        for (double v : values) mean += v;
        mean /= values.length;
        double total = 0;
        for (double v : values) total += (v - mean) * (v - mean);
        double sum = 0;
        Map<String, double[]> scored = new LinkedHashMap<>();
        for (String p : params) {
            List<Object> xs = new ArrayList<>();
            for (Map<String, Object> r : rows) xs.add(r.get(p));
            boolean numeric = xs.stream().allMatch(x -> x instanceof Number);
            String[] groups = numeric ? bins(xs) : xs.stream().map(String::valueOf).toArray(String[]::new);
            double eta = total <= 0 ? 0 : betweenGroups(groups, values, mean) / total;
            Double rho = numeric ? spearman(xs.stream().mapToDouble(x -> ((Number) x).doubleValue()).toArray(), values) : null;
            scored.put(p, new double[]{eta, rho == null ? Double.NaN : rho});
            sum += eta;
        }
        for (var e : scored.entrySet()) {
            double share = sum <= 0 ? 0 : e.getValue()[0] / sum;
            double rho = e.getValue()[1];
            raw.add(new Entry(e.getKey(), share, Double.isNaN(rho) ? null : rho));
        }
        raw.sort(Comparator.comparingDouble(Entry::importance).reversed());
        return raw;
    }

    private static double betweenGroups(String[] groups, double[] values, double mean) {
        Map<String, double[]> acc = new HashMap<>();
        for (int i = 0; i < groups.length; i++) {
            double[] a = acc.computeIfAbsent(groups[i], k -> new double[2]);
            a[0] += values[i];
            a[1]++;
        }
        double between = 0;
        for (double[] a : acc.values()) {
            double m = a[0] / a[1];
            between += a[1] * (m - mean) * (m - mean);
        }
        return between;
    }

    /** Equal-count bins by rank (at most 5, at least 2 trials per bin). */
    static String[] bins(List<Object> xs) {
        int n = xs.size();
        int k = Math.max(1, Math.min(5, n / 2));
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.Arrays.sort(order, Comparator.comparingDouble(i -> ((Number) xs.get(i)).doubleValue()));
        String[] g = new String[n];
        Map<Double, String> binOfValue = new HashMap<>(); // equal values share a bin, or ties would look like signal
        for (int r = 0; r < n; r++) {
            double v = ((Number) xs.get(order[r])).doubleValue();
            String bin = "bin" + (r * k / n);
            g[order[r]] = binOfValue.computeIfAbsent(v, x -> bin);
        }
        return g;
    }

    static double spearman(double[] x, double[] y) {
        double[] rx = ranks(x), ry = ranks(y);
        double mx = 0, my = 0;
        for (int i = 0; i < x.length; i++) { mx += rx[i]; my += ry[i]; }
        mx /= x.length;
        my /= y.length;
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (rx[i] - mx) * (ry[i] - my);
            sxx += (rx[i] - mx) * (rx[i] - mx);
            syy += (ry[i] - my) * (ry[i] - my);
        }
        return sxx == 0 || syy == 0 ? 0 : sxy / Math.sqrt(sxx * syy);
    }

    /** Average ranks (ties share their mean rank). */
    static double[] ranks(double[] x) {
        Integer[] idx = new Integer[x.length];
        for (int i = 0; i < x.length; i++) idx[i] = i;
        java.util.Arrays.sort(idx, Comparator.comparingDouble(i -> x[i]));
        double[] r = new double[x.length];
        for (int i = 0; i < x.length; ) {
            int j = i;
            while (j + 1 < x.length && x[idx[j + 1]] == x[idx[i]]) j++;
            double avg = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) r[idx[k]] = avg;
            i = j + 1;
        }
        return r;
    }
}
