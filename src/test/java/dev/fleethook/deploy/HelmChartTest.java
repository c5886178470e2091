package dev.fleethook.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;

/** The Helm chart, linted and rendered by helm-java (no helm binary), and checked as a platform team would. */
class HelmChartTest {

    static final Path CHART = Path.of("helm/fleethook");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static List<JsonNode> render(Path valuesFile) throws IOException {
        var template = new Helm(CHART).template().withName("fleethook").withNamespace("backup").withKubeVersion("1.30.0");
        if (valuesFile != null) {
            template = template.withValuesFile(valuesFile);
        }
        String rendered = template.call();
        List<JsonNode> docs = new ArrayList<>();
        try (YAMLParser parser = new YAMLFactory().createParser(rendered)) {
            var it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isEmpty()) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    static JsonNode kind(List<JsonNode> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(d.path("kind").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind));
    }

    static Stream<Path> ciValues() throws IOException {
        return Stream.concat(Stream.of((Path) null), Files.list(CHART.resolve("ci")).sorted());
    }

    @Test
    void theChartLintsClean() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertFalse(lint.isFailed(), String.join("\n", lint.getMessages()));
    }

    @ParameterizedTest(name = "values: {0}")
    @MethodSource("ciValues")
    void everyRenderingIsHardenedProbedAndResourced(Path values) throws IOException {
        List<JsonNode> docs = render(values);
        JsonNode pod = kind(docs, "Deployment").path("spec").path("template").path("spec");
        JsonNode c = pod.path("containers").get(0);
        assertTrue(pod.path("securityContext").path("runAsNonRoot").asBoolean());
        assertEquals("RuntimeDefault", pod.path("securityContext").path("seccompProfile").path("type").asText());
        assertFalse(pod.path("automountServiceAccountToken").asBoolean(true));
        assertTrue(c.path("securityContext").path("readOnlyRootFilesystem").asBoolean());
        assertFalse(c.path("securityContext").path("allowPrivilegeEscalation").asBoolean(true));
        assertEquals("ALL", c.path("securityContext").path("capabilities").path("drop").get(0).asText());
        assertEquals("/tmp", c.path("volumeMounts").get(0).path("mountPath").asText());
        assertEquals("/q/health/live", c.path("livenessProbe").path("httpGet").path("path").asText());
        assertEquals("/q/health/ready", c.path("readinessProbe").path("httpGet").path("path").asText());
        assertEquals("/q/health/started", c.path("startupProbe").path("httpGet").path("path").asText());
        assertFalse(c.path("resources").path("requests").path("memory").isMissingNode());
        assertFalse(c.path("resources").path("limits").path("memory").isMissingNode());
        JsonNode annotations = kind(docs, "Deployment").path("spec").path("template").path("metadata").path("annotations");
        assertTrue(annotations.path("checksum/config").asText().matches("[0-9a-f]{64}"));
        assertTrue(annotations.path("checksum/secret").asText().matches("[0-9a-f]{64}"));
        assertNotNull(kind(docs, "PodDisruptionBudget"));
        // No credential is ever a plain environment value.
        for (JsonNode env : c.path("env")) {
            String name = env.path("name").asText();
            if (name.contains("PASSWORD") || name.contains("USERNAME")) {
                assertTrue(env.path("value").isMissingNode(), name + " must come from a Secret");
                assertFalse(env.path("valueFrom").path("secretKeyRef").path("name").asText().isEmpty(), name);
            }
        }
    }

    @Test
    void defaultsRunTwoReplicasOnTheExamplePostgres() throws IOException {
        List<JsonNode> docs = render(null);
        assertEquals(2, kind(docs, "Deployment").path("spec").path("replicas").asInt());
        assertTrue(docs.stream().noneMatch(d -> "Secret".equals(d.path("kind").asText())),
                "defaults use the Secret CloudNativePG creates");
        String refs = kind(docs, "Deployment").path("spec").path("template").toString();
        assertTrue(refs.contains("\"fleethook-db-app\""), refs);
        assertFalse(refs.contains("FLEETHOOK_OPERATOR_PASSWORD"), "the portal generates and logs it");
        assertTrue(docs.stream().noneMatch(d -> "Ingress".equals(d.path("kind").asText())));
        assertEquals("true", kind(docs, "ConfigMap").path("data").path("QUARKUS_MAILER_MOCK").asText(),
                "without an SMTP host, mail stays in the outbox");
    }

    @Test
    void existingSecretsAreReferencedAndNotCreated() throws IOException {
        List<JsonNode> docs = render(CHART.resolve("ci/existing-secrets-values.yaml"));
        assertTrue(docs.stream().noneMatch(d -> "Secret".equals(d.path("kind").asText())));
        JsonNode env = kind(docs, "Deployment").path("spec").path("template").path("spec").path("containers").get(0)
                .path("env");
        List<String> refs = new ArrayList<>();
        env.forEach(e -> refs.add(e.path("valueFrom").path("secretKeyRef").path("name").asText()));
        assertTrue(refs.contains("fleethook-db-credentials"), refs.toString());
        assertTrue(refs.contains("fleethook-operator"), refs.toString());
    }

    @Test
    void credentialsGivenAsValuesGoIntoSecrets() throws IOException {
        List<JsonNode> docs = render(CHART.resolve("ci/chart-secrets-values.yaml"));
        List<String> secrets = docs.stream().filter(d -> "Secret".equals(d.path("kind").asText()))
                .map(d -> d.path("metadata").path("name").asText()).toList();
        assertEquals(List.of("fleethook-db", "fleethook-operator"), secrets);
        assertFalse(kind(docs, "ConfigMap").toString().contains("change-me"), "no password in the ConfigMap");
    }

    @Test
    void aDatabaseWithoutCredentialsIsRefusedWithAClearMessage() throws IOException {
        Path none = Files.createTempFile("no-db-credentials", ".yaml");
        Files.writeString(none, "database:\n  existingSecret: \"\"\n  password: \"\"\n");
        RuntimeException refused = assertThrows(RuntimeException.class, () -> render(none));
        assertTrue(refused.getMessage().contains("Set database.existingSecret"), refused.getMessage());
    }

    @Test
    void theHelmTestPodChecksReadiness() throws IOException {
        String test = Files.readString(CHART.resolve("templates/tests/test-ready.yaml"));
        assertTrue(test.contains("helm.sh/hook: test"));
        assertTrue(test.contains("/q/health/ready"));
    }

    @Test
    void theHighAvailabilityValuesAddAutoscalingIngressMonitoringAndNetworkPolicy() throws IOException {
        List<JsonNode> docs = render(CHART.resolve("ci/ha-values.yaml"));
        assertTrue(kind(docs, "Deployment").path("spec").path("replicas").isMissingNode(), "the HPA owns replicas");
        assertEquals(3, kind(docs, "HorizontalPodAutoscaler").path("spec").path("minReplicas").asInt());
        assertEquals("fleethook-tls", kind(docs, "Ingress").path("spec").path("tls").get(0).path("secretName").asText());
        assertEquals("/q/metrics", kind(docs, "ServiceMonitor").path("spec").path("endpoints").get(0).path("path").asText());
        assertEquals(List.of("Ingress", "Egress"), YAML.convertValue(kind(docs, "NetworkPolicy").path("spec")
                .path("policyTypes"), List.class));
    }

    @Test
    void aWrongValuesFileIsRefusedByTheSchema() throws IOException {
        Path wrong = Files.createTempFile("wrong-values", ".yaml");
        Files.writeString(wrong, """
                replicaCount: zero
                database:
                  jdbcUrl: mysql://nope
                service:
                  type: Magic
                """);
        RuntimeException refused = assertThrows(RuntimeException.class,
                () -> new Helm(CHART).template().withName("fleethook").withKubeVersion("1.30.0").withValuesFile(wrong).call());
        String message = refused.getMessage();
        assertTrue(message.contains("replicaCount") || message.contains("schema"), message);
    }

    @Test
    void theKustomizeManifestsAreValidAndAsHardenedAsTheChart() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("deployment"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                JsonNode doc = YAML.readTree(f.toFile());
                assertNotNull(doc, f + " parses");
            }
        }
        JsonNode deployment = YAML.readTree(Path.of("deployment/kustomize/base/deployment.yaml").toFile());
        JsonNode c = deployment.path("spec").path("template").path("spec").path("containers").get(0);
        assertTrue(c.path("securityContext").path("readOnlyRootFilesystem").asBoolean());
        assertEquals("/q/health/ready", c.path("readinessProbe").path("httpGet").path("path").asText());
        assertEquals("fleethook-db-app", c.path("env").get(1).path("valueFrom").path("secretKeyRef").path("name").asText());
    }
}
