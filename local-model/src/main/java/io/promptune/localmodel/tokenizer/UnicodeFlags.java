package io.promptune.localmodel.tokenizer;

/**
 * Code point classes as llama.cpp's unicode tables define them (general category groups plus its own
 * whitespace set), so that pre-tokenizers split text exactly where llama.cpp does.
 */
final class UnicodeFlags {
    static final int UNDEFINED = 0x0001;
    static final int NUMBER = 0x0002;
    static final int LETTER = 0x0004;
    static final int SEPARATOR = 0x0008;
    static final int MARK = 0x0010;
    static final int PUNCTUATION = 0x0020;
    static final int SYMBOL = 0x0040;
    static final int CONTROL = 0x0080;
    static final int CATEGORIES = 0x00FF;
    static final int WHITESPACE = 0x0100;

    /** Flags of code points outside a chunk: none at all (llama.cpp's "out of range"). */
    static final int OUT_OF_RANGE = 0;

    private static final short[] BMP = new short[0x10000];

    static {
        for (int cp = 0; cp < 0x10000; cp++) BMP[cp] = (short) compute(cp);
    }

    private UnicodeFlags() {}

    static int of(int cp) {
        return cp < 0x10000 ? BMP[cp] & 0xFFFF : compute(cp);
    }

    static boolean isLetter(int flags) { return (flags & LETTER) != 0; }

    static boolean isNumber(int flags) { return (flags & NUMBER) != 0; }

    static boolean isMark(int flags) { return (flags & MARK) != 0; }

    static boolean isWhitespace(int flags) { return (flags & WHITESPACE) != 0; }

    private static int compute(int cp) {
        int f = switch (Character.getType(cp)) {
            case Character.UNASSIGNED -> UNDEFINED;
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER -> LETTER;
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK -> MARK;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
            case Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> SEPARATOR;
            case Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.SURROGATE -> CONTROL;
            case Character.DASH_PUNCTUATION, Character.START_PUNCTUATION, Character.END_PUNCTUATION,
                 Character.CONNECTOR_PUNCTUATION, Character.OTHER_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                 Character.FINAL_QUOTE_PUNCTUATION -> PUNCTUATION;
            case Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL -> SYMBOL;
            default -> UNDEFINED;
        };
        if (isLlamaWhitespace(cp)) f |= WHITESPACE;
        return f;
    }

    /** llama.cpp's whitespace set (Python's str.isspace without the information separators 0x1C-0x1F). */
    private static boolean isLlamaWhitespace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F
                || cp == 0x205F || cp == 0x3000;
    }
}
