package io.promptune.localmodel.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VectorWidthTest {
    @Test
    void followsTheMachineUnlessOverridden() {
        assertEquals(256, VectorWidth.chooseBits(null, 256));
        assertEquals(512, VectorWidth.chooseBits(null, 512));
        assertEquals(256, VectorWidth.chooseBits("", 128));
        assertEquals(256, VectorWidth.chooseBits(" 256 ", 512));
        assertEquals(512, VectorWidth.chooseBits("512", 256));
    }

    @Test
    void rejectsOtherWidthsNamingTheProperty() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VectorWidth.chooseBits("128", 512));
        assertTrue(e.getMessage().contains("promptune.vectorBits") && e.getMessage().contains("128"), e.getMessage());
    }
}
