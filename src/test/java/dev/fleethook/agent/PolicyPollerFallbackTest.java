package dev.fleethook.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import dev.fleethook.protocol.Backoff;

/**
 * A holding poller against a portal that does not hold polls (an older portal: it ignores {@code wait}
 * and never sends {@code Fleethook-Poll-Wait}): after one try it polls plainly at its interval, instead
 * of polling again at once in a loop.
 */
class PolicyPollerFallbackTest {

    @TempDir
    Path dir;

    @Test
    void aPortalThatDoesNotHoldPollsIsPolledPlainlyAtTheInterval() throws Exception {
        List<String> requests = new CopyOnWriteArrayList<>();
        HttpServer old = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        old.createContext("/api/agent/v1/policy", exchange -> {
            requests.add(String.valueOf(exchange.getRequestURI().getQuery()));
            try (exchange) {
                if (exchange.getRequestHeaders().getFirst("If-None-Match") != null) {
                    exchange.getResponseHeaders().add("ETag", "\"v1\"");
                    exchange.sendResponseHeaders(304, -1);
                    return;
                }
                byte[] body = ("{\"serverId\":\"" + UUID.randomUUID() + "\",\"pollIntervalSeconds\":30,\"commands\":[]}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("ETag", "\"v1\"");
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        old.start();
        try {
            String portal = "http://127.0.0.1:" + old.getAddress().getPort();
            AgentState state = new AgentState(dir.resolve("state"));
            state.save(new AgentState.Config(portal, UUID.randomUUID().toString(), "old-portal-fs", 30, false, false,
                    List.of()), "fha_test");
            PolicyPoller poller = new PolicyPoller(state, new PortalClient(portal),
                    new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5)), true);

            PolicyPoller.Outcome first = poller.pollOnce();
            assertTrue(first.changed());
            assertTrue(first.next().compareTo(Duration.ofSeconds(1)) <= 0, "holding: try a held poll at once");

            PolicyPoller.Outcome second = poller.pollOnce();
            assertFalse(second.changed());
            assertFalse(poller.holding(), "no Fleethook-Poll-Wait: this portal does not hold");
            assertTrue(second.next().compareTo(Duration.ofSeconds(24)) >= 0, "back to the interval: " + second.next());

            poller.pollOnce();
            assertEquals(List.of("null", "wait=30", "null"), requests, "plain, one held try, then plain again");
        } finally {
            old.stop(0);
        }
    }
}
