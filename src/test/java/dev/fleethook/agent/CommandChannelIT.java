package dev.fleethook.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import dev.fleethook.protocol.PollWait;
import dev.fleethook.support.ItTenant;
import dev.fleethook.support.PackagedPortal;
import dev.fleethook.support.PolicyFixtures;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The command channel end to end: two packaged portals on one PostgreSQL, real agent processes. An agent
 * holding its poll on replica A gets Backup Now within seconds when it is pressed on replica B (and on A),
 * though its poll interval is 30 s; an agent behind a proxy that cuts requests after 3 s notices the cut,
 * polls plainly at its interval from then on, and still runs Backup Now.
 */
class CommandChannelIT {

    private static final int POLL_INTERVAL = 30;

    @TempDir
    Path tmp;

    @Test
    void backupNowReachesAHeldPollInSecondsFromEitherReplicaAndACutPollFallsBackToPlainPolling() throws Exception {
        AgentProcesses processes = new AgentProcesses(tmp);
        Map<String, String> env = Map.of("FLEETHOOK_OPERATOR_EMAIL", "ops@channel.test", "FLEETHOOK_OPERATOR_PASSWORD",
                "channel-it-operator", "FLEETHOOK_FLEET_POLL_INTERVAL_SECONDS", String.valueOf(POLL_INTERVAL));
        List<Process> agents = new ArrayList<>();
        try (EmbeddedPostgres pg = EmbeddedPostgres.start();
                PackagedPortal replicaA = PackagedPortal.start(pg, env);
                PackagedPortal replicaB = PackagedPortal.start(pg, env);
                CuttingProxy proxy = new CuttingProxy(replicaA.baseUrl, Duration.ofSeconds(3))) {
            ItTenant onA = ItTenant.create(replicaA.baseUrl, "ops@channel.test", "channel-it-operator", "channel");
            ItTenant onB = new ItTenant(replicaB.baseUrl, onA.adminToken());
            String policyId = onA.admin().body(PolicyFixtures.save(manualArchive(), null)).post("/api/v1/policies")
                    .then().statusCode(201).extract().path("id");

            // Agent 1 waits on replica A.
            String direct = processes.enroll(onA, replicaA.baseUrl, "held-fs", policyId, null);
            agents.add(processes.daemon("held-fs"));
            AgentJobIT.await("agent 1 to hold its poll", () -> processes.policyCached("held-fs", "Channel") ? true : null);
            AgentJobIT.await("replica A to hold agent 1's poll", () -> heldPolls(replicaA) == 1 ? true : null);

            long fromB = pressAndMeasure(onB, direct, 1);
            long fromA = pressAndMeasure(onA, direct, 2);
            System.out.printf("Backup Now to a held poll: %d ms from the other replica, %d ms from the same one%n",
                    fromB, fromA);
            assertTrue(fromB < 5_000, "pressed on replica B, the agent waiting on A started it in " + fromB + " ms");
            assertTrue(fromA < 5_000, "pressed on replica A: " + fromA + " ms");

            // Agent 2 talks to replica A through a proxy that cuts every request after 3 s.
            String proxied = processes.enroll(onA, proxy.url(), "proxied-fs", policyId, null);
            agents.add(processes.daemon("proxied-fs"));
            AgentJobIT.await("the proxy to cut a held poll", () -> proxy.cut.isEmpty() ? null : true);
            int requestsAtCut = proxy.requests.size();
            onA.admin().post("/api/v1/servers/" + proxied + "/backup-now").then().statusCode(202);
            AgentJobIT.await("Backup Now through plain polling", () -> jobs(onA, proxied) >= 1 ? true : null);
            List<String> after = proxy.requests.subList(requestsAtCut, proxy.requests.size());
            assertEquals(1, proxy.cut.size(), "one held poll cut, then plain polls only: " + proxy.requests);
            assertTrue(after.stream().anyMatch(r -> r.startsWith("GET /api/agent/v1/policy")), after.toString());
            assertTrue(after.stream().noneMatch(r -> r.contains(PollWait.PARAMETER + "=")), after.toString());
            assertTrue(Files.readString(tmp.resolve("proxied-fs.log")).contains("Held poll cut"));
        } finally {
            for (Process p : agents) {
                p.destroy();
                p.waitFor(20, TimeUnit.SECONDS);
            }
            for (String host : List.of("held-fs", "proxied-fs")) {
                Path log = tmp.resolve(host + ".log");
                if (Files.exists(log)) {
                    System.out.println("--- " + host + " log\n" + Files.readString(log));
                }
            }
        }
    }

