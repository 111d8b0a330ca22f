package io.promptune.localmodel.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.promptune.localmodel.gguf.GgufFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * llama.cpp's own tokenizer test vectors (tests/test-tokenizer-0): for every vocab GGUF in
 * ../shared/models/vocab with a NAME.gguf.inp/.out pair, our tokenizer must produce exactly the ids
 * llama.cpp produced, without BOS/EOS and without parsing control tokens.
 */
class LlamaCppVocabVectorsTest {
    /** WordPiece lower-cases and strips accents: no round trip. */
    private static final List<String> LOSSY = List.of("ggml-vocab-bert-bge.gguf");

    static Stream<Arguments> vocabs() throws IOException {
        Path dir = TestData.vocabDir().orElse(null);
        if (dir == null) return Stream.of(Arguments.of("(no ../shared/models/vocab)", null));
        List<Arguments> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path gguf : files.filter(p -> p.toString().endsWith(".gguf")).sorted().toList()) {
                String name = gguf.getFileName().toString();
                if (Files.exists(Path.of(gguf + ".inp")) && Files.exists(Path.of(gguf + ".out"))) {
                    out.add(Arguments.of(name, gguf));
                }
            }
        }
        return out.stream();
    }

    /** Reads the vectors the way test-tokenizer-0.cpp does: inputs separated by "\n__ggml_vocab_test__\n". */
    static List<Case> readCases(Path gguf) throws IOException {
        String raw = Files.readString(Path.of(gguf + ".inp"), StandardCharsets.UTF_8);
        List<String> outs = Files.readAllLines(Path.of(gguf + ".out"), StandardCharsets.UTF_8);
        String sep = "\n__ggml_vocab_test__\n";
        List<String> inputs = new ArrayList<>();
        int pos = 0;
        while (pos < raw.length()) {
            int next = raw.indexOf(sep, pos);
            if (next < 0) {
                inputs.add(raw.substring(pos));
                break;
            }
            inputs.add(raw.substring(pos, next));
            pos = next + sep.length();
        }
        assertEquals(inputs.size(), outs.size(), "number of test strings and expected lines in " + gguf);
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            String o = outs.get(i).strip();
            int[] ids = o.isEmpty() ? new int[0] : Arrays.stream(o.split(" ")).mapToInt(Integer::parseInt).toArray();
            cases.add(new Case(inputs.get(i), ids));
        }
        return cases;
    }

    record Case(String input, int[] expected) {}

    @ParameterizedTest(name = "{0}")
    @MethodSource("vocabs")
    void reproducesLlamaCppTokenization(String name, Path gguf) throws IOException {
        assumeTrue(gguf != null, "shared test data not present");
        List<Case> cases = readCases(gguf);
        assertFalse(cases.isEmpty());
        try (GgufFile f = GgufFile.open(gguf)) {
            Tokenizer tok = Tokenizer.fromGguf(f);
            List<String> failures = new ArrayList<>();
            for (Case c : cases) {
                int[] got = tok.encode(c.input(), false, false);
                if (!Arrays.equals(got, c.expected())) {
                    failures.add("input " + quote(c.input()) + "\n   expected " + Arrays.toString(c.expected())
                            + "\n   got      " + Arrays.toString(got));
                }
            }
            assertEquals(List.of(), failures, name + ": " + failures.size() + " of " + cases.size() + " vectors differ");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vocabs")
    void decodeInvertsEncode(String name, Path gguf) throws IOException {
        assumeTrue(gguf != null, "shared test data not present");
        assumeTrue(!LOSSY.contains(name), name + " is lossy by design");
        try (GgufFile f = GgufFile.open(gguf)) {
            Tokenizer tok = Tokenizer.fromGguf(f);
            List<String> failures = new ArrayList<>();
            for (Case c : readCases(gguf)) {
                String back = tok.decode(tok.encode(c.input(), false, false));
                if (!back.equals(c.input())) failures.add(quote(c.input()) + " -> " + quote(back));
            }
            assertEquals(List.of(), failures, name + ": decode(encode(x)) != x");
        }
    }

    static String quote(String s) {
        return "'" + s.replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r") + "'";
    }
}
