package io.promptune.datasets;

import java.util.List;

/**
 * A dataset that cannot be used as it is: carries every problem found (not just the first), so a
 * user can fix the whole file in one pass.
 */
public class DatasetException extends RuntimeException {
    private static final int SHOWN = 20;
    private final List<DatasetProblem> problems;

    public DatasetException(List<DatasetProblem> problems) {
        super(describe(problems));
        this.problems = List.copyOf(problems);
    }

    public DatasetException(String file, String message) {
        this(List.of(new DatasetProblem(file, 0, null, message)));
    }

    public List<DatasetProblem> problems() {
        return problems;
    }

    private static String describe(List<DatasetProblem> problems) {
        if (problems.size() == 1) return problems.get(0).toString();
        StringBuilder sb = new StringBuilder(problems.size() + " bad rows (fix them, or pass the option to skip bad rows):");
        for (int i = 0; i < Math.min(SHOWN, problems.size()); i++) sb.append("\n  ").append(problems.get(i));
        if (problems.size() > SHOWN) sb.append("\n  ... and ").append(problems.size() - SHOWN).append(" more");
        return sb.toString();
    }
}
