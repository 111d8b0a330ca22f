package io.promptune.cli.config;

import io.promptune.cli.Main;
import io.promptune.localmodel.GenerationRequest;
import io.promptune.localmodel.GenerationResult;
import io.promptune.localmodel.LocalModel;
import io.promptune.localmodel.chat.ChatTemplate;
import io.promptune.localmodel.gguf.GgufException;
import io.promptune.localmodel.sampling.SamplingParams;
import io.promptune.providers.ChatMessage;
import io.promptune.providers.Completion;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.DecodingParams;
import io.promptune.providers.FinishReason;
import io.promptune.providers.LanguageModel;
import io.promptune.providers.TokenUsage;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Interim: the local engine behind LanguageModel (provider "local"), until the providers module's
 * local adapter lands; then this class and its service entry go. Batches run in the engine's
 * lockstep batch generation; the prompt is the model's own chat template.
 */
public final class LocalEngineProvider implements ModelProvider {
    @Override
    public String name() {
        return "local";
    }

    @Override
    public LanguageModel open(TuneConfig.ModelSpec spec) {
        Path file = Path.of(spec.path());
        try {
            return new Engine(LocalModel.load(file), file);
        } catch (GgufException e) {
            throw new Main.UserError("model.path: " + e.getMessage(), Main.EXIT_USAGE);
        }
    }

    static final class Engine implements LanguageModel {
        private final LocalModel model;
        private final ChatTemplate template;
        private final String id;

        Engine(LocalModel model, Path file) {
            this.model = model;
            this.template = model.chatTemplate();
            this.id = "local:" + file.getFileName().toString().replaceFirst("\\.gguf$", "");
        }

        @Override public String id() { return id; }

        @Override
        public Set<String> supportedParameters() {
            return Set.of(DecodingParams.TEMPERATURE, DecodingParams.TOP_K, DecodingParams.TOP_P, DecodingParams.MIN_P,
                    DecodingParams.REPETITION_PENALTY, DecodingParams.FREQUENCY_PENALTY, DecodingParams.PRESENCE_PENALTY,
                    DecodingParams.MAX_TOKENS, DecodingParams.STOP, DecodingParams.SEED);
        }

        @Override
        public Completion complete(CompletionRequest request) {
            return completeBatch(List.of(request)).getFirst();
        }

        @Override
        public List<Completion> completeBatch(List<CompletionRequest> requests) {
            List<GenerationRequest> gens = new ArrayList<>();
            for (CompletionRequest r : requests) gens.add(generation(r));
            long t0 = System.nanoTime();
            try {
                List<GenerationResult> results = model.generateBatch(gens);
                Duration each = Duration.ofNanos((System.nanoTime() - t0) / Math.max(1, requests.size()));
                List<Completion> out = new ArrayList<>();
                for (GenerationResult g : results) out.add(completion(g, each));
                return out;
            } catch (RuntimeException batchFailed) {
                // One bad request must not fail its neighbours: run them one by one.
                List<Completion> out = new ArrayList<>();
                for (GenerationRequest g : gens) {
                    long t = System.nanoTime();
                    try {
                        out.add(completion(model.generate(g), Duration.ofNanos(System.nanoTime() - t)));
                    } catch (RuntimeException e) {
                        out.add(Completion.failed(e.getMessage() == null ? e.toString() : e.getMessage(), Duration.ofNanos(System.nanoTime() - t)));
                    }
                }
                return out;
            }
        }

        private GenerationRequest generation(CompletionRequest r) {
            String prompt;
            if (r.isChat()) {
                List<io.promptune.localmodel.chat.ChatMessage> msgs = new ArrayList<>();
                for (ChatMessage m : r.messages()) msgs.add(new io.promptune.localmodel.chat.ChatMessage(m.role(), m.content()));
                prompt = template.render(msgs, true);
            } else {
                prompt = r.rawPrompt();
            }
            DecodingParams p = r.params();
            SamplingParams s = SamplingParams.defaults();
            if (p.temperature() != null) s = s.withTemperature(p.temperature());
            if (p.topK() != null) s = s.withTopK(p.topK());
            if (p.topP() != null) s = s.withTopP(Math.max(1e-6, Math.min(1, p.topP())));
            if (p.minP() != null) s = s.withMinP(p.minP());
            if (p.repetitionPenalty() != null) s = s.withRepeatPenalty(p.repetitionPenalty(), s.repeatLastN());
            if (p.frequencyPenalty() != null) s = s.withFrequencyPenalty(p.frequencyPenalty());
            if (p.presencePenalty() != null) s = s.withPresencePenalty(p.presencePenalty());
            // A fixed seed per sample index keeps repeats repeatable and samples distinct.
            if (p.seed() != null) s = s.withSeed(p.seed() + r.sampleIndex());
            return new GenerationRequest(null, prompt, s, p.maxTokens() == null ? 256 : p.maxTokens(), p.stop());
        }

        private static Completion completion(GenerationResult g, Duration latency) {
            FinishReason reason = switch (g.finishReason()) {
                case STOP -> FinishReason.STOP;
                case LENGTH -> FinishReason.LENGTH;
                case EOS -> FinishReason.EOS;
            };
            return new Completion(g.text(), reason, new TokenUsage(g.promptTokens(), g.generatedTokens()), latency, 0, false, null);
        }

        @Override
        public void close() {
            model.close();
        }
    }
}