    /** Presses Backup Now and returns the milliseconds until the portal shows the job the agent started. */
    private static long pressAndMeasure(ItTenant tenant, String serverId, int expectedJobs) throws Exception {
        long pressed = System.nanoTime();
        tenant.admin().post("/api/v1/servers/" + serverId + "/backup-now").then().statusCode(202);
        AgentJobIT.await("Backup Now job " + expectedJobs, () -> jobs(tenant, serverId) >= expectedJobs ? true : null);
        long millis = (System.nanoTime() - pressed) / 1_000_000;
        // Wait for the job to finish before the next press (one job at a time).
        AgentJobIT.await("job " + expectedJobs + " to finish", () -> "running".equals(tenant.admin()
                .queryParam("server", serverId).get("/api/v1/jobs").then().extract().path("items[0].status")) ? null : true);
        return millis;
    }

    /** The portal's {@code fleethook_polls_held} gauge. */
    private static int heldPolls(PackagedPortal portal) {
        String metrics = io.restassured.RestAssured.given().baseUri(portal.managementUrl).get("/q/metrics").asString();
        return metrics.lines().filter(l -> l.startsWith("fleethook_polls_held ")).findFirst()
                .map(l -> (int) Double.parseDouble(l.substring(l.indexOf(' ') + 1).trim())).orElse(-1);
    }

    private static int jobs(ItTenant tenant, String serverId) {
        return tenant.admin().queryParam("server", serverId).get("/api/v1/jobs").then().statusCode(200).extract()
                .jsonPath().getList("items").size();
    }

    private Map<String, Object> manualArchive() throws IOException {
        Files.createDirectories(tmp.resolve("data"));
        Files.writeString(tmp.resolve("data/ledger.csv"), "1,2,3\n");
        Map<String, Object> spec = PolicyFixtures.spec("Channel");
        PolicyFixtures.set(spec, "schedule", Map.of("kind", "manual"));
        PolicyFixtures.set(spec, "retry", Map.of("count", 0, "intervalMinutes", 1));
        PolicyFixtures.set(spec, "scripts.linux.enabled", false);
        PolicyFixtures.set(spec, "backup", Map.of("engine", "archive", "sources", List.of(tmp.resolve("data").toString()),
                "excludes", List.of(), "archive", Map.of("destination", tmp.resolve("archives").toString(), "retention", 3)));
        return spec;
    }

    /** Enrolls an agent process against {@code portal} and puts the server on the policy; returns its id. */

    /**
     * A reverse proxy like one with a short read timeout: forwards each request to the portal and answers
     * 504 when the portal has not answered within {@code cutAfter}. Records every request line.
     */
    static final class CuttingProxy implements AutoCloseable {
        final List<String> requests = new CopyOnWriteArrayList<>();
        final List<String> cut = new CopyOnWriteArrayList<>();
        private final HttpServer server;
        private final ExecutorService pool = Executors.newCachedThreadPool();
        private final HttpClient client = HttpClient.newHttpClient();

        CuttingProxy(String upstream, Duration cutAfter) throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(pool);
            server.createContext("/", exchange -> {
                String line = exchange.getRequestMethod() + " " + exchange.getRequestURI();
                requests.add(line);
                try (exchange) {
                    byte[] body;
                    try (InputStream in = exchange.getRequestBody()) {
                        body = in.readAllBytes();
                    }
                    HttpRequest.Builder forward = HttpRequest.newBuilder(URI.create(upstream + exchange.getRequestURI()))
                            .timeout(cutAfter).method(exchange.getRequestMethod(), body.length == 0
                                    ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
                    for (String h : List.of("Authorization", "If-None-Match", "Content-Type", "Accept")) {
                        String v = exchange.getRequestHeaders().getFirst(h);
                        if (v != null) {
                            forward.header(h, v);
                        }
                    }
                    HttpResponse<byte[]> response;
                    try {
                        response = client.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
                    } catch (HttpTimeoutException e) {
                        cut.add(line);
                        exchange.sendResponseHeaders(504, -1);
                        return;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        exchange.sendResponseHeaders(502, -1);
                        return;
                    }
                    for (String h : List.of("ETag", "Content-Type", "Retry-After", PollWait.HEADER)) {
                        response.headers().firstValue(h).ifPresent(v -> exchange.getResponseHeaders().add(h, v));
                    }
                    byte[] out = response.body();
                    exchange.sendResponseHeaders(response.statusCode(), out.length == 0 ? -1 : out.length);
                    if (out.length > 0) {
                        exchange.getResponseBody().write(out);
                    }
                }
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
            pool.shutdownNow();
        }
    }
}
