package io.promptune.optimizer.tuning;

import java.util.List;
import java.util.Map;

/**
 * What a study was set up with, saved beside its trials so a report (or the live viewer) can say
 * which model, data, templates and objective the numbers are about. A template is its parts:
 * "system" and "user" for chat, or "raw" for a plain completion prompt.
 */
public record RunInfo(String studyName, String modelId, String dataset, String objectiveMetric, boolean maximize,
                      List<String> metrics, Map<String, Map<String, String>> templates, String baselineTemplate,
                      Map<String, Object> baselineParams, Map<String, Object> fixedParams,
                      List<Map<String, Object>> space, int tuneExamples, int testExamples, String sampler,
                      Map<String, Object> budget, String startedAt) {
}
