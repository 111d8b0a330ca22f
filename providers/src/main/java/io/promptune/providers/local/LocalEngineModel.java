package io.promptune.providers.local;

import io.promptune.localmodel.GenerationRequest;
import io.promptune.localmodel.GenerationResult;
import io.promptune.localmodel.LocalModel;
import io.promptune.localmodel.chat.ChatTemplate;
import io.promptune.localmodel.sampling.SamplingParams;
import io.promptune.localmodel.tokenizer.Tokenizer;
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
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The in-repo GGUF engine as a {@link LanguageModel}. Chat requests are rendered with the model's own
 * chat template (from the GGUF; ChatML, as llama.cpp does, when the file has none); a batch is one
 * {@link LocalModel#generateBatch} call, so N sequences share each forward pass, a finished one's slot
 * is refilled from the remaining requests, and a shared prompt prefix is computed once. Every decoding parameter is honoured; cost is 0.
 */
public final class LocalEngineModel implements LanguageModel {
    /** Used when a request sets no max_tokens. */
    public static final int DEFAULT_MAX_TOKENS = 256;
    private static final Set<String> SUPPORTED = Set.copyOf(DecodingParams.NAMES);
    private final LocalModel model;
    private final String id;
    private final boolean owned;
    private final AtomicLong promptTokens = new AtomicLong();
    private final AtomicLong reusedPromptTokens = new AtomicLong();
    private final AtomicLong generatedTokens = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private volatile PromptRenderer renderer;

    private LocalEngineModel(LocalModel model, String id, boolean owned) {
        this.model = model;
        this.id = id;
        this.owned = owned;
    }

    /** Loads a GGUF file; closing this model closes the engine. */
    public static LocalEngineModel load(Path gguf) {
        return new LocalEngineModel(LocalModel.load(gguf), idOf(gguf), true);
    }

    /** Wraps an engine the caller keeps owning (and closes). */
    public static LocalEngineModel of(LocalModel model) {
        return new LocalEngineModel(model, idOf(model.info().path()), false);
    }

    static String idOf(Path gguf) {
        String name = gguf.getFileName().toString();
        return "local:" + (name.toLowerCase(java.util.Locale.ROOT).endsWith(".gguf") ? name.substring(0, name.length() - 5) : name);
    }

    public LocalModel engine() {
        return model;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Set<String> supportedParameters() {
        return SUPPORTED;
    }

    @Override
    public Completion complete(CompletionRequest request) {
        return completeStreaming(request, null);
    }

    @Override
    public Completion completeStreaming(CompletionRequest request, Consumer<String> onText) {
        long start = System.nanoTime();
        try {
            GenerationRequest g = toGeneration(request);
            GenerationResult r = onText == null ? model.generate(g)
                    : model.generate(g, (tokenId, delta) -> { if (!delta.isEmpty()) onText.accept(delta); });
            return toCompletion(r, start);
        } catch (RuntimeException e) {
            return failed(e, start);
        }
    }

    /**
     * One engine batch for all requests. Requests that cannot even be prepared (e.g. a prompt longer
     * than the context) fail alone; if the batch itself fails, each request is run alone so that one
     * bad request does not take the others down.
     */
    @Override
    public List<Completion> completeBatch(List<CompletionRequest> requests) {
        return completeBatch(requests, Math.max(1, requests.size()));
    }

    @Override
    public boolean refillsBatches() {
        return true;
    }

    /**
     * One engine call for all requests, at most {@code width} sequences in flight: a finished request's
     * slot goes to the next one (continuous batching), so handing the engine more requests than the width
     * keeps every pass full. Failures are handled as in {@link #completeBatch(List)}.
     */
    @Override
    public List<Completion> completeBatch(List<CompletionRequest> requests, int width) {
        if (width < 1) throw new IllegalArgumentException("batch width must be >= 1, got " + width);
        long start = System.nanoTime();
        Completion[] out = new Completion[requests.size()];
        List<GenerationRequest> gens = new ArrayList<>();
        List<Integer> where = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            try {
                gens.add(toGeneration(requests.get(i)));
                where.add(i);
            } catch (RuntimeException e) {
                out[i] = failed(e, start);
            }
        }
        if (!gens.isEmpty()) {
            try {
                List<GenerationResult> results = model.generateBatch(gens, width);
                batches.incrementAndGet();
                for (int k = 0; k < results.size(); k++) out[where.get(k)] = toCompletion(results.get(k), start);
            } catch (RuntimeException batchFailed) {
                for (int i : where) out[i] = complete(requests.get(i));
            }
        }
        return List.of(out);
    }

    /**
     * The prompt exactly as the engine will see it: the chat rendered with the model's template (or the
     * raw prompt), as text. For benchmarks and peers that must send byte-identical prompts.
     */
    public String promptText(CompletionRequest r) {
        return r.isChat() ? renderer().text(r.messages()) : r.rawPrompt();
    }

    /** The prompt's token ids as the engine will process them (exactly one BOS where the model wants one). */
    public int[] promptTokens(CompletionRequest r) {
        return r.isChat() ? renderer().tokens(r.messages()) : model.tokenizer().encode(r.rawPrompt(), true, true);
    }

    GenerationRequest toGeneration(CompletionRequest r) {
        DecodingParams p = r.params();
        int max = p.maxTokens() != null ? p.maxTokens() : DEFAULT_MAX_TOKENS;
        GenerationRequest g = r.isChat()
                ? GenerationRequest.ofTokens(renderer().tokens(r.messages()))
                : GenerationRequest.ofText(r.rawPrompt());
        return g.withSampling(sampling(p)).withMaxTokens(max).withStop(p.stop());
    }

    /** Our parameters over llama.cpp's defaults: an unset parameter keeps the engine's default. */
    static SamplingParams sampling(DecodingParams p) {
        SamplingParams s = SamplingParams.defaults();
        if (p.temperature() != null) s = s.withTemperature(p.temperature());
        if (p.topK() != null) s = s.withTopK(p.topK());
        if (p.topP() != null) s = s.withTopP(p.topP());
        if (p.minP() != null) s = s.withMinP(p.minP());
        if (p.repetitionPenalty() != null) s = s.withRepeatPenalty(p.repetitionPenalty(), s.repeatLastN());
        if (p.frequencyPenalty() != null) s = s.withFrequencyPenalty(p.frequencyPenalty());
        if (p.presencePenalty() != null) s = s.withPresencePenalty(p.presencePenalty());
        if (p.seed() != null) s = s.withSeed(p.seed());
        return s;
    }

    private Completion toCompletion(GenerationResult r, long start) {
        promptTokens.addAndGet(r.promptTokens());
        reusedPromptTokens.addAndGet(r.reusedTokens());
        generatedTokens.addAndGet(r.generatedTokens());
        FinishReason reason = switch (r.finishReason()) {
            case STOP -> FinishReason.STOP;
            case LENGTH -> FinishReason.LENGTH;
            case EOS -> FinishReason.EOS;
        };
        return new Completion(r.text(), reason, new TokenUsage(r.promptTokens(), r.generatedTokens()),
                Duration.ofNanos(System.nanoTime() - start), 0, false, null);
    }

    private Completion failed(RuntimeException e, long start) {
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return Completion.failed(id + ": " + msg, Duration.ofNanos(System.nanoTime() - start));
    }

    private PromptRenderer renderer() {
        PromptRenderer r = renderer;
        if (r == null) {
            synchronized (this) {
                if (renderer == null) renderer = PromptRenderer.forModel(model);
                r = renderer;
            }
        }
        return r;
    }

    @Override
    public Map<String, Long> counters() {
        return Map.of("local_prompt_tokens", promptTokens.get(), "local_prompt_tokens_reused", reusedPromptTokens.get(),
                "local_generated_tokens", generatedTokens.get(), "local_batches", batches.get());
    }

    @Override
    public void close() {
        if (owned) model.close();
    }

    @Override
    public String toString() {
        return "LocalEngineModel[" + id + "]";
    }

    /** Chat messages to prompt tokens, with exactly one BOS whether or not the template writes it. */
    static final class PromptRenderer {
        private final ChatTemplate template;
        private final Tokenizer tokenizer;
        private final boolean addsBos;

        private PromptRenderer(ChatTemplate template, Tokenizer tokenizer) {
            this.template = template;
            this.tokenizer = tokenizer;
            int[] empty = tokenizer.encode("", true, false);
            this.addsBos = empty.length > 0 && empty[0] == tokenizer.bosId();
        }

        static PromptRenderer forModel(LocalModel m) {
            ChatTemplate t;
            try {
                t = m.chatTemplate();
            } catch (RuntimeException noTemplate) {
                t = ChatMl.INSTANCE; // llama.cpp's fallback for models without a template
            }
            return new PromptRenderer(t, m.tokenizer());
        }

        String text(List<ChatMessage> messages) {
            List<io.promptune.localmodel.chat.ChatMessage> msgs = new ArrayList<>();
            for (ChatMessage m : messages) msgs.add(new io.promptune.localmodel.chat.ChatMessage(m.role(), m.content()));
            return template.render(msgs, true);
        }

        int[] tokens(List<ChatMessage> messages) {
            int[] body = tokenizer.encode(text(messages), false, true);
            if (!addsBos || (body.length > 0 && body[0] == tokenizer.bosId())) return body;
            int[] withBos = new int[body.length + 1];
            withBos[0] = tokenizer.bosId();
            System.arraycopy(body, 0, withBos, 1, body.length);
            return withBos;
        }
    }

    /** ChatML, the layout llama.cpp uses when a model has no chat template. */
    enum ChatMl implements ChatTemplate {
        INSTANCE;

        @Override
        public String render(List<io.promptune.localmodel.chat.ChatMessage> messages, boolean addGenerationPrompt) {
            StringBuilder sb = new StringBuilder();
            for (var m : messages) sb.append("<|im_start|>").append(m.role()).append('\n').append(m.content()).append("<|im_end|>\n");
            if (addGenerationPrompt) sb.append("<|im_start|>assistant\n");
            return sb.toString();
        }
    }
}
