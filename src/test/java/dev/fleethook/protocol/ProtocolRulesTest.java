package dev.fleethook.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The small rules portal and agent share through the protocol, each checked against its source. */
class ProtocolRulesTest {

    @Test
    void sha256IsLowerCaseHexOfTheUtf8Bytes() {
        // FIPS 180-4 example "abc", and the empty message.
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Sha256.hex("abc"));
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Sha256.hex(""));
        // Text is hashed as UTF-8: "é" is the two bytes C3 A9.
        assertEquals(Sha256.hex(new byte[] { (byte) 0xC3, (byte) 0xA9 }), Sha256.hex("é"));
    }

    @Test
    void outputTailKeepsTheLast16KiCharacters() {
        assertEquals(16 * 1024, StepResult.MAX_OUTPUT_TAIL);
        assertNull(StepResult.tail(null));
        assertEquals("short", StepResult.tail("short"));
        String exact = "x".repeat(StepResult.MAX_OUTPUT_TAIL);
        assertEquals(exact, StepResult.tail(exact));
        String kept = "y".repeat(StepResult.MAX_OUTPUT_TAIL - 3) + "END";
        assertEquals(kept, StepResult.tail(new StringBuilder("HEAD").append(kept)), "the last characters are kept, the first cut");
    }

    @Test
    void failedOrTimedOutIsDruvasRowAndNothingElse() {
        assertEquals(EnumSet.of(ScriptStatus.FAILED, ScriptStatus.TIMED_OUT),
                EnumSet.copyOf(List.of(ScriptStatus.values()).stream().filter(ScriptStatus::failedOrTimedOut).toList()));
        assertTrue(ScriptStatus.failedOrTimedOut(1));
        assertTrue(ScriptStatus.failedOrTimedOut(3));
        for (Integer notAFailure : new Integer[] { null, 0, 2, 4, 99 }) {
            assertFalse(ScriptStatus.failedOrTimedOut(notAFailure), "code " + notAFailure);
        }
    }

    @Test
    void phasesHaveOneOrderInAJob() {
        assertEquals(EnumSet.allOf(HookPhase.class), EnumSet.copyOf(HookPhase.JOB_ORDER));
        assertEquals(HookPhase.values().length, HookPhase.JOB_ORDER.size());
        assertEquals(List.of("agent-start", "before-backup", "before-folder", "file-filter", "after-folder", "after-backup",
                "after-failed-attempt", "after-final-failure", "agent-stop"),
                HookPhase.JOB_ORDER.stream().map(HookPhase::wire).toList());
        // Back In Time's moments are met in that same order.
        List<HookPhase> callbacks = HookPhase.JOB_ORDER.stream().filter(UserCallback.PHASES::contains).toList();
        assertEquals(UserCallback.PHASES, callbacks);
        assertEquals(0, HookPhase.jobOrder("agent-start"));
        assertEquals(HookPhase.JOB_ORDER.size(), HookPhase.jobOrder("no-such-phase"));
        // Every before-engine phase comes before every after-engine phase; file-filter is neither.
        for (HookPhase before : HookPhase.values()) {
            for (HookPhase after : HookPhase.values()) {
                if (before.beforeEngine() && after.afterEngine()) {
                    assertTrue(before.jobOrder() < HookPhase.FILE_FILTER.jobOrder()
                            && HookPhase.FILE_FILTER.jobOrder() < after.jobOrder(), before + " / " + after);
                }
            }
        }
        assertFalse(HookPhase.FILE_FILTER.beforeEngine() || HookPhase.FILE_FILTER.afterEngine());
        assertFalse(HookPhase.AGENT_START.beforeEngine() || HookPhase.AGENT_STOP.afterEngine());
    }

    @ParameterizedTest
    @ValueSource(strings = { "restic-password", "a", "A_b.c-9", "-dash-first", "trailing." })
    void plainFileNamesUpTo64AreValidResticSecrets(String name) {
        assertTrue(PolicyDocument.Restic.validPasswordSecret(name));
        assertTrue(PolicyDocument.Restic.validPasswordSecret("s".repeat(64)));
    }

    @ParameterizedTest
    @ValueSource(strings = { "", ".", "..", ".hidden", "a/b", "..\\x", "a b", "pass\u00e9", "with\nnewline" })
    void namesThatAreNotPlainFileNamesAreRefused(String name) {
        assertFalse(PolicyDocument.Restic.validPasswordSecret(name), name);
        assertFalse(PolicyDocument.Restic.validPasswordSecret("s".repeat(65)), "65 characters");
        assertFalse(PolicyDocument.Restic.validPasswordSecret(null));
    }
}
