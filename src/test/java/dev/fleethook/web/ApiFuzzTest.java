package dev.fleethook.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.fleethook.support.Agents;
import dev.fleethook.support.Fixtures;
import dev.fleethook.support.PolicyFixtures;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Property-based fuzzing generated from the live OpenAPI document: every operation (API and pages),
 * every parameter and body field gets hostile values (wrong types, boundaries, NUL, unpaired
 * surrogates and invalid UTF-8, huge strings and numbers, nulls in lists) and every request gets some
 * malformed framing (bad {@code Accept}, {@code Accept-Encoding}, {@code Content-Type}, broken JSON,
 * broken multipart, bodies over the limit, very long URLs, a stray CSRF header).
 *
 * <p>The properties, from issue 13 and the product's rule "bad input is a 400 naming the field, never
 * a 500": no answer is 5xx; every {@code /api} error is {@code application/problem+json}; every
 * {@code /api} 400 names at least one field.
 *
 * <p>Size: {@code -Dfuzz.cases=N} cases per operation (default 25, about a minute: it runs in every {@code ./mvnw verify}); the
 * {@code -Pfuzz} profile runs 1,000. {@code -Dfuzz.seed=S} replays a run; the seed is printed.
 */
@QuarkusTest
class ApiFuzzTest {

    static final int CASES = Integer.getInteger("fuzz.cases", 25);
    static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());
    static final ObjectMapper JSON = new ObjectMapper();
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Operations that end the fuzzer's own credentials or data: they get only unknown ids. */
    static final Pattern DESTRUCTIVE = Pattern.compile(
            ".*/(delete|revoke|disable|suspend|resume)$|^/sign-out$|^/api/v1/me/tokens/\\{id}$|^/api/v1/servers/\\{id}$"
                    + "|^/api/v1/users/\\{id}$|^/api/v1/operator/tenants/\\{id}$|^/users/\\{id}$|^/servers/\\{id}/status$");

    @TestHTTPResource("/")
    URL base;

    HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /** The credentials and ids a valid request would use. */
    Fixtures.TenantFixture tenant;
    Fixtures.Browser browser;
    Agents.Agent agent;
    String operatorToken;
    Map<String, String> ids = new TreeMap<>();
    JsonNode schemas;

    record Operation(String method, String path, List<JsonNode> parameters, String bodyType, JsonNode bodySchema) {
        String key() {
            return method + " " + path;
        }
    }

    record Outcome(String operation, String mutation, int status, String contentType, String body) {
    }

    @Test
    void noInputReachesA500() throws Exception {
        setUp();
        JsonNode doc = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "q/openapi?format=json")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        schemas = doc.path("components").path("schemas");
        List<Operation> operations = operations(doc);
        assertTrue(operations.size() > 50, "the OpenAPI document lists the operations: " + operations.size());

        Random random = new Random(SEED);
        List<Outcome> failures = new ArrayList<>();
        int requests = 0;
        int fiveHundreds = 0;
        long started = System.nanoTime();
        for (Operation op : operations) {
            for (int i = 0; i < CASES; i++) {
                Request request = generate(op, random, i);
                Outcome outcome = send(op, request);
                requests++;
                String problem = violation(op, outcome);
                if (outcome.status() >= 500) {
                    fiveHundreds++;
                }
                if (problem != null && failures.size() < 400) {
                    failures.add(new Outcome(op.key(), request.mutation + " -> " + problem, outcome.status(),
                            outcome.contentType(), abbreviate(outcome.body())));
                }
            }
        }
        requests += framing(failures);
        long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
        System.out.printf("fuzz: seed %d, %d operations, %d requests, %d answers 5xx, %d violations, %d s%n", SEED,
                operations.size(), requests, fiveHundreds, failures.size(), seconds);
        Map<String, Outcome> kinds = new LinkedHashMap<>();
        for (Outcome f : failures) {
            kinds.putIfAbsent(f.operation() + " " + f.mutation().replaceAll("\\[.*", ""), f);
        }
        kinds.values().forEach(f -> System.out.println("  " + f));
        assertEquals(List.of(), List.copyOf(kinds.values()), "seed " + SEED + ": answers that break the rules");
    }

    // --- the rules -------------------------------------------------------------------------------

    static String violation(Operation op, Outcome o) {
        if (o.status() >= 500) {
            return "server error";
        }
        boolean api = op.path().startsWith("/api/");
        if (api && o.status() >= 400) {
            if (o.contentType() == null || !o.contentType().startsWith("application/problem+json")) {
                return "API error is not problem+json";
            }
            if (o.status() == 400) {
                try {
                    JsonNode errors = JSON.readTree(o.body()).path("errors");
                    boolean named = false;
                    for (JsonNode e : errors) {
                        named |= !e.path("field").asText("").isBlank();
                    }
                    if (!named) {
                        return "400 names no field";
                    }
                } catch (IOException e) {
                    return "400 body is not JSON";
                }
            }
        }
        return null;
    }

    // --- set-up: real objects so that valid ids reach the code behind the 404s -----------------

    void setUp() {
        tenant = Fixtures.newTenant("Fuzz");
        operatorToken = Fixtures.tokenFor(Fixtures.OPERATOR_EMAIL, Fixtures.OPERATOR_PASSWORD);
        browser = Fixtures.Browser.signIn(tenant.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        agent = Agents.enrolled(tenant, "fuzz-host");
        String job = UUID.randomUUID().toString();
        agent.send(Agents.job(job, 1, false)).then().statusCode(200);
        String policy = tenant.admin().body(PolicyFixtures.save(PolicyFixtures.spec("Fuzz nightly"), null))
                .post("/api/v1/policies").then().statusCode(201).extract().path("id");
        ids.put("policy", policy);
        ids.put("server", agent.serverId());
        ids.put("job", job);
        ids.put("user", Fixtures.newUser(tenant, "VIEWER").id());
        ids.put("tenant", tenant.id());
        String alert = tenant.admin().get("/api/v1/alerts?state=").then().extract().path("[0].id");
        if (alert != null) {
            ids.put("alert", alert);
        }
    }

    // --- the operations from the OpenAPI document -----------------------------------------------

    static List<Operation> operations(JsonNode doc) {
        List<Operation> ops = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields(); paths.hasNext();) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> methods = path.getValue().fields(); methods.hasNext();) {
                Map.Entry<String, JsonNode> m = methods.next();
                if (!List.of("get", "post", "put", "patch", "delete").contains(m.getKey())) {
                    continue;
                }
                List<JsonNode> params = new ArrayList<>();
                path.getValue().path("parameters").forEach(params::add);
                m.getValue().path("parameters").forEach(params::add);
                String bodyType = null;
                JsonNode bodySchema = null;
                JsonNode content = m.getValue().path("requestBody").path("content");
                for (Iterator<String> types = content.fieldNames(); types.hasNext();) {
                    String type = types.next();
                    if (bodyType == null || type.contains("json") || type.contains("form")) {
                        bodyType = type;
                        bodySchema = content.path(type).path("schema");
                    }
                }
                ops.add(new Operation(m.getKey().toUpperCase(), path.getKey(), params, bodyType, bodySchema));
            }
        }
        return ops;
    }

    // --- generation ------------------------------------------------------------------------------

    /** One generated request: raw (already encoded) path and query, headers and body bytes. */
    static final class Request {
        String mutation = "valid";
        String path;
        StringBuilder query = new StringBuilder();
        Map<String, String> headers = new LinkedHashMap<>();
        byte[] body;
        String contentType;
    }

    /** Hostile values as JSON nodes (bodies). */
    static JsonNode hostileJson(Random r, JsonNode schema) {
        return switch (r.nextInt(22)) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.textNode("a\u0000b");
            case 2 -> NODES.textNode("\ud800x");
            case 3 -> NODES.textNode("x".repeat(100_000));
            case 4 -> NODES.numberNode(new java.math.BigDecimal("1e400"));
            case 5 -> NODES.numberNode(new java.math.BigInteger("99999999999999999999999999"));
            case 6 -> NODES.numberNode(-999_999_999L);
            case 7 -> NODES.numberNode(Long.MIN_VALUE);
            case 8 -> NODES.booleanNode(true);
            case 9 -> NODES.arrayNode().add(NODES.nullNode());
            case 10 -> NODES.objectNode().put("x", 1);
            case 11 -> NODES.textNode("");
            case 12 -> NODES.textNode(" ");
            case 13 -> NODES.textNode("-999999999-01-01T00:00:00Z");
            case 14 -> NODES.textNode("abc");
            case 15 -> NODES.numberNode(2.5);
            case 16 -> NODES.textNode("😀".repeat(40));
            case 17 -> NODES.textNode("é".repeat(73));
            case 18 -> NODES.arrayNode().add(NODES.nullNode()).add(NODES.textNode("a\u0000"));
            case 19 -> NODES.textNode("line\nbreak\r\n");
            case 20 -> boundary(r, schema);
            default -> NODES.numberNode(0);
        };
    }

    /** A value just outside the schema's declared bounds, when it declares any. */
    static JsonNode boundary(Random r, JsonNode schema) {
        if (schema != null && schema.has("maxLength")) {
            return NODES.textNode("b".repeat(schema.get("maxLength").asInt() + 1));
        }
        if (schema != null && schema.has("maximum")) {
            return NODES.numberNode(schema.get("maximum").asLong() + 1);
        }
        if (schema != null && schema.has("minimum")) {
            return NODES.numberNode(schema.get("minimum").asLong() - 1);
        }
        if (schema != null && schema.has("maxItems")) {
            ArrayNode a = NODES.arrayNode();
            for (int i = 0; i <= schema.get("maxItems").asInt(); i++) {
                a.add("x" + i);
            }
            return a;
        }
        return NODES.textNode("x".repeat(r.nextInt(3000)));
    }

    /** Hostile values already percent-encoded for a URL or a form (raw bytes included). */
    static String hostileEncoded(Random r) {
        return switch (r.nextInt(16)) {
            case 0 -> "%00";
            case 1 -> "a%00b";
            case 2 -> "%ED%A0%80"; // an unpaired surrogate in UTF-8: invalid
            case 3 -> "%FF%FE";
            case 4 -> "abc";
            case 5 -> "-1";
            case 6 -> "99999999999999999999";
            case 7 -> "x".repeat(3000);
            case 8 -> "%";
            case 9 -> "%zz";
            case 10 -> "-999999999-01-01T00%3A00%3A00Z";
            case 11 -> "1e400";
            case 12 -> "%0A%0D";
            case 13 -> "";
            case 14 -> "2.5";
            default -> "%2F..%2F..%2Fetc%2Fpasswd";
        };
    }

    /** A valid-looking value for a parameter or field, from its name and schema. */
    JsonNode valid(String name, JsonNode schema, Random r, int depth) {
        schema = resolve(schema);
        String lname = name == null ? "" : name.toLowerCase();
        if (schema == null || schema.isMissingNode()) {
            return NODES.textNode("x");
        }
        if (schema.has("enum") && schema.get("enum").size() > 0) {
            return schema.get("enum").get(r.nextInt(schema.get("enum").size()));
        }
        if (schema.has("allOf")) {
            return valid(name, schema.get("allOf").get(0), r, depth);
        }
        if (schema.has("oneOf")) {
            return valid(name, schema.get("oneOf").get(0), r, depth);
        }
        String type = schema.path("type").asText("object");
        String format = schema.path("format").asText("");
        switch (type) {
            case "integer", "number" -> {
                long min = schema.has("minimum") ? schema.get("minimum").asLong() : 0;
                long max = schema.has("maximum") ? schema.get("maximum").asLong() : min + 10;
                return NODES.numberNode(min + (long) (r.nextDouble() * Math.max(0, Math.min(max - min, 1000))));
            }
            case "boolean" -> {
                return NODES.booleanNode(r.nextBoolean());
            }
            case "array" -> {
                ArrayNode a = NODES.arrayNode();
                if (depth < 4) {
                    int n = r.nextInt(3);
                    for (int i = 0; i < n; i++) {
                        a.add(valid(name, schema.path("items"), r, depth + 1));
                    }
                }
                return a;
            }
            case "object" -> {
                ObjectNode o = NODES.objectNode();
                if (depth < 5) {
                    for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").fields(); it.hasNext();) {
                        Map.Entry<String, JsonNode> p = it.next();
                        o.set(p.getKey(), valid(p.getKey(), p.getValue(), r, depth + 1));
                    }
                }
                return o;
            }
            default -> {
                if ("uuid".equals(format) || lname.endsWith("id") || lname.equals("server") || lname.equals("policy")) {
                    return NODES.textNode(idFor(lname, r));
                }
                if ("date-time".equals(format) || lname.equals("from") || lname.equals("to") || lname.equals("time")) {
                    return NODES.textNode(Instant.now().minusSeconds(r.nextInt(100_000)).toString());
                }
                if (lname.contains("email") || lname.equals("recipient")) {
                    return NODES.textNode("fuzz-" + r.nextInt(1_000_000) + "@fuzz.test");
                }
                if (lname.contains("password")) {
                    return NODES.textNode("fuzz-password-" + r.nextInt(1_000_000));
                }
                if (lname.contains("zone")) {
                    return NODES.textNode("Europe/Paris");
                }
                int min = schema.path("minLength").asInt(1);
                int max = schema.has("maxLength") ? schema.get("maxLength").asInt() : 24;
                int len = Math.max(min, Math.min(max, 1 + r.nextInt(12)));
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < len; i++) {
                    sb.append((char) ('a' + r.nextInt(26)));
                }
                return NODES.textNode(sb.toString());
            }
        }
    }

    String idFor(String name, Random r) {
        if (r.nextInt(4) == 0) {
            return UUID.randomUUID().toString();
        }
        for (Map.Entry<String, String> e : ids.entrySet()) {
            if (name.startsWith(e.getKey()) || name.equals(e.getKey() + "id")) {
                return e.getValue();
            }
        }
        return UUID.randomUUID().toString();
    }

    JsonNode resolve(JsonNode schema) {
        if (schema != null && schema.has("$ref")) {
            String ref = schema.get("$ref").asText();
            return schemas.path(ref.substring(ref.lastIndexOf('/') + 1));
        }
        return schema;
    }

    /** The id a path parameter gets when the mutation leaves it alone. */
    String pathId(Operation op, String name, Random r) {
        if (DESTRUCTIVE.matcher(op.path()).matches() || r.nextInt(5) == 0) {
            return UUID.randomUUID().toString();
        }
        String p = op.path();
        String feature = p.contains("/polic") ? "policy" : p.contains("/server") ? "server" : p.contains("/jobs") ? "job"
                : p.contains("/users") ? "user" : p.contains("/tenants") ? "tenant" : p.contains("/alerts/") ? "alert" : "";
        if ("number".equals(name)) {
            return "1";
        }
        return ids.getOrDefault(feature, UUID.randomUUID().toString());
    }

    Request generate(Operation op, Random r, int caseIndex) {
        Request q = new Request();
        // Which part to break: -1 nothing, 0..n-1 a parameter, n.. a body field, or the framing.
        List<String> bodyFields = new ArrayList<>();
        JsonNode schema = resolve(op.bodySchema());
        if (schema != null) {
            collectFields("", schema, bodyFields, 0);
        }
        int targets = op.parameters().size() + bodyFields.size();
        int choice = caseIndex == 0 ? -1 : r.nextInt(targets + 3) - 1;
        String path = op.path();
        for (int i = 0; i < op.parameters().size(); i++) {
            JsonNode p = op.parameters().get(i);
            String name = p.path("name").asText();
            String in = p.path("in").asText();
            boolean mutate = i == choice;
            String value;
            if (mutate) {
                value = hostileEncoded(r);
                q.mutation = in + " " + name + "=" + abbreviate(value);
            } else if ("path".equals(in)) {
                value = pathId(op, name, r);
            } else {
                JsonNode v = valid(name, p.path("schema"), r, 0);
                value = URLEncoder.encode(v.asText(), StandardCharsets.UTF_8);
                if (r.nextInt(3) == 0 && !p.path("required").asBoolean()) {
                    continue;
                }
            }
            switch (in) {
                case "path" -> path = path.replace("{" + name + "}", value);
                case "query" -> q.query.append(q.query.isEmpty() ? "?" : "&").append(name).append('=').append(value);
                case "header" -> {
                    if (!value.contains("%0A") && !value.contains("%00")) {
                        q.headers.put(name, value);
                    }
                }
                default -> {
                }
            }
        }
        q.path = path;
        if (op.bodyType() != null) {
            ObjectNode body = schema == null || !schema.path("type").asText("object").equals("object")
                    ? NODES.objectNode() : (ObjectNode) valid("body", schema, r, 0);
            int fieldIndex = choice - op.parameters().size();
            if (fieldIndex >= 0 && fieldIndex < bodyFields.size()) {
                String field = bodyFields.get(fieldIndex);
                JsonNode fieldSchema = fieldSchema(schema, field);
                JsonNode hostile = hostileJson(r, fieldSchema);
                put(body, field, hostile);
                q.mutation = "field " + field + "=" + abbreviate(hostile.toString());
            }
            if (op.bodyType().contains("form")) {
                q.contentType = "application/x-www-form-urlencoded";
                StringBuilder form = new StringBuilder("csrf-token=" + URLEncoder.encode(browser.csrf, StandardCharsets.UTF_8));
                for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext();) {
                    Map.Entry<String, JsonNode> f = it.next();
                    String v = f.getValue().isTextual() ? f.getValue().asText() : f.getValue().toString();
                    String encoded = URLEncoder.encode(v, StandardCharsets.UTF_8);
                    if (q.mutation.startsWith("field " + f.getKey() + "=") && r.nextBoolean()) {
                        encoded = hostileEncoded(r);
                        q.mutation = "form " + f.getKey() + "=" + abbreviate(encoded);
                    }
                    form.append('&').append(f.getKey()).append('=').append(encoded);
                }
                q.body = form.toString().getBytes(StandardCharsets.UTF_8);
            } else {
                q.contentType = op.bodyType();
                q.body = body.toString().getBytes(StandardCharsets.UTF_8);
            }
        }
        if (choice == targets + 1 || (choice == targets && op.bodyType() == null)) {
            frame(q, r);
        } else if (choice == targets && op.bodyType() != null) {
            q.mutation = "json with unpaired surrogate escapes and NUL everywhere";
            q.body = new String(q.body, StandardCharsets.UTF_8).replace("\"a", "\"\\ud800\\u0000a")
                    .getBytes(StandardCharsets.UTF_8);
        }
        return q;
    }

    /** Breaks the framing of a request: headers, media types, body encoding, sizes. */
    void frame(Request q, Random r) {
        switch (r.nextInt(12)) {
            case 0 -> q.headers.put("Accept", "*/*;q=x");
            case 1 -> q.headers.put("Accept-Encoding", "gzip;q=abc");
            case 2 -> q.contentType = "application/json, text/plain";
            case 3 -> {
                q.contentType = "multipart/form-data; boundary=xyz";
                q.body = "--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end".getBytes(StandardCharsets.UTF_8);
            }
            case 4 -> {
                q.contentType = "application/json";
                q.body = "{\"a\": [1, 2".getBytes(StandardCharsets.UTF_8);
            }
            case 5 -> {
                q.contentType = "text/plain";
                q.body = "hello".getBytes(StandardCharsets.UTF_8);
            }
            case 6 -> q.headers.put("X-CSRF-TOKEN", "stray");
            case 7 -> q.headers.put("Accept", "application/xml");
            case 8 -> {
                q.contentType = "application/json; charset=x-unknown";
                q.body = "{}".getBytes(StandardCharsets.UTF_8);
            }
            case 9 -> {
                q.contentType = "application/json";
                q.body = new byte[] { '{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}' };
            }
            case 10 -> q.headers.put("Content-Type", "");
            default -> {
                q.contentType = "application/x-www-form-urlencoded";
                q.body = "a=%&b=%zz&%00=1".getBytes(StandardCharsets.UTF_8);
            }
        }
        q.mutation = "framing " + q.headers + " " + q.contentType + " "
                + (q.body == null ? "" : abbreviate(new String(q.body, StandardCharsets.UTF_8)));
    }

    static void collectFields(String prefix, JsonNode schema, List<String> out, int depth) {
        if (depth > 3) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> p = it.next();
            String name = prefix + p.getKey();
            out.add(name);
        }
    }

    JsonNode fieldSchema(JsonNode schema, String field) {
        return resolve(schema.path("properties").path(field));
    }

    static void put(ObjectNode body, String field, JsonNode value) {
        body.set(field, value);
    }

    // --- sending ---------------------------------------------------------------------------------

    Outcome send(Operation op, Request q) {
        try {
            String url = base.toString().replaceAll("/$", "") + q.path + q.query;
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
            if (op.path().startsWith("/api/agent/")) {
                b.header("Authorization", "Bearer " + agent.secret());
            } else if (op.path().startsWith("/api/v1/operator/")) {
                b.header("Authorization", "Bearer " + operatorToken);
            } else if (op.path().startsWith("/api/")) {
                b.header("Authorization", "Bearer " + tenant.adminToken());
            } else {
                Fixtures.Browser who = op.path().equals("/sign-out") || op.path().startsWith("/operator/")
                        ? (op.path().startsWith("/operator/")
                                ? Fixtures.Browser.signIn(Fixtures.OPERATOR_EMAIL, Fixtures.OPERATOR_PASSWORD)
                                : Fixtures.Browser.signIn(tenant.adminEmail(), Fixtures.DEFAULT_PASSWORD))
                        : browser;
                StringBuilder cookies = new StringBuilder();
                who.cookies.forEach((k, v) -> cookies.append(cookies.isEmpty() ? "" : "; ").append(k).append('=').append(v));
                b.header("Cookie", cookies.toString());
                if (who != browser && q.body != null && q.contentType != null && q.contentType.contains("form")) {
                    q.body = new String(q.body, StandardCharsets.UTF_8)
                            .replace("csrf-token=" + URLEncoder.encode(browser.csrf, StandardCharsets.UTF_8),
                                    "csrf-token=" + URLEncoder.encode(who.csrf, StandardCharsets.UTF_8))
                            .getBytes(StandardCharsets.UTF_8);
                }
            }
            if (q.contentType != null && !q.contentType.isEmpty() && !q.headers.containsKey("Content-Type")) {
                b.header("Content-Type", q.contentType);
            }
            q.headers.forEach((k, v) -> {
                if (!v.isEmpty()) {
                    b.header(k, v);
                }
            });
            b.method(op.method(), q.body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(q.body));
            HttpResponse<String> response = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Outcome(op.key(), q.mutation, response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse(null), response.body());
        } catch (IllegalArgumentException e) {
            // The JDK refused to build this request (an invalid URI): nothing reached the portal.
            return new Outcome(op.key(), q.mutation, 0, null, "not sent: " + e.getMessage());
        } catch (IOException e) {
            return new Outcome(op.key(), q.mutation, 599, null, "connection failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Framing the HTTP client cannot produce: over-long URLs and headers, bodies over the 2 MB limit,
     * sent on a raw socket. Each must be a problem+json error under /api.
     */
    int framing(List<Outcome> failures) throws IOException {
        String auth = "Authorization: Bearer " + tenant.adminToken() + "\r\n";
        List<String[]> raw = new ArrayList<>();
        raw.add(new String[] { "414 long URL", "GET /api/v1/users?q=" + "x".repeat(20_000) + " HTTP/1.1\r\n" + auth });
        raw.add(new String[] { "431 long header", "GET /api/v1/users HTTP/1.1\r\n" + auth + "X-Big: " + "y".repeat(40_000) + "\r\n" });
        raw.add(new String[] { "413 body over 2 MB", "POST /api/v1/users HTTP/1.1\r\n" + auth
                + "Content-Type: application/json\r\nContent-Length: " + (3 * 1024 * 1024) + "\r\n" });
        raw.add(new String[] { "413 agent body over 2 MB", "POST /api/agent/v1/events HTTP/1.1\r\nAuthorization: Bearer "
                + agent.secret() + "\r\nContent-Type: application/json\r\nContent-Length: " + (3 * 1024 * 1024) + "\r\n" });
        raw.add(new String[] { "stray CSRF header", "POST /api/v1/me/tokens HTTP/1.1\r\n" + auth
                + "X-CSRF-TOKEN: stray\r\nContent-Type: application/json\r\nContent-Length: 14\r\n" });
        int sent = 0;
        for (String[] c : raw) {
            sent++;
            try (Socket s = new Socket(base.getHost(), base.getPort())) {
                s.setSoTimeout(20_000);
                OutputStream out = s.getOutputStream();
                out.write((c[1] + "Host: localhost\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                if (c[0].startsWith("413")) {
                    byte[] chunk = new byte[64 * 1024];
                    java.util.Arrays.fill(chunk, (byte) ' ');
                    try {
                        for (int i = 0; i < 48; i++) {
                            out.write(chunk);
                        }
                    } catch (IOException closedEarly) {
                        // the portal may answer and close before the whole body is sent
                    }
                } else if (c[0].startsWith("stray")) {
                    out.write("{\"name\":\"x\"}  ".getBytes(StandardCharsets.US_ASCII));
                }
                out.flush();
                String answer = readAll(s.getInputStream());
                int status = Integer.parseInt(answer.substring(9, 12));
                String head = answer.substring(0, Math.max(0, answer.indexOf("\r\n\r\n"))).toLowerCase();
                boolean problem = head.contains("content-type: application/problem+json");
                if (status >= 500 || (status >= 400 && !problem)) {
                    failures.add(new Outcome("raw", c[0], status, problem ? "problem" : "not problem+json",
                            abbreviate(answer)));
                }
            }
        }
        return sent;
    }

    static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) > 0;) {
                bytes.write(buf, 0, n);
            }
        } catch (java.net.SocketException reset) {
            // the answer was read before the reset
        }
        return bytes.toString(StandardCharsets.ISO_8859_1);
    }

    static String abbreviate(String s) {
        if (s == null) {
            return null;
        }
        return s.length() > 160 ? s.substring(0, 160) + "…(" + s.length() + ")" : s;
    }
}
