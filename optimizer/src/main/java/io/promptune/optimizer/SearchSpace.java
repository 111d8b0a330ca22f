package io.promptune.optimizer;

import io.promptune.optimizer.ParamSpec.CategoricalParam;
import io.promptune.optimizer.ParamSpec.FixedParam;
import io.promptune.optimizer.ParamSpec.FloatParam;
import io.promptune.optimizer.ParamSpec.IntParam;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parameters a study searches over, in declaration order. A conditional parameter may only
 * depend on a parameter declared before it, so one pass in order decides which are active.
 */
public final class SearchSpace {
    private final List<ParamSpec> params;
    private final Map<String, ParamSpec> byName;

    private SearchSpace(List<ParamSpec> params) {
        if (params.isEmpty()) throw new SearchSpaceException("the search space is empty: declare at least one parameter");
        Map<String, ParamSpec> map = new LinkedHashMap<>();
        for (ParamSpec p : params) {
            if (p.name() == null || p.name().isBlank()) throw new SearchSpaceException("a parameter has no name (field 'name')");
            if (map.containsKey(p.name())) throw new SearchSpaceException("parameter '" + p.name() + "' is declared twice (field 'name')");
            Condition c = p.condition();
            if (c != null) {
                ParamSpec parent = map.get(c.parent());
                if (parent == null)
                    throw new SearchSpaceException("parameter '" + p.name() + "': field 'condition' refers to '" + c.parent()
                            + "', which is not declared before it");
                if (parent instanceof CategoricalParam cp)
                    for (Object v : c.anyOf())
                        if (cp.indexOf(v) < 0)
                            throw new SearchSpaceException("parameter '" + p.name() + "': field 'condition' value " + v
                                    + " is not a choice of '" + c.parent() + "' " + cp.choices());
            }
            map.put(p.name(), p);
        }
        if (map.values().stream().allMatch(p -> p instanceof FixedParam))
            throw new SearchSpaceException("the search space has only fixed values: declare at least one float, int or categorical parameter");
        this.params = List.copyOf(params);
        this.byName = Collections.unmodifiableMap(map);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static SearchSpace of(List<ParamSpec> params) {
        return new SearchSpace(params);
    }

    /** Parses the JSON form: a list of {"name","type","low","high","log","step","choices","value","condition"}. */
    public static SearchSpace fromJson(String json) {
        return SearchSpaceJson.parse(json, "search space");
    }

    public static SearchSpace fromJsonFile(Path file) {
        return SearchSpaceJson.parseFile(file);
    }

    public String toJson() {
        return SearchSpaceJson.write(this);
    }

    public List<ParamSpec> params() {
        return params;
    }

    public ParamSpec param(String name) {
        return byName.get(name);
    }

    /** Parameters that are searched (not fixed). */
    public List<ParamSpec> searchable() {
        return params.stream().filter(p -> !(p instanceof FixedParam)).toList();
    }

    public boolean hasConditions() {
        return params.stream().anyMatch(p -> p.condition() != null);
    }

    /** Is the parameter active given the values assigned to earlier parameters? */
    public boolean isActive(ParamSpec p, Map<String, Object> assigned) {
        return p.condition() == null || p.condition().holds(assigned);
    }

    /**
     * Checks and canonicalises a full assignment (e.g. an enqueued baseline or one read from
     * storage): keeps active parameters only, fills fixed values, snaps numbers to the grid.
     *
     * @throws SearchSpaceException naming the parameter when a value is missing or out of range
     */
    public Map<String, Object> normalize(Map<String, ?> values) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (ParamSpec p : params) {
            if (!isActive(p, out)) continue;
            Object v = values.get(p.name());
            switch (p) {
                case FixedParam f -> out.put(p.name(), f.value());
                case FloatParam f -> {
                    double d = number(p, v);
                    if (d < f.low() - 1e-12 * Math.max(1, Math.abs(f.low())) || d > f.high() + 1e-12 * Math.max(1, Math.abs(f.high())))
                        throw new SearchSpaceException("parameter '" + p.name() + "': value " + d + " is outside [" + f.low() + ", " + f.high() + "]");
                    out.put(p.name(), Math.clamp(d, f.low(), f.high()));
                }
                case IntParam ip -> {
                    double d = number(p, v);
                    long l = Math.round(d);
                    if (l < ip.low() || l > ip.high() || d != l || (l - ip.low()) % ip.step() != 0)
                        throw new SearchSpaceException("parameter '" + p.name() + "': value " + v + " is not an integer in ["
                                + ip.low() + ", " + ip.high() + "] on step " + ip.step());
                    out.put(p.name(), l);
                }
                case CategoricalParam c -> {
                    if (!values.containsKey(p.name()))
                        throw new SearchSpaceException("parameter '" + p.name() + "': no value given");
                    int i = c.indexOf(v);
                    if (i < 0) throw new SearchSpaceException("parameter '" + p.name() + "': value " + v + " is not one of " + c.choices());
                    out.put(p.name(), c.choices().get(i));
                }
            }
        }
        return out;
    }

