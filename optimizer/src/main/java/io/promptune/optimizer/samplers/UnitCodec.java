package io.promptune.optimizer.samplers;

import io.promptune.optimizer.ParamSpec;
import io.promptune.optimizer.ParamSpec.CategoricalParam;
import io.promptune.optimizer.ParamSpec.FloatParam;
import io.promptune.optimizer.ParamSpec.IntParam;
import io.promptune.optimizer.SearchSpace;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps assignments to vectors: a numeric parameter to [0, 1] (log-scaled ones in log space, integers
 * with each value owning an equal slice), a categorical one to its choice index, and an inactive or
 * missing parameter to NaN.
 */
public final class UnitCodec {
    private final List<ParamSpec> dims;
    private final boolean[] categorical;
    private final int[] nChoices;

    public UnitCodec(SearchSpace space) {
        this.dims = space.searchable();
        this.categorical = new boolean[dims.size()];
        this.nChoices = new int[dims.size()];
        for (int i = 0; i < dims.size(); i++) {
            if (dims.get(i) instanceof CategoricalParam c) {
                categorical[i] = true;
                nChoices[i] = c.choices().size();
            }
        }
    }

    public int size() {
        return dims.size();
    }

    public ParamSpec dim(int i) {
        return dims.get(i);
    }

    public boolean isCategorical(int i) {
        return categorical[i];
    }

    public int choices(int i) {
        return nChoices[i];
    }

    /** Number of distinct values of a discrete numeric dimension (0 for continuous floats). */
    public long levels(int i) {
        return switch (dims.get(i)) {
            case IntParam p -> p.count();
            case FloatParam f when f.step() != null -> (long) Math.floor((f.high() - f.low()) / f.step()) + 1;
            case CategoricalParam c -> c.choices().size();
            default -> 0;
        };
    }

    public int continuousCount() {
        int n = 0;
        for (boolean c : categorical) if (!c) n++;
        return n;
    }

    public double[] encode(Map<String, Object> params) {
        double[] x = new double[dims.size()];
        for (int i = 0; i < dims.size(); i++) {
            Object v = params.get(dims.get(i).name());
            if (v == null && !(dims.get(i) instanceof CategoricalParam c && c.indexOf(null) >= 0 && params.containsKey(c.name()))) {
                x[i] = Double.NaN;
                continue;
            }
            x[i] = switch (dims.get(i)) {
                case FloatParam f -> f.toUnit(((Number) v).doubleValue());
                case IntParam p -> p.toUnit(((Number) v).longValue());
                case CategoricalParam c -> c.indexOf(v);
                default -> Double.NaN;
            };
            if (categorical[i] && x[i] < 0) x[i] = Double.NaN;
        }
        return x;
    }

    /** Proposal for every searchable parameter (the space's assemble() drops inactive ones). */
    public Map<String, Object> decode(double[] x) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < dims.size(); i++) {
            ParamSpec p = dims.get(i);
            out.put(p.name(), switch (p) {
                case FloatParam f -> f.fromUnit(x[i]);
                case IntParam ip -> ip.fromUnit(x[i]);
                case CategoricalParam c -> c.choices().get((int) Math.clamp(Math.round(x[i]), 0, c.choices().size() - 1));
                default -> null;
            });
        }
        return out;
    }

    /** Snaps a unit vector onto representable values (integer grids, step grids), keeping categorical indices. */
    public double[] snap(double[] x) {
        double[] y = x.clone();
        for (int i = 0; i < dims.size(); i++) {
            if (Double.isNaN(x[i])) continue;
            switch (dims.get(i)) {
                case FloatParam f -> y[i] = f.toUnit(f.fromUnit(x[i]));
                case IntParam p -> y[i] = p.toUnit(p.fromUnit(x[i]));
                default -> { }
            }
        }
        return y;
    }
}
