package io.promptune.datasets;

/** Where format readers put rows and problems they find on their way through a file. */
interface RowSink {
    void row(RawRow row);

    void problem(DatasetProblem problem);
}
