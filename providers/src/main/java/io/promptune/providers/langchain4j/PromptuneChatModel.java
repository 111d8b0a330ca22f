package io.promptune.providers.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import dev.langchain4j.model.output.TokenUsage;
import io.promptune.providers.ChatMessage;
import io.promptune.providers.Completion;
import io.promptune.providers.CompletionRequest;
import io.promptune.providers.DecodingParams;
import io.promptune.providers.LanguageModel;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Any of our {@link LanguageModel}s (in particular the local GGUF engine) as a LangChain4j
 * {@link ChatModel}, so LangChain4j code can use it like any other provider. Like LangChain4j's
 * providers it refuses, with {@link UnsupportedFeatureException}, what it cannot do: tools, images,
 * JSON response formats, and decoding parameters the model lacks.
 */
public final class PromptuneChatModel implements ChatModel {
    private final LanguageModel model;
    private final PromptuneChatRequestParameters defaults;

    private PromptuneChatModel(LanguageModel model, PromptuneChatRequestParameters defaults) {
        this.model = Objects.requireNonNull(model, "model");
        this.defaults = defaults;
    }

    public static PromptuneChatModel of(LanguageModel model) {
        return new PromptuneChatModel(model, PromptuneChatRequestParameters.EMPTY);
    }

    public static PromptuneChatModel of(LanguageModel model, PromptuneChatRequestParameters defaults) {
        return new PromptuneChatModel(model, defaults);
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return defaults;
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        ChatRequestParameters p = request.parameters();
        if (p.toolSpecifications() != null && !p.toolSpecifications().isEmpty()) {
            throw new UnsupportedFeatureException("tools are not supported by " + model.id());
        }
        if (p.responseFormat() != null && p.responseFormat().type() == ResponseFormatType.JSON) {
            throw new UnsupportedFeatureException("JSON response format is not supported by " + model.id());
        }
        DecodingParams params = toDecodingParams(p);
        TreeSet<String> unsupported = new TreeSet<>(params.setParameterNames());
        unsupported.removeAll(model.supportedParameters());
        if (!unsupported.isEmpty()) {
            throw new UnsupportedFeatureException(String.join(", ", unsupported) + " not supported by " + model.id());
        }
        Completion c = model.complete(CompletionRequest.chat(toMessages(request.messages()), params));
        if (c.isError()) throw new LangChain4jException(model.id() + " failed: " + c.error());
        return ChatResponse.builder()
                .aiMessage(AiMessage.from(c.text()))
                .metadata(ChatResponseMetadata.builder()
                        .modelName(p.modelName() != null ? p.modelName() : model.id())
                        .tokenUsage(new TokenUsage((int) c.usage().inputTokens(), (int) c.usage().outputTokens()))
                        .finishReason(switch (c.finishReason()) {
                            case LENGTH -> dev.langchain4j.model.output.FinishReason.LENGTH;
                            case STOP, EOS -> dev.langchain4j.model.output.FinishReason.STOP;
                            default -> dev.langchain4j.model.output.FinishReason.OTHER;
                        })
                        .build())
                .build();
    }

    static DecodingParams toDecodingParams(ChatRequestParameters p) {
        DecodingParams.Builder b = DecodingParams.builder()
                .temperature(p.temperature())
                .topP(p.topP())
                .topK(p.topK())
                .frequencyPenalty(p.frequencyPenalty())
                .presencePenalty(p.presencePenalty())
                .maxTokens(p.maxOutputTokens())
                .stop(p.stopSequences());
        if (p instanceof PromptuneChatRequestParameters pp) {
            b.seed(pp.seed()).minP(pp.minP()).repetitionPenalty(pp.repetitionPenalty());
        }
        return b.build();
    }

    static List<ChatMessage> toMessages(List<dev.langchain4j.data.message.ChatMessage> messages) {
        List<ChatMessage> out = new ArrayList<>();
        for (var m : messages) {
            if (m instanceof SystemMessage s) {
                out.add(ChatMessage.system(s.text()));
            } else if (m instanceof UserMessage u) {
                if (!u.hasSingleText()) throw new UnsupportedFeatureException("only text user messages are supported");
                out.add(ChatMessage.user(u.singleText()));
            } else if (m instanceof AiMessage a) {
                if (a.hasToolExecutionRequests()) throw new UnsupportedFeatureException("tool calls are not supported");
                out.add(ChatMessage.assistant(a.text() == null ? "" : a.text()));
            } else {
                throw new UnsupportedFeatureException("message type " + m.type() + " is not supported");
            }
        }
        return out;
    }
}
