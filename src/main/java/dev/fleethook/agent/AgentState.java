package dev.fleethook.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The agent's state directory (mode 0700): {@code config.json} (portal, identity, local opt-ins),
 * {@code secret}, {@code policy.json} (the last poll answer), {@code schedule.json}, {@code commands.json},
 * and the folders {@code journal/}, {@code spool/}, {@code secrets/} and {@code tmp/}. Every file is
 * written by {@link #writeDurably}, readable by root only.
 */
public final class AgentState {

    /**
     * Local configuration. Hooks and stored scripts are off until an administrator of this server turns
     * them on here; scripts run only when their real path lies under {@code allowedRoots}.
     * {@code allowedEngineOptions}: engine options that start a program ({@link ProcessGate#PROGRAM_OPTIONS},
     * such as {@code "sftp.command"} or {@code "--password-command"}), refused unless listed here.
     */
    public record Config(String portal, String serverId, String hostname, int pollIntervalSeconds,
            boolean hooksEnabled, boolean storedScriptsEnabled, List<String> allowedRoots,
            List<String> allowedEngineOptions) {

        public Config {
            allowedRoots = allowedRoots == null ? List.of() : allowedRoots;
            allowedEngineOptions = allowedEngineOptions == null ? List.of() : allowedEngineOptions;
        }

        /** No engine option that starts a program allowed. */
        public Config(String portal, String serverId, String hostname, int pollIntervalSeconds, boolean hooksEnabled,
                boolean storedScriptsEnabled, List<String> allowedRoots) {
            this(portal, serverId, hostname, pollIntervalSeconds, hooksEnabled, storedScriptsEnabled, allowedRoots,
                    List.of());
        }
    }

    /** Lenient on input: a newer portal may add fields to its answers, and an older agent must keep working. */
    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .enable(SerializationFeature.INDENT_OUTPUT).disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path dir;

    public AgentState(Path dir) {
        this.dir = dir;
    }

    /** /var/lib/fleethook-agent for root, ~/.fleethook-agent otherwise. */
    public static Path defaultDir() {
        boolean root = "root".equals(System.getProperty("user.name"));
        return root ? Path.of("/var/lib/fleethook-agent") : Path.of(System.getProperty("user.home"), ".fleethook-agent");
    }

    public Path dir() {
        return dir;
    }

    public boolean enrolled() {
        return Files.exists(dir.resolve("config.json")) && Files.exists(dir.resolve("secret"));
    }

    public Config config() throws IOException {
        return JSON.readValue(dir.resolve("config.json").toFile(), Config.class);
    }

    public String secret() throws IOException {
        return Files.readString(dir.resolve("secret")).trim();
    }

    public void save(Config config, String secret) throws IOException {
        Files.createDirectories(dir);
        Platform.CURRENT.protectFolder(dir);
        writeDurably("secret", secret);
        writeDurably("config.json", JSON.writeValueAsString(config));
    }

    /** The last poll answer and its ETag, kept so that schedules keep running while the portal is away. */
    public record CachedPolicy(String etag, dev.fleethook.protocol.PollResponse answer) {
    }

    public void savePolicy(CachedPolicy policy) throws IOException {
        writeDurably("policy.json", JSON.writeValueAsString(policy));
    }

    public java.util.Optional<CachedPolicy> cachedPolicy() throws IOException {
        Path f = dir.resolve("policy.json");
        return Files.exists(f) ? java.util.Optional.of(JSON.readValue(f.toFile(), CachedPolicy.class))
                : java.util.Optional.empty();
    }

    /** {@link #writeDurably(Path, byte[])} for the file {@code name} of the state directory, as UTF-8 text. */
    void writeDurably(String name, String content) throws IOException {
        writeDurably(dir.resolve(name), content.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Replaces {@code target} with {@code content}: written to a private temporary file beside it (its name
     * starts with a dot, readable by root only), fsynced, renamed into place, and the folder fsynced after the
     * rename ({@link #syncDirectory}). A crash leaves the old file or the new one, never half of one, and once this
     * returns the content survives a power loss. The spool, the journal and every state file are written this way,
     * and only this way.
     */
    static void writeDurably(Path target, byte[] content) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp",
                Platform.CURRENT.privateFile());
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    ch.write(buffer);
                }
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(target.getParent());
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * fsyncs a folder, so that a rename inside it survives a power loss (the rename is an entry of the
     * folder, not of the file). Where a folder cannot be opened for that (not Linux), it is left to the OS.
     */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (UnsupportedOperationException | java.nio.file.AccessDeniedException notOnThisPlatform) {
            // Windows cannot open a folder as a channel
        }
    }
}
