package dev.fleethook.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.fleethook.protocol.PollWait;
import dev.fleethook.support.PackagedPortal;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The command channel under load: the packaged portal (production profile) on a real PostgreSQL,
 * {@code bench.channel.agents} (10,000) enrolled agents each holding a poll open
 * ({@code ?wait=30}, re-held as soon as it is answered, all asynchronous on one JDK HttpClient), then
 * Backup Now pressed {@code bench.channel.presses} (200) times for random agents; latency is from the
 * API call to the held poll's answer carrying that command. Also prints the portal's RSS and threads with
 * every poll held, and the plain 304-poll rate of 8 other clients without and with the held polls (after
 * an unmeasured warm-up of the same length).
 * Loopback only; every phase is time-bounded, and it stops by itself. Run with {@code ./mvnw -Pbenchmark verify}.
 */
class CommandChannelBenchmark {

    static final int AGENTS = Integer.getInteger("bench.channel.agents", 10_000);
    static final int PRESSES = Integer.getInteger("bench.channel.presses", 200);
    static final int CONCURRENCY = 8;
    static final int RATE_SECONDS = 10;
    static final int WAIT = 30;
    static final ObjectMapper JSON = new ObjectMapper();

    record Agent(String serverId, String secret, String etag) {
    }

    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(20)).build();
    String base;
    String admin;
    volatile boolean holding = true;
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicLong heldErrors = new AtomicLong();
    /** Command id -> nanoTime it was pressed (put when the API call returns). */
    final Map<String, Long> pressed = new ConcurrentHashMap<>();
    /** Command id -> nanoTime a held poll first delivered it (may come before the API call returns). */
    final Map<String, Long> delivered = new ConcurrentHashMap<>();

    @Test
    void commandChannel() throws Exception {
        try (EmbeddedPostgres pg = BenchPostgres.start();
                PackagedPortal portal = PackagedPortal.start(pg, Map.of("FLEETHOOK_OPERATOR_PASSWORD", "bench-operator-pw",
                        "QUARKUS_LOG_LEVEL", "WARN"), "-Xmx1g")) {
            base = portal.baseUrl;
            long pid = portal.process().pid();
            long started = System.nanoTime();
            List<Agent> agents = setUp();
            double setUpSeconds = (System.nanoTime() - started) / 1e9;
            String idle = proc(pid);

            plainPollRate(agents); // warm-up (JIT, connections), not measured
            double plainBefore = plainPollRate(agents);
            // Every agent holds a poll, opened in steps so the accept queue keeps up.
            for (int i = 0; i < agents.size(); i++) {
                hold(agents.get(i));
                if (i % 500 == 499) {
                    Thread.sleep(100);
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (inFlight.get() < agents.size() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            Thread.sleep(3000);
            String held = proc(pid);
            int connected = inFlight.get();
            double plainDuring = plainPollRate(agents);

            // Backup Now for random agents, a few per second, while everyone holds.
            for (int i = 0; i < PRESSES; i++) {
                Agent a = agents.get(ThreadLocalRandom.current().nextInt(agents.size()));
                long t = System.nanoTime();
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/servers/"
                        + a.serverId() + "/backup-now")).header("Authorization", "Bearer " + admin)
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 202) {
                    pressed.put(JSON.readTree(r.body()).get("id").asText(), t);
                }
                Thread.sleep(20);
            }
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT + 10);
            while (!delivered.keySet().containsAll(pressed.keySet()) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            holding = false;
            long[] sorted = pressed.entrySet().stream().filter(e -> delivered.containsKey(e.getKey()))
                    .mapToLong(e -> delivered.get(e.getKey()) - e.getValue()).sorted().toArray();
            String table = table(agents.size(), connected, setUpSeconds, idle, held, plainBefore, plainDuring, sorted,
                    pressed.size() - sorted.length);
            System.out.println(table);
            Files.writeString(Path.of("target", "benchmark-command-channel.md"), table);
            assertTrue(sorted.length > 0, "commands reached held polls");
        }
    }

    /** One held poll; when it is answered, the next one (until the benchmark ends). */
    private void hold(Agent agent) {
        inFlight.incrementAndGet();
        HttpRequest r = HttpRequest.newBuilder(URI.create(base + "/api/agent/v1/policy?" + PollWait.PARAMETER + "=" + WAIT))
                .timeout(Duration.ofSeconds(WAIT + 30)).header("Authorization", "Bearer " + agent.secret())
                .header("If-None-Match", agent.etag()).GET().build();
        http.sendAsync(r, HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> {
            inFlight.decrementAndGet();
            long now = System.nanoTime();
            Agent next = agent;
            if (failure != null || (response.statusCode() != 200 && response.statusCode() != 304)) {
                heldErrors.incrementAndGet();
            } else if (response.statusCode() == 200) {
                next = new Agent(agent.serverId(), agent.secret(), response.headers().firstValue("ETag").orElseThrow());
                try {
                    for (JsonNode c : JSON.readTree(response.body()).get("commands")) {
                        delivered.putIfAbsent(c.get("id").asText(), now);
                    }
                } catch (IOException e) {
                    heldErrors.incrementAndGet();
                }
            }
            if (holding) {
                hold(next);
            }
        });
    }

    /** Plain 304 polls per second from {@link #CONCURRENCY} threads for {@link #RATE_SECONDS} s. */
    private double plainPollRate(List<Agent> agents) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RATE_SECONDS);
        AtomicLong ok = new AtomicLong();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < CONCURRENCY; t++) {
            futures.add(pool.submit(() -> {
                HttpClient own = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                while (System.nanoTime() < deadline) {
                    Agent a = agents.get(ThreadLocalRandom.current().nextInt(agents.size()));
                    HttpRequest r = HttpRequest.newBuilder(URI.create(base + "/api/agent/v1/policy"))
                            .header("Authorization", "Bearer " + a.secret()).header("If-None-Match", a.etag()).GET().build();
                    if (own.send(r, HttpResponse.BodyHandlers.discarding()).statusCode() == 304) {
                        ok.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        return ok.get() / (double) RATE_SECONDS;
    }

    private List<Agent> setUp() throws Exception {
        String op = JSON.readTree(send(HttpRequest.newBuilder(URI.create(base + "/api/v1/me/tokens"))
                .header("Authorization", basic("operator@fleethook.local", "bench-operator-pw"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"bench\"}")).build()).body()).get("token").asText();
        send(json("/api/v1/operator/tenants", op, "{\"name\":\"Bench\",\"slug\":\"bench\",\"adminEmail\":\"admin@bench.test\","
                + "\"adminName\":\"B\",\"adminPassword\":\"bench-admin-password\"}"));
        admin = JSON.readTree(send(HttpRequest.newBuilder(URI.create(base + "/api/v1/me/tokens"))
                .header("Authorization", basic("admin@bench.test", "bench-admin-password"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"bench\"}")).build()).body()).get("token").asText();
        ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY);
        List<Future<List<Agent>>> parts = new ArrayList<>();
        int per = (AGENTS + CONCURRENCY - 1) / CONCURRENCY;
        for (int t = 0; t < CONCURRENCY; t++) {
            int from = t * per;
            int to = Math.min(AGENTS, from + per);
            parts.add(pool.submit(() -> {
                List<Agent> mine = new ArrayList<>();
                for (int i = from; i < to; i += 1000) {
                    int n = Math.min(1000, to - i);
                    String token = JSON.readTree(send(json("/api/v1/enrollment-tokens", admin, "{\"label\":\"bench " + i
                            + "\",\"maxUses\":" + n + ",\"expiresInMinutes\":60}")).body()).get("token").asText();
                    for (int k = i; k < i + n; k++) {
                        JsonNode enrolled = JSON.readTree(send(json("/api/agent/v1/enroll", null, "{\"token\":\"" + token
                                + "\",\"hostname\":\"held-" + k + "\",\"os\":\"linux\",\"agentVersion\":\"bench\"}")).body());
                        String secret = enrolled.get("agentSecret").asText();
                        HttpResponse<String> first = send(HttpRequest.newBuilder(URI.create(base + "/api/agent/v1/policy"))
                                .header("Authorization", "Bearer " + secret).GET().build());
                        mine.add(new Agent(enrolled.get("serverId").asText(), secret,
                                first.headers().firstValue("ETag").orElseThrow()));
                    }
                }
                return mine;
            }));
        }
        List<Agent> agents = new ArrayList<>();
        for (Future<List<Agent>> f : parts) {
            agents.addAll(f.get(30, TimeUnit.MINUTES));
        }
        pool.shutdown();
        return agents;
    }

    /** VmRSS and Threads of a process, from /proc. */
    private static String proc(long pid) throws IOException {
        String rss = "?";
        String threads = "?";
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = String.format("%,d MiB", Long.parseLong(line.replaceAll("\\D", "")) / 1024);
            } else if (line.startsWith("Threads:")) {
                threads = line.replaceAll("\\D", "");
            }
        }
        return rss + ", " + threads + " threads";
    }

    private String table(int agents, int connected, double setUp, String idle, String held, double before,
            double during, long[] sorted, int lost) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%nCommand channel benchmark: %,d agents (enrolled in %.0f s), %d cores, Java %s%n%n",
                agents, setUp, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version")));
        sb.append("| measure | value | target |\n|---|---:|---|\n");
        sb.append(String.format("| held polls open at once | %,d | 10,000 |%n", connected));
        sb.append(String.format("| Backup Now -> held poll, p50 | %.0f ms | |%n", pct(sorted, 50)));
        sb.append(String.format("| Backup Now -> held poll, p99 | %.0f ms | <= 2,000 ms |%n", pct(sorted, 99)));
        sb.append(String.format("| Backup Now -> held poll, max | %.0f ms | |%n", pct(sorted, 100)));
        sb.append(String.format("| commands delivered / pressed | %,d / %,d | all |%n", sorted.length, sorted.length + lost));
        sb.append(String.format("| held poll errors | %,d | 0 |%n", heldErrors.get()));
        sb.append(String.format("| portal, no poll held | %s | |%n", idle));
        sb.append(String.format("| portal, every poll held | %s | |%n", held));
        sb.append(String.format("| plain 304 polls/s, %d clients, no poll held | %,.0f | |%n", CONCURRENCY, before));
        sb.append(String.format("| plain 304 polls/s, %d clients, every poll held | %,.0f (%+.0f %%) | within 20 %% |%n",
                CONCURRENCY, during, (during / before - 1) * 100));
        return sb.toString();
    }

    private HttpResponse<String> send(HttpRequest r) throws Exception {
        HttpResponse<String> response = http.send(r, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(r.uri() + " -> " + response.statusCode() + " " + response.body());
        }
        return response;
    }

    private HttpRequest json(String path, String bearer, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return b.build();
    }

    private static String basic(String user, String password) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes());
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(p / 100.0 * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1_000_000.0;
    }
}