    private static double number(ParamSpec p, Object v) {
        if (v instanceof Number n && Double.isFinite(n.doubleValue())) return n.doubleValue();
        throw new SearchSpaceException("parameter '" + p.name() + "': expected a finite number, got " + (v == null ? "nothing" : v));
    }

    /**
     * Builds an assignment from a proposal for every searchable parameter, dropping inactive ones.
     * Samplers call this so conditional parameters are handled in one place.
     */
    public Map<String, Object> assemble(Map<String, Object> proposal) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (ParamSpec p : params) {
            if (!isActive(p, out)) continue;
            if (p instanceof FixedParam f) out.put(p.name(), f.value());
            else out.put(p.name(), proposal.get(p.name()));
        }
        return out;
    }

    @Override
    public String toString() {
        return toJson();
    }

    public static final class Builder {
        private final List<ParamSpec> params = new ArrayList<>();
        private final Set<String> names = new HashSet<>();

        private Builder add(ParamSpec p) {
            if (!names.add(p.name())) throw new SearchSpaceException("parameter '" + p.name() + "' is declared twice (field 'name')");
            params.add(p);
            return this;
        }

        public Builder floatParam(String name, double low, double high) {
            return add(new FloatParam(name, low, high, false, null, null));
        }

        public Builder logFloat(String name, double low, double high) {
            return add(new FloatParam(name, low, high, true, null, null));
        }

        public Builder intParam(String name, long low, long high) {
            return add(new IntParam(name, low, high, false, 1, null));
        }

        public Builder intParam(String name, long low, long high, long step) {
            return add(new IntParam(name, low, high, false, step, null));
        }

        public Builder logInt(String name, long low, long high) {
            return add(new IntParam(name, low, high, true, 1, null));
        }

        public Builder categorical(String name, List<?> choices) {
            return add(new CategoricalParam(name, new ArrayList<>(choices), null));
        }

        public Builder fixed(String name, Object value) {
            return add(new FixedParam(name, value, null));
        }

        /** Adds any parameter, e.g. one with a condition: {@code param(new IntParam("top_k", 1, 100, false, 1, Condition.equals("do_sample", true)))}. */
        public Builder param(ParamSpec p) {
            return add(p);
        }

        /** Makes the most recently added parameter conditional on an earlier one. */
        public Builder when(String parent, Object... anyOf) {
            if (params.isEmpty()) throw new SearchSpaceException("when(...) needs a parameter before it");
            ParamSpec last = params.removeLast();
            Condition c = Condition.in(parent, java.util.Arrays.asList(anyOf));
            params.add(switch (last) {
                case FloatParam f -> new FloatParam(f.name(), f.low(), f.high(), f.log(), f.step(), c);
                case IntParam i -> new IntParam(i.name(), i.low(), i.high(), i.log(), i.step(), c);
                case CategoricalParam k -> new CategoricalParam(k.name(), k.choices(), c);
                case FixedParam x -> new FixedParam(x.name(), x.value(), c);
            });
            return this;
        }

        public SearchSpace build() {
            return new SearchSpace(params);
        }
    }
}
