package io.promptune.optimizer;

import java.util.List;

/**
 * What a sampler knows about the study beyond its trials.
 *
 * @param directions  one per objective
 * @param trialNumber the number the proposed trial will get
 * @param budget      total number of trials planned for this run, or 0 when unknown
 */
public record SamplingContext(List<Direction> directions, int trialNumber, int budget) {
    public SamplingContext {
        directions = List.copyOf(directions);
    }
}
