package io.promptune.bench;

import io.promptune.localmodel.chat.ChatMessage;
import io.promptune.localmodel.chat.ChatTemplate;
import io.promptune.localmodel.gguf.GgufFile;
import io.promptune.localmodel.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Tokenizer and chat-template throughput on tuning-like prompts: a few hundred distinct ~1 KB prompts
 * (random words from a fixed list, digits, punctuation, ChatML markers), cycled.
 *
 * <p>Run: {@code mvn -q -pl bench -am package -DskipTests && java -cp "bench/target/classes:$(cat cp.txt)"
 * org.openjdk.jmh.Main TokenizerBenchmark} with {@code -Dpromptune.model=FILE} for a GGUF (default: the
 * default model in ~/.cache/promptune/models).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
public class TokenizerBenchmark {
    private static final String[] WORDS = ("the of and to in is you that it he was for on are as with his they I at be this have "
            + "from or one had by word but not what all were we when your can said there use an each which she do how their "
            + "if will up other about out many then them these so some her would make like him into time has look two more "
            + "write go see number no way could people my than first water been call who oil its now find long down day did "
            + "get come made may part Question: Answer: Translate classify sentiment positive negative résumé naïve "
            + "Paris 2024 3.14 x=42; {\"label\": \"yes\"} (a) (b) café über 東京 😀").split(" ");

    @Param({""})
    public String model;

    private Tokenizer tokenizer;
    private ChatTemplate template;
    private GgufFile gguf;
    private List<String> prompts;
    private List<List<ChatMessage>> conversations;
    private int next;

    @Setup(Level.Trial)
    public void setup() {
        Path file = model.isEmpty()
                ? Path.of(System.getProperty("promptune.model",
                        System.getProperty("user.home") + "/.cache/promptune/models/SmolLM2-135M-Instruct.Q4_1.gguf"))
                : Path.of(model);
        if (!Files.isRegularFile(file)) throw new IllegalStateException("no model at " + file);
        gguf = GgufFile.open(file);
        tokenizer = Tokenizer.fromGguf(gguf);
        template = ChatTemplate.fromGgufOrChatMl(gguf, w -> {});
        Random rnd = new Random(42);
        prompts = new ArrayList<>();
        conversations = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            StringBuilder sb = new StringBuilder();
            while (sb.length() < 1000) {
                sb.append(WORDS[rnd.nextInt(WORDS.length)]);
                sb.append(rnd.nextInt(12) == 0 ? ".\n" : " ");
            }
            String user = sb.toString();
            conversations.add(List.of(ChatMessage.system("You are a careful assistant."), ChatMessage.user(user)));
            prompts.add("<|im_start|>user\n" + user + "<|im_end|>\n<|im_start|>assistant\n");
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        gguf.close();
    }

    private int nextIndex() {
        next = (next + 1) % prompts.size();
        return next;
    }

    /** One ~1 KB prompt with special tokens (about 250 tokens). */
    @Benchmark
    public int[] encodePrompt() {
        return tokenizer.encode(prompts.get(nextIndex()), true, true);
    }

    /** Rendering the model's chat template for a system + user conversation. */
    @Benchmark
    public String renderChatTemplate() {
        return template.render(conversations.get(nextIndex()), true);
    }

    /** Decoding a prompt's ids back to text. */
    @Benchmark
    public String decodePrompt() {
        return tokenizer.decode(tokenizer.encode(prompts.get(nextIndex()), false, false));
    }
}
