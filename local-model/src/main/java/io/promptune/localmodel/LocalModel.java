package io.promptune.localmodel;

import io.promptune.localmodel.chat.ChatTemplate;
import io.promptune.localmodel.gguf.GgufException;
import io.promptune.localmodel.gguf.GgufFile;
import io.promptune.localmodel.model.ContextOverflowException;
import io.promptune.localmodel.model.KvCache;
import io.promptune.localmodel.model.ModelConfig;
import io.promptune.localmodel.model.PrefixCache;
import io.promptune.localmodel.model.Transformer;
import io.promptune.localmodel.sampling.Sampler;
import io.promptune.localmodel.tensor.FloatBatch;
import io.promptune.localmodel.tensor.Parallel;
import io.promptune.localmodel.tokenizer.Tokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A GGUF model loaded once (memory-mapped) and used for many generations.
 *
 * <pre>{@code
 * try (LocalModel m = LocalModel.load(path)) {
 *     GenerationResult r = m.generate(GenerationRequest.ofText("Once upon a time").withMaxTokens(32), TokenListener.NONE);
 * }
 * }</pre>
 *
 * Generations run one at a time (methods are synchronized); {@link #generateBatch} advances many
 * sequences in lockstep with one forward pass per step. Prompts sharing a token prefix with a recent
 * prompt reuse its keys and values (see {@link PrefixCache}).
 */
public final class LocalModel implements AutoCloseable {
    /** How to load a model. */
    public record Options(int threads, long prefixCacheBytes, int maxPrefillChunk) {
        public Options {
            if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
            if (maxPrefillChunk < 1) throw new IllegalArgumentException("maxPrefillChunk must be >= 1");
        }

        /**
         * Every processor, a 512 MiB prefix cache, prompts processed 256 tokens at a time: a forward pass's
         * activation arrays grow to its row count and stay (SmolLM2: ~50 KB per row, ~25 MB at 512 rows, part of
         * the resident set's peak in a batched run), while the kernels run as fast on 256 rows as on 512.
         */
        public static Options defaults() {
            return new Options(Parallel.defaultThreads(), 512L << 20, 256);
        }

        public Options withThreads(int n) {
            return new Options(n, prefixCacheBytes, maxPrefillChunk);
        }

        public Options withPrefixCacheBytes(long b) {
            return new Options(threads, b, maxPrefillChunk);
        }

        public Options withMaxPrefillChunk(int rows) {
            return new Options(threads, prefixCacheBytes, rows);
        }
    }

    private final GgufFile file;
    private final Parallel pool;
    private final Transformer transformer;
    private final PrefixCache prefixCache;
    private final Options options;
    private final ModelInfo info;
    private Tokenizer tokenizer;
    private ChatTemplate chatTemplate;

    private LocalModel(GgufFile file, Options options) {
        this.file = file;
        this.options = options;
        this.pool = new Parallel(options.threads());
        try {
            this.transformer = new Transformer(file, pool);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        // Metadata is parsed and repacked weights are copied: keep the resident set near the copies' size (the
        // mapped pages of tensors the kernels still read fault back in on first use).
        file.dropResidentPages();
        this.prefixCache = new PrefixCache(options.prefixCacheBytes());
        ModelConfig c = transformer.config();
        this.info = new ModelInfo(file.path(), c.architecture().ggufName(), c.name(), fileType(file), c.contextLength(),
                c.vocabSize(), c.dim(), c.layers(), c.heads(), c.kvHeads(), file.mapping().byteSize());
    }

    /** Loads {@code path} with default options; a bad file is a {@link GgufException} naming it. */
    public static LocalModel load(Path path) {
        return load(path, Options.defaults());
    }

    public static LocalModel load(Path path, Options options) {
        GgufFile f = GgufFile.open(path);
        try {
            return new LocalModel(f, options);
        } catch (GgufException e) {
            f.close();
            throw e;
        } catch (RuntimeException e) {
            f.close();
            throw new GgufException(path, e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
    }

    public ModelInfo info() { return info; }

    /** The model's tokenizer (built on first use; a GgufException when the vocabulary metadata is missing). */
    public synchronized Tokenizer tokenizer() {
        if (tokenizer == null) tokenizer = Tokenizer.fromGguf(file);
        return tokenizer;
    }

    /** The model's chat template from tokenizer.chat_template (built on first use). */
    public synchronized ChatTemplate chatTemplate() {
        if (chatTemplate == null) chatTemplate = ChatTemplate.fromGguf(file);
        return chatTemplate;
    }

    /** Bytes one position of one sequence occupies in the KV cache (keys and values, every layer). */
    public long kvCacheBytesPerToken() {
        ModelConfig c = transformer.config();
        return 2L * c.layers() * c.kvDim() * Short.BYTES; // half-precision cache
    }

    /**
     * Bytes held by the KV caches kept for reuse: after {@link #generateBatch} returns, the caches of its
     * sequences (one batch's worth, each sized to its prompt plus its token limit). Sessions' caches are their own
     * ({@link Session#kvCacheBytes}); the prefix cache is counted apart ({@link PrefixCache#bytes}).
     */
    public synchronized long pooledKvCacheBytes() {
        long b = 0;
        for (KvCache c : freeCaches) b += c.bytes();
        return b;
    }

    /** The prefix cache (e.g. to clear it or read its size). */
    public PrefixCache prefixCache() { return prefixCache; }

    /** Generates one completion, streaming each kept token to {@code listener}. */
    public synchronized GenerationResult generate(GenerationRequest request, TokenListener listener) {
        return run(List.of(request), List.of(listener), 1).getFirst();
    }

    public GenerationResult generate(GenerationRequest request) {
        return generate(request, TokenListener.NONE);
    }

    /** Generates all requests together: one forward pass per step for every unfinished sequence. */
    public synchronized List<GenerationResult> generateBatch(List<GenerationRequest> requests) {
        return generateBatch(requests, Math.max(1, requests.size()));
    }

    /**
     * Generates the requests with at most {@code width} sequences in flight (continuous batching): when a
     * sequence finishes, the next request takes its slot and its prompt runs in the same forward pass as
     * the others' next tokens, so the batch stays full instead of waiting for its longest answer.
     * Results are in request order; greedy outputs are those of one-at-a-time generation.
     */
    public synchronized List<GenerationResult> generateBatch(List<GenerationRequest> requests, int width) {
        List<TokenListener> none = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) none.add(TokenListener.NONE);
        return generateBatch(requests, none, width);
    }

    /** As {@link #generateBatch(List)}, streaming request i's tokens to {@code listeners.get(i)}. */
    public synchronized List<GenerationResult> generateBatch(List<GenerationRequest> requests, List<TokenListener> listeners) {
        return generateBatch(requests, listeners, Math.max(1, requests.size()));
    }

    /** As {@link #generateBatch(List, int)}, streaming request i's tokens to {@code listeners.get(i)}. */
    public synchronized List<GenerationResult> generateBatch(List<GenerationRequest> requests, List<TokenListener> listeners,
                                                          int width) {
        if (listeners.size() != requests.size()) {
            throw new IllegalArgumentException(requests.size() + " requests but " + listeners.size() + " listeners");
        }
        if (width < 1) throw new IllegalArgumentException("batch width must be >= 1, got " + width);
        return run(requests, listeners, width);
    }

    /**
     * Low-level: the logits after each position of {@code tokens} (a fresh sequence, no prefix cache),
     * one row per token. For tests and tools.
     */
    public synchronized float[][] logits(int[] tokens) {
        KvCache cache = transformer.newCache();
        int[] rows = new int[tokens.length];
        for (int i = 0; i < rows.length; i++) rows[i] = i;
        FloatBatch out = forwardSequence(cache, tokens, 0, rows, null);
        float[][] result = new float[tokens.length][];
        for (int i = 0; i < tokens.length; i++) result[i] = out.row(i);
        return result;
    }

    /** A fresh sequence for step-by-step use: feed tokens, read logits. */
    public Session newSession() {
        return new Session();
    }

    /** One sequence driven by the caller (e.g. to score text or teacher-force a reference). */
    public final class Session {
        private final KvCache cache = transformer.newCache();
        /** The logits every {@link #feed} writes and returns (a fresh 128-192 KB array per decode step before). */
        private FloatBatch logits;

        private Session() { }

        /**
         * Appends {@code tokens} and returns the logits after the last one: the session's own array, overwritten
         * by the next call (copy it to keep it).
         */
        public float[] feed(int... tokens) {
            synchronized (LocalModel.this) {
                if (logits == null) logits = new FloatBatch(1, info.vocabSize());
                return forwardSequence(cache, tokens, cache.length(), new int[]{tokens.length - 1}, logits).data();
            }
        }

        public int length() { return cache.length(); }

        /** Bytes the session's KV cache holds (it grows by doubling as tokens are fed). */
        public long kvCacheBytes() {
            synchronized (LocalModel.this) {
                return cache.bytes();
            }
        }
    }

    private int[] promptTokens(GenerationRequest r) {
        int[] p = r.promptTokens() != null ? r.promptTokens() : tokenizer().encode(r.promptText(), true, true);
        if (r.promptText() != null && p.length >= 2 && p[0] == tokenizer().bosId() && p[1] == p[0]) {
            p = Arrays.copyOfRange(p, 1, p.length); // the text (e.g. a rendered chat template) already began with BOS
        }
        if (p.length == 0) throw new IllegalArgumentException("empty prompt");
        if (p.length >= info.contextLength()) throw new ContextOverflowException(info.name(), p.length + 1, info.contextLength());
        return p;
    }

    /**
     * Processes tokens of one sequence in chunks; returns logits for the requested rows (indices into tokens),
     * written into {@code into} when given (exactly {@code logitRows.length} rows of the vocabulary).
     */
    private FloatBatch forwardSequence(KvCache cache, int[] tokens, int start, int[] logitRows, FloatBatch into) {
        if (tokens.length == 0) throw new IllegalArgumentException("no tokens");
        if (start + tokens.length > info.contextLength()) {
            throw new ContextOverflowException(info.name(), start + tokens.length, info.contextLength());
        }
        int chunk = options.maxPrefillChunk();
        // one chunk: the forward pass's own logits batch is the result (its rows are logitRows in order), no copy
        FloatBatch result = tokens.length <= chunk ? null : into != null ? into : new FloatBatch(logitRows.length, info.vocabSize());
        for (int off = 0; off < tokens.length; off += chunk) {
            int n = Math.min(chunk, tokens.length - off);
            int[] t = Arrays.copyOfRange(tokens, off, off + n);
            KvCache[] caches = new KvCache[n];
            int[] pos = new int[n];
            for (int i = 0; i < n; i++) {
                caches[i] = cache;
                pos[i] = start + off + i;
            }
            List<Integer> rows = new ArrayList<>(), targets = new ArrayList<>();
            for (int r = 0; r < logitRows.length; r++) {
                if (logitRows[r] >= off && logitRows[r] < off + n) {
                    rows.add(logitRows[r] - off);
                    targets.add(r);
                }
            }
            FloatBatch out = transformer.forward(t, caches, pos, rows.stream().mapToInt(Integer::intValue).toArray(), result == null ? into : null);
            if (result == null) return out;
            for (int k = 0; k < rows.size(); k++) {
                System.arraycopy(out.data(), out.offset(k), result.data(), result.offset(targets.get(k)), info.vocabSize());
            }
        }
        return result;
    }

    /** State of one sequence during generation. */
    private final class Sequence {
        final GenerationRequest request;
        final TokenListener listener;
        final int[] prompt;
        final Sampler sampler;
        final TextStream text;
        final List<Integer> generated = new ArrayList<>();
        KvCache cache;
        int reused;
        int filled; // prompt positions in the cache
        int next;
        FinishReason finish;
        long promptNanos, genStart, genEnd;
        boolean prefilled; // the prompt ran and the first token was sampled

        Sequence(GenerationRequest request, TokenListener listener) {
            this.request = request;
            this.listener = listener;
            this.prompt = promptTokens(request);
            this.sampler = new Sampler(request.sampling());
            this.text = new TextStream(request.stop());
            for (int t : prompt) sampler.accept(t);
        }

        /** Takes a cache and copies into it the longest prefix the prefix cache holds (at least one token must run). */
        void startPrefill() {
            cache = takeCache((int) Math.min((long) prompt.length + Math.max(0, request.maxTokens()), info.contextLength()));
            reused = prefixCache.copyLongestPrefix(prompt, prompt.length - 1, cache);
            filled = reused;
        }

        boolean prefilling() { return filled < prompt.length; }

        /** After the prompt ran: remembers it for prefix reuse and samples the first token from {@code logits}. */
        void finishPrefill(float[] logits) {
            prefixCache.put(prompt, cache);
            prefilled = true;
            genStart = System.nanoTime();
            if (request.maxTokens() == 0) {
                finish = FinishReason.LENGTH;
                return;
            }
            accept(sampler.sample(logits));
        }

        /** Takes a sampled token: finishes on an end token, a stop sequence or a limit. */
        void accept(int token) {
            if (tokenizerOrNull() != null && tokenizer.isEndOfGeneration(token)) {
                finish = FinishReason.EOS;
                return;
            }
            sampler.accept(token);
            generated.add(token);
            String delta = tokenizerOrNull() == null ? "" : text.add(tokenizer.tokenBytes(token));
            listener.onToken(token, delta);
            if (text.stopped()) {
                finish = FinishReason.STOP;
            } else if (generated.size() >= request.maxTokens() || cache.length() + 1 >= info.contextLength()) {
                finish = FinishReason.LENGTH;
            } else {
                next = token;
            }
        }

        GenerationResult result() {
            String tail = text.finish();
            if (!tail.isEmpty()) listener.onToken(-1, tail);
            int[] ids = generated.stream().mapToInt(Integer::intValue).toArray();
            return new GenerationResult(text.text(), ids, finish, prompt.length, reused, promptNanos,
                    genEnd - genStart);
        }
    }

    /** The tokenizer, or null when the file has no usable vocabulary (token-id-only use, e.g. tests). */
    private Tokenizer tokenizerOrNull() {
        if (tokenizer != null || tokenizerMissing) return tokenizer;
        try {
            return tokenizer();
        } catch (RuntimeException e) {
            tokenizerMissing = true;
            return null;
        }
    }

    private boolean tokenizerMissing;

    /**
     * The scheduler: sequences take one of {@code width} slots in request order; every step is one forward
     * pass holding the next token of each decoding sequence plus as many prompt tokens of the prefilling
     * ones as fit in maxPrefillChunk rows. A finished sequence frees its slot (and its cache) at once.
     */
    private List<GenerationResult> run(List<GenerationRequest> requests, List<TokenListener> listeners, int width) {
        List<Sequence> seqs = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) seqs.add(new Sequence(requests.get(i), listeners.get(i)));
        List<Sequence> waiting = new ArrayList<>(seqs), running = new ArrayList<>();
        while (!waiting.isEmpty() || !running.isEmpty()) {
            admit(waiting, running, width);
            step(running);
            for (java.util.Iterator<Sequence> it = running.iterator(); it.hasNext(); ) {
                Sequence s = it.next();
                if (s.finish == null) continue;
                s.genEnd = System.nanoTime();
                freeCaches.addFirst(s.cache);
                s.cache = null;
                it.remove();
            }
        }
        List<GenerationResult> out = new ArrayList<>();
        for (Sequence s : seqs) out.add(s.result());
        while (freeCaches.size() > width) freeCaches.pollLast(); // memory stays at one batch's worth
        return out;
    }

    /**
     * Caches of finished sequences, reused by the next ones: sequences' caches are megabytes each, and
     * allocating them per generation (and growing them by doubling) filled the old generation with garbage.
     */
    private final java.util.ArrayDeque<KvCache> freeCaches = new java.util.ArrayDeque<>();

    /** An empty cache with room for {@code positions} (capped at the context length). */
    private KvCache takeCache(int positions) {
        KvCache c = freeCaches.pollFirst();
        if (c == null) c = transformer.newCache();
        c.truncate(0);
        c.reserve(positions);
        return c;
    }

    /**
     * A prompt waits for an earlier one still being prefilled when they share at least this many tokens
     * beyond what the prefix cache already holds: once that one is stored, it copies them instead of
     * computing them a second time in the same pass (an instruction or few-shot block runs once).
     */
    private static final int MIN_SHARED_TOKENS = 16;

    /** Fills free slots from the waiting requests, in order, skipping those that should wait (see above). */
    private void admit(List<Sequence> waiting, List<Sequence> running, int width) {
        for (java.util.Iterator<Sequence> it = waiting.iterator(); it.hasNext() && running.size() < width; ) {
            Sequence s = it.next();
            if (options.prefixCacheBytes() > 0) {
                int cached = prefixCache.longestPrefix(s.prompt);
                boolean waits = false;
                for (Sequence r : running) {
                    if (r.prefilling() && commonPrefix(r.prompt, s.prompt) >= cached + MIN_SHARED_TOKENS) {
                        waits = true;
                        break;
                    }
                }
                if (waits) continue;
            }
            it.remove();
            s.startPrefill();
            running.add(s);
        }
    }

    private static int commonPrefix(int[] a, int[] b) {
        int n = Math.min(a.length, b.length), i = 0;
        while (i < n && a[i] == b[i]) i++;
        return i;
    }

    /** Reused across steps: logits of one step (one row per decoding sequence or completed prompt). */
    private FloatBatch stepLogits;
    private float[] sampleRow;

    /**
     * One forward pass: decoding sequences contribute their next token, prefilling ones their prompt
     * tokens (in slot order, up to maxPrefillChunk rows in all); logits are computed only for decode rows
     * and for a prompt's last token. Each prompt is charged its rows' share of the pass's time.
     */
    private void step(List<Sequence> running) {
        if (running.isEmpty()) return;
        int decoding = 0, prefill = 0;
        for (Sequence s : running) {
            if (s.prefilling()) prefill += s.prompt.length - s.filled;
            else decoding++;
        }
        int room = Math.max(0, options.maxPrefillChunk() - decoding);
        if (decoding == 0) room = Math.max(room, 1);
        int n = decoding + Math.min(prefill, room);
        int[] tokens = new int[n], pos = new int[n];
        KvCache[] caches = new KvCache[n];
        int[] rows = new int[running.size()];
        Sequence[] owners = new Sequence[running.size()];
        int[] took = new int[running.size()];
        int filled = 0, nRows = 0;
        for (Sequence s : running) {
            if (s.prefilling()) continue;
            tokens[filled] = s.next;
            caches[filled] = s.cache;
            pos[filled] = s.cache.length();
            rows[nRows] = filled++;
            owners[nRows++] = s;
        }
        for (int i = 0; i < running.size() && filled < n; i++) {
            Sequence s = running.get(i);
            if (!s.prefilling()) continue;
            int take = Math.min(n - filled, s.prompt.length - s.filled);
            for (int j = 0; j < take; j++) {
                tokens[filled + j] = s.prompt[s.filled + j];
                caches[filled + j] = s.cache;
                pos[filled + j] = s.filled + j;
            }
            filled += take;
            took[i] = take;
            if (s.filled + take == s.prompt.length) {
                rows[nRows] = filled - 1;
                owners[nRows++] = s;
            }
        }
        int vocab = info.vocabSize();
        if (stepLogits == null || stepLogits.rows() < nRows) stepLogits = new FloatBatch(Math.max(nRows, 8), vocab);
        if (sampleRow == null) sampleRow = new float[vocab];
        long t0 = System.nanoTime();
        FloatBatch out = transformer.forward(tokens, caches, pos, Arrays.copyOf(rows, nRows), stepLogits);
        long nanos = System.nanoTime() - t0;
        for (int i = 0; i < running.size(); i++) {
            Sequence s = running.get(i);
            if (took[i] == 0) continue;
            s.filled += took[i];
            s.promptNanos += nanos * took[i] / n;
        }
        for (int k = 0; k < nRows; k++) {
            Sequence s = owners[k];
            System.arraycopy(out.data(), out.offset(k), sampleRow, 0, vocab);
            if (!s.prefilled) s.finishPrefill(sampleRow);
            else s.accept(s.sampler.sample(sampleRow));
        }
    }

    private static String fileType(GgufFile f) {
        long t = f.getLong("general.file_type", -1);
        return switch ((int) t) {
            case 0 -> "F32";
            case 1 -> "F16";
            case 2 -> "Q4_0";
            case 3 -> "Q4_1";
            case 7 -> "Q8_0";
            case 8 -> "Q5_0";
            case 9 -> "Q5_1";
            case 10 -> "Q2_K";
            case 11 -> "Q3_K_S";
            case 12 -> "Q3_K_M";
            case 13 -> "Q3_K_L";
            case 14 -> "Q4_K_S";
            case 15 -> "Q4_K_M";
            case 16 -> "Q5_K_S";
            case 17 -> "Q5_K_M";
            case 18 -> "Q6_K";
            case 32 -> "BF16";
            case -1 -> "unknown";
            default -> "type " + t;
        };
    }

    @Override
    public void close() {
        pool.close();
        file.close();
    }
}
