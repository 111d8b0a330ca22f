package io.promptune.providers.remote;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import io.promptune.providers.ChatMessage;
import io.promptune.providers.Completion;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.FinishReason;
import io.promptune.providers.LanguageModel;
import io.promptune.providers.ModelCallException;
import io.promptune.providers.Secret;
import io.promptune.providers.TokenUsage;
import io.promptune.providers.pricing.ModelPrice;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A remote model behind LangChain4j's ChatModel. One call, no retries of its own: a failure is
 * thrown as {@link ModelCallException} for {@code RetryingModel} to judge. A raw prompt is sent as
 * one user message (these APIs only chat). Cost comes from the model's price; a model with no known
 * price costs 0 and is counted as "unpriced_requests".
 */
public final class RemoteChatModel implements LanguageModel {
    private final ProviderSpec spec;
    private final ProviderDialect dialect;
    private final Secret key;
    private final HttpClientBuilder http;
    private final Duration timeout;
    private final ModelPrice price;
    /** One LangChain4j model, or one per seed for providers that only take a seed at build time. */
    private final Map<Integer, ChatModel> models = new ConcurrentHashMap<>();
    private final AtomicLong unpriced = new AtomicLong();
    private static final Integer NO_SEED = Integer.MIN_VALUE;

    RemoteChatModel(ProviderSpec spec, ProviderDialect dialect, Secret key, HttpClientBuilder http, Duration timeout,
                    ModelPrice price) {
        this.spec = spec;
        this.dialect = dialect;
        this.key = key;
        this.http = http;
        this.timeout = timeout;
        this.price = price;
        models.put(NO_SEED, dialect.build(spec, key, null, http, timeout)); // fail fast on a bad config
    }

    @Override
    public String id() {
        return spec.id();
    }

    public ProviderSpec spec() {
        return spec;
    }

    @Override
    public Set<String> supportedParameters() {
        return dialect.supportedParameters();
    }

    @Override
    public Completion complete(CompletionRequest request) {
        Set<String> set = request.params().setParameterNames();
        checkSupported(set); // a request the provider would refuse never leaves
        ChatRequest chat = ChatRequest.builder()
                .messages(toLangChain4j(request))
                .parameters(dialect.parameters(spec, request.params()))
                .build();
        ChatModel model = modelFor(request.params().seed());
        long start = System.nanoTime();
        ChatResponse response;
        try {
            response = model.chat(chat);
        } catch (RuntimeException e) {
            throw FailureClassifier.classify(id(), e, key);
        }
        Duration latency = Duration.ofNanos(System.nanoTime() - start);
        TokenUsage usage = usageOf(response);
        if (price == null) unpriced.incrementAndGet();
        double cost = price == null ? 0 : price.costUsd(usage);
        String text = response.aiMessage() == null || response.aiMessage().text() == null ? "" : response.aiMessage().text();
        return new Completion(text, finishReasonOf(response), usage, latency, cost, false, null);
    }

    private ChatModel modelFor(Long seed) {
        if (dialect.seedPerRequest() || seed == null) return models.get(NO_SEED);
        Integer s = ProviderDialect.intSeed(seed);
        return models.computeIfAbsent(s, k -> dialect.build(spec, key, k, http, timeout));
    }

    static List<dev.langchain4j.data.message.ChatMessage> toLangChain4j(CompletionRequest r) {
        if (!r.isChat()) return List.of(UserMessage.from(r.rawPrompt()));
        List<dev.langchain4j.data.message.ChatMessage> out = new ArrayList<>();
        for (ChatMessage m : r.messages()) {
            out.add(switch (m.role()) {
                case "system" -> SystemMessage.from(m.content());
                case "user" -> UserMessage.from(m.content());
                case "assistant" -> AiMessage.from(m.content());
                default -> throw ModelCallException.permanent("unknown chat role '" + m.role() + "' (expected system, user or assistant)");
            });
        }
        return out;
    }

    private static TokenUsage usageOf(ChatResponse r) {
        var u = r.tokenUsage();
        if (u == null) return TokenUsage.ZERO;
        return new TokenUsage(u.inputTokenCount() == null ? 0 : u.inputTokenCount(),
                u.outputTokenCount() == null ? 0 : u.outputTokenCount());
    }

    private static FinishReason finishReasonOf(ChatResponse r) {
        if (r.finishReason() == null) return FinishReason.OTHER;
        return switch (r.finishReason()) {
            case STOP -> FinishReason.STOP;
            case LENGTH -> FinishReason.LENGTH;
            default -> FinishReason.OTHER;
        };
    }

    @Override
    public Map<String, Long> counters() {
        return Map.of("unpriced_requests", unpriced.get());
    }

    @Override
    public String toString() {
        return "RemoteChatModel[" + id() + ", key=" + key + "]";
    }
}
