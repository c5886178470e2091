package dev.fleethook.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one durable write of the agent: temp file, fsync, atomic rename, fsync of the folder. */
class AgentStateTest {

    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void replacesTheFileWholeLeavesNoTemporaryFileAndKeepsItPrivate() throws IOException {
        AgentState state = new AgentState(dir);
        state.writeDurably("schedule.json", "{\"old\":true}");
        state.writeDurably("schedule.json", "{\"new\":\"é\"}");
        assertEquals("{\"new\":\"é\"}", Files.readString(dir.resolve("schedule.json"), StandardCharsets.UTF_8));
        assertEquals(List.of("schedule.json"), names());
        if (!Platform.CURRENT.windows()) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("schedule.json"))));
        }
    }

    @Test
    void aRenameThatFailsLeavesTheOldContentAndNoTemporaryFile() throws IOException {
        Path target = Files.createDirectories(dir.resolve("journal.json"));
        Files.writeString(target.resolve("inside"), "x");
        assertThrows(IOException.class, () -> AgentState.writeDurably(target, "new".getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of("journal.json"), names());
        assertEquals("x", Files.readString(target.resolve("inside")));
    }

    @Test
    void theFolderIsOpenedAndSyncedAfterTheRename() throws IOException {
        // The real folder is opened (a missing one is an error, so the sync is no silent no-op) and forced.
        AgentState.syncDirectory(dir);
        assertThrows(NoSuchFileException.class, () -> AgentState.syncDirectory(dir.resolve("missing")));
        // writeDurably syncs the target's own folder: one that is not the state directory works the same.
        Path spool = Files.createDirectories(dir.resolve("spool"));
        AgentState.writeDurably(spool.resolve("1.json"), "{}".getBytes(StandardCharsets.UTF_8));
        assertEquals("{}", Files.readString(spool.resolve("1.json")));
    }
}
