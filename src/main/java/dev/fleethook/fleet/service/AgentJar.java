package dev.fleethook.fleet.service;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import dev.fleethook.protocol.Sha256;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The agent jar this portal offers for download ({@code GET /downloads/fleethook-agent.jar}): the first of
 * {@link FleetConfig#agentJarLocations()} that is a regular file, with its size and SHA-256. The build makes
 * it ({@code maven-shade-plugin}, {@code target/fleethook-agent.jar}); the container image carries it as
 * {@code /deployments/fleethook-agent.jar}. The digest is computed once per file version (path, size and
 * modification time), so a rebuilt jar is picked up without a restart.
 */
@ApplicationScoped
public class AgentJar {

    /** The name the browser saves the download under, and that the enrollment command line uses. */
    public static final String FILE_NAME = "fleethook-agent.jar";

    /** How an administrator builds the jar when this portal has none (a source checkout, dev mode). */
    public static final String BUILD_HINT = "./mvnw package -DskipTests";

    /** The jar found: where, how big (bytes) and its SHA-256 as lower-case hex. */
    public record Available(Path path, long size, String sha256) {
    }

    private record Version(Path path, long size, long modified) {
    }

    private record Known(Version version, Available jar) {
    }

    @Inject
    FleetConfig config;

    private final AtomicReference<Known> known = new AtomicReference<>();

    /** The jar to offer, or empty when none of the configured locations holds one. */
    public Optional<Available> find() {
        for (String location : config.agentJarLocations()) {
            Path path = Path.of(location).toAbsolutePath().normalize();
            BasicFileAttributes attributes;
            try {
                attributes = Files.readAttributes(path, BasicFileAttributes.class);
            } catch (IOException e) {
                continue;
            }
            if (!attributes.isRegularFile()) {
                continue;
            }
            Version version = new Version(path, attributes.size(), attributes.lastModifiedTime().toMillis());
            Known cached = known.get();
            if (cached != null && cached.version().equals(version)) {
                return Optional.of(cached.jar());
            }
            Available jar = new Available(path, version.size(), sha256(path));
            known.set(new Known(version, jar));
            return Optional.of(jar);
        }
        return Optional.empty();
    }

    private static String sha256(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            return Sha256.hex(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }
}
