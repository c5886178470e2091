package dev.fleethook.fleet.service;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Enrollment, polling and heartbeats. */
@ConfigMapping(prefix = "fleethook.fleet")
public interface FleetConfig {

    /** How often agents poll their policy (told to them at enrollment and in every answer). */
    @WithDefault("30")
    int pollIntervalSeconds();

    /** Default lifetime of a new enrollment token. */
    @WithDefault("1h")
    Duration tokenDefaultExpiry();

    /** Longest lifetime an enrollment token may be given. */
    @WithDefault("30d")
    Duration tokenMaxExpiry();

    /** How often the heartbeats gathered in memory are written, in one statement. */
    @WithDefault("5s")
    Duration heartbeatFlush();

    /**
     * Where the portal looks for the agent jar it offers on the Enrollment page, in order, relative to its
     * working directory; the first regular file wins. The defaults find the jar in the container image
     * ({@code /deployments/fleethook-agent.jar}, its working directory, also named absolutely), next to the packaged app
     * ({@code target/quarkus-app/../fleethook-agent.jar}) and in {@code ./mvnw quarkus:dev} after a
     * {@code ./mvnw package} ({@code target/fleethook-agent.jar}).
     */
    @WithDefault("fleethook-agent.jar,../fleethook-agent.jar,target/fleethook-agent.jar,/deployments/fleethook-agent.jar")
    java.util.List<String> agentJarLocations();

    /** Retry-After (seconds) answered when the database is unreachable and the answer is not cached. */
    @WithDefault("15")
    int retryAfterSeconds();
}
