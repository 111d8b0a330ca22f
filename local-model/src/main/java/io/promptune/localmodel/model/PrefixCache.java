package io.promptune.localmodel.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keys and values of recently processed prompts, so a new prompt that shares a token prefix with one
 * of them (the same instruction or few-shot block) copies that prefix instead of recomputing it.
 *
 * <p>Prompts are stored as a radix tree of token runs (as SGLang's RadixAttention does): each node holds
 * the keys and values of its run only, so a prefix shared by many prompts - a trial's system prompt and
 * demonstrations - is stored once and every prompt adds just its own tail. When the budget is exceeded
 * the least recently used leaves go first; a shared prefix is used by every prompt under it, so it stays.
 * The byte count is what the nodes hold (keys, values, tokens, and a per-node overhead).
 */
public final class PrefixCache {
    /** Object headers, the per-layer array headers and the children map, roughly, per node. */
    private static final long NODE_OVERHEAD = 256;

    /** One run of tokens and its keys and values; the path from the root spells a stored prefix. */
    private static final class Node {
        Node parent;
        final int start; // position of tokens[0] in the prompt
        int[] tokens;
        short[][] keys, values; // [layer][i * kvDim + d] for i in 0..tokens.length
        final Map<Integer, Node> children = new HashMap<>(4);
        long lastUsed;

        Node(Node parent, int start, int[] tokens, short[][] keys, short[][] values) {
            this.parent = parent;
            this.start = start;
            this.tokens = tokens;
            this.keys = keys;
            this.values = values;
        }

        int end() { return start + tokens.length; }
    }

    private final long maxBytes;
    private Node root = new Node(null, 0, new int[0], null, null);
    private int layers = -1, kvDim = -1;
    private long bytes;
    private int nodes;
    private long clock;

    public PrefixCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** How many leading tokens of {@code prompt} the cache holds (nothing is copied or marked used). */
    public synchronized int longestPrefix(int[] prompt) {
        return walk(prompt, prompt.length, null);
    }

    /**
     * Makes {@code into} hold the keys and values of the longest stored prefix of {@code prompt}, at most
     * {@code limit} positions, and returns its length (0: nothing stored, {@code into} is left empty).
     */
    public synchronized int copyLongestPrefix(int[] prompt, int limit, KvCache into) {
        into.truncate(0);
        List<Node> path = new ArrayList<>();
        int n = walk(prompt, Math.min(limit, prompt.length), path);
        if (n == 0) return 0;
        if (into.layers != layers || into.kvDim != kvDim) throw new IllegalArgumentException("caches of different models");
        into.ensureCapacity(n);
        long now = ++clock;
        for (Node node : path) {
            int len = Math.min(node.end(), n) - node.start;
            for (int l = 0; l < layers; l++) {
                System.arraycopy(node.keys[l], 0, into.keys[l], node.start * kvDim, len * kvDim);
                System.arraycopy(node.values[l], 0, into.values[l], node.start * kvDim, len * kvDim);
            }
            node.lastUsed = now;
        }
        into.setLength(n);
        return n;
    }

    /**
     * Follows {@code prompt} (its first {@code limit} tokens) down the tree; returns how many tokens match and
     * adds the nodes holding them (the last one possibly only in part) to {@code path} when it is given.
     */
    private int walk(int[] prompt, int limit, List<Node> path) {
        Node node = root;
        int i = 0;
        while (i < limit) {
            Node child = node.children.get(prompt[i]);
            if (child == null) break;
            int k = matched(child, prompt, i, limit);
            if (path != null) path.add(child);
            i += k;
            if (k < child.tokens.length) break;
            node = child;
        }
        return i;
    }

    /** How many of {@code node}'s tokens equal {@code prompt}'s from position {@code i} (below {@code limit}). */
    private static int matched(Node node, int[] prompt, int i, int limit) {
        int k = 0;
        while (k < node.tokens.length && i + k < limit && node.tokens[k] == prompt[i + k]) k++;
        return k;
    }

    /**
     * Remembers the first {@code tokens.length} positions of {@code cache}: only the tokens beyond the longest
     * prefix already stored are copied, into a new leaf (splitting a run where the prompt leaves it).
     */
    public synchronized void put(int[] tokens, KvCache cache) {
        if (maxBytes <= 0 || tokens.length == 0) return;
        if (tokens.length > cache.length()) {
            throw new IllegalArgumentException("the cache holds " + cache.length() + " positions, not " + tokens.length);
        }
        if (layers < 0) {
            layers = cache.layers;
            kvDim = cache.kvDim;
        } else if (cache.layers != layers || cache.kvDim != kvDim) {
            throw new IllegalArgumentException("caches of different models");
        }
        long now = ++clock;
        Node node = root;
        int i = 0;
        while (i < tokens.length) {
            node.lastUsed = now;
            Node child = node.children.get(tokens[i]);
            if (child == null) break;
            int k = matched(child, tokens, i, tokens.length);
            if (k < child.tokens.length && i + k == tokens.length) { // the prompt ends inside a stored run
                child.lastUsed = now;
                return;
            }
            if (k < child.tokens.length) split(child, k);
            node = child;
            i += k;
        }
        node.lastUsed = now;
        if (i < tokens.length) {
            int len = tokens.length - i;
            short[][] k = new short[layers][], v = new short[layers][];
            for (int l = 0; l < layers; l++) {
                k[l] = java.util.Arrays.copyOfRange(cache.keys[l], i * kvDim, tokens.length * kvDim);
                v[l] = java.util.Arrays.copyOfRange(cache.values[l], i * kvDim, tokens.length * kvDim);
            }
            Node leaf = new Node(node, i, java.util.Arrays.copyOfRange(tokens, i, tokens.length), k, v);
            leaf.lastUsed = now;
            node.children.put(tokens[i], leaf);
            bytes += sizeOf(len);
            nodes++;
        }
        while (bytes > maxBytes && evictOldestLeaf()) { }
    }

    /** Cuts {@code node}'s run after {@code k} tokens: the node keeps the head, a new child takes the tail. */
    private void split(Node node, int k) {
        int len = node.tokens.length;
        short[][] headK = new short[layers][], headV = new short[layers][], tailK = new short[layers][], tailV = new short[layers][];
        for (int l = 0; l < layers; l++) {
            headK[l] = java.util.Arrays.copyOfRange(node.keys[l], 0, k * kvDim);
            headV[l] = java.util.Arrays.copyOfRange(node.values[l], 0, k * kvDim);
            tailK[l] = java.util.Arrays.copyOfRange(node.keys[l], k * kvDim, len * kvDim);
            tailV[l] = java.util.Arrays.copyOfRange(node.values[l], k * kvDim, len * kvDim);
        }
        Node tail = new Node(node, node.start + k, java.util.Arrays.copyOfRange(node.tokens, k, len), tailK, tailV);
        tail.lastUsed = node.lastUsed;
        tail.children.putAll(node.children);
        for (Node c : tail.children.values()) c.parent = tail;
        node.children.clear();
        node.children.put(tail.tokens[0], tail);
        node.tokens = java.util.Arrays.copyOf(node.tokens, k);
        node.keys = headK;
        node.values = headV;
        bytes += NODE_OVERHEAD; // the same tokens, one more node
        nodes++;
    }

    /** Drops the least recently used leaf; false when the tree is empty. */
    private boolean evictOldestLeaf() {
        Node oldest = null;
        List<Node> stack = new ArrayList<>(root.children.values());
        while (!stack.isEmpty()) {
            Node n = stack.removeLast();
            if (n.children.isEmpty()) {
                if (oldest == null || n.lastUsed < oldest.lastUsed) oldest = n;
            } else {
                stack.addAll(n.children.values());
            }
        }
        if (oldest == null) return false;
        oldest.parent.children.remove(oldest.tokens[0]);
        bytes -= sizeOf(oldest.tokens.length);
        nodes--;
        return true;
    }

    /** Bytes a node of {@code len} tokens holds: keys and values of every layer (halves), the tokens, overhead. */
    private long sizeOf(int len) {
        return 2L * layers * len * kvDim * Short.BYTES + (long) len * Integer.BYTES + NODE_OVERHEAD;
    }

    /** Nodes in the tree (runs of tokens; a prefix shared by several prompts is one node). */
    public synchronized int size() { return nodes; }

    /** Bytes held: keys and values of every stored token once, the tokens, and a per-node overhead. */
    public synchronized long bytes() { return bytes; }

    /** Tokens stored (a shared prefix counted once). */
    public synchronized long storedTokens() {
        long n = 0;
        List<Node> stack = new ArrayList<>(root.children.values());
        while (!stack.isEmpty()) {
            Node node = stack.removeLast();
            n += node.tokens.length;
            stack.addAll(node.children.values());
        }
        return n;
    }

    public synchronized void clear() {
        root = new Node(null, 0, new int[0], null, null);
        bytes = 0;
        nodes = 0;
    }
}
