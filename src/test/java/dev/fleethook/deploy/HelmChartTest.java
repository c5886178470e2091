package dev.fleethook.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;

import dev.fleethook.build.ImageBuilder;

/**
 * The Helm chart, linted and rendered by helm-java (no helm binary), and checked as a platform team would:
 * each option renders what it says, each wrong values file is refused, and every rendering keeps the
 * "restricted" Pod Security profile.
 */
class HelmChartTest {

    static final Path CHART = Path.of("helm/fleethook");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static List<JsonNode> render(Path valuesFile) throws IOException {
        var template = new Helm(CHART).template().withName("fleethook").withNamespace("backup").withKubeVersion("1.30.0");
        if (valuesFile != null) {
            template = template.withValuesFile(valuesFile);
        }
        return parse(template.call());
    }

    /** Renders the chart with {@code values} (YAML text) over the defaults. */
    static List<JsonNode> render(String values) throws IOException {
        return render(valuesFile(values));
    }

    /**
     * Renders with the {@code helm test} pod included: helm-java's template leaves hooks out, so this renders a
     * copy of the chart whose test pod is not marked as a hook.
     */
    static List<JsonNode> renderWithTests(Path valuesFile) throws IOException {
        Path copy = Files.createTempDirectory("chart").resolve("fleethook");
        try (Stream<Path> files = Files.walk(CHART)) {
            for (Path f : files.toList()) {
                Path target = copy.resolve(CHART.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.writeString(target, Files.readString(f).replace("helm.sh/hook: test", "example.com/was-hook: test"));
                }
            }
        }
        var template = new Helm(copy).template().withName("fleethook").withNamespace("backup").withKubeVersion("1.30.0");
        if (valuesFile != null) {
            template = template.withValuesFile(valuesFile);
        }
        return parse(template.call());
    }

    static Path valuesFile(String values) throws IOException {
        Path f = Files.createTempFile("values", ".yaml");
        Files.writeString(f, values);
        f.toFile().deleteOnExit();
        return f;
    }

    static List<JsonNode> parse(String rendered) throws IOException {
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

    static boolean has(List<JsonNode> docs, String kind) {
        return docs.stream().anyMatch(d -> kind.equals(d.path("kind").asText()));
    }

    static JsonNode named(List<JsonNode> docs, String kind, String name) {
        return docs.stream().filter(d -> kind.equals(d.path("kind").asText())
                && name.equals(d.path("metadata").path("name").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    static JsonNode pod(List<JsonNode> docs) {
        return kind(docs, "Deployment").path("spec").path("template").path("spec");
    }

    static JsonNode portal(List<JsonNode> docs) {
        return pod(docs).path("containers").get(0);
    }

    static String env(JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            if (name.equals(e.path("name").asText())) {
                return e.toString();
            }
        }
        return null;
    }

    static Stream<Path> ciValues() throws IOException {
        return Stream.concat(Stream.of((Path) null), Files.list(CHART.resolve("ci")).sorted());
    }

    /**
     * The checks of the Pod Security Standards' "restricted" profile (kubernetes.io/docs/concepts/security/
     * pod-security-standards) that a pod spec can fail, applied to one rendered pod spec.
     */
    static void assertRestricted(String what, JsonNode pod) {
        for (String host : List.of("hostNetwork", "hostPID", "hostIPC")) {
            assertFalse(pod.path(host).asBoolean(false), what + ": " + host);
        }
        Set<String> allowedVolumes = Set.of("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
                "persistentVolumeClaim", "projected", "secret");
        for (JsonNode v : pod.path("volumes")) {
            v.fieldNames().forEachRemaining(f -> assertTrue(f.equals("name") || allowedVolumes.contains(f),
                    what + ": volume type " + f));
        }
        JsonNode podSc = pod.path("securityContext");
        for (JsonNode c : pod.path("containers")) {
            JsonNode sc = c.path("securityContext");
            String name = what + "/" + c.path("name").asText();
            assertFalse(sc.path("privileged").asBoolean(false), name + ": privileged");
            assertFalse(sc.path("allowPrivilegeEscalation").asBoolean(true), name + ": allowPrivilegeEscalation");
            List<String> drop = new ArrayList<>();
            sc.path("capabilities").path("drop").forEach(d -> drop.add(d.asText()));
            assertTrue(drop.contains("ALL"), name + ": capabilities.drop " + drop);
            sc.path("capabilities").path("add").forEach(a -> assertEquals("NET_BIND_SERVICE", a.asText(), name));
            boolean nonRoot = sc.path("runAsNonRoot").asBoolean(podSc.path("runAsNonRoot").asBoolean(false));
            assertTrue(nonRoot, name + ": runAsNonRoot");
            assertTrue(sc.path("runAsUser").asInt(podSc.path("runAsUser").asInt(1)) != 0, name + ": runAsUser 0");
            String seccomp = sc.path("seccompProfile").path("type")
                    .asText(podSc.path("seccompProfile").path("type").asText(""));
            assertTrue(Set.of("RuntimeDefault", "Localhost").contains(seccomp), name + ": seccomp " + seccomp);
            for (JsonNode p : c.path("ports")) {
                assertTrue(p.path("hostPort").isMissingNode(), name + ": hostPort");
            }
        }
    }

    static List<JsonNode> pods(List<JsonNode> docs) {
        List<JsonNode> pods = new ArrayList<>();
        for (JsonNode d : docs) {
            switch (d.path("kind").asText()) {
                case "Deployment" -> pods.add(d.path("spec").path("template").path("spec"));
                case "Pod" -> pods.add(d.path("spec"));
                default -> { }
            }
        }
        return pods;
    }

    @Test
    void theChartLintsClean() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertFalse(lint.isFailed(), String.join("\n", lint.getMessages()));
    }

    @ParameterizedTest(name = "values: {0}")
    @MethodSource("ciValues")
    void everyRenderingIsRestrictedProbedOnTheManagementPortAndResourced(Path values) throws IOException {
        List<JsonNode> docs = renderWithTests(values);
        assertEquals(2, pods(docs).size(), "the portal and the helm test pod");
        JsonNode pod = pod(docs);
        JsonNode c = portal(docs);
        for (JsonNode p : pods(docs)) {
            assertRestricted(String.valueOf(values), p);
        }
        assertFalse(pod.path("automountServiceAccountToken").asBoolean(true));
        assertTrue(c.path("securityContext").path("readOnlyRootFilesystem").asBoolean());
        assertEquals("/tmp", c.path("volumeMounts").get(0).path("mountPath").asText());
        for (String[] probe : List.of(new String[] {"livenessProbe", "/q/health/live"},
                new String[] {"readinessProbe", "/q/health/ready"}, new String[] {"startupProbe", "/q/health/started"})) {
            assertEquals(probe[1], c.path(probe[0]).path("httpGet").path("path").asText());
            assertEquals("management", c.path(probe[0]).path("httpGet").path("port").asText());
        }
        assertEquals(9000, c.path("ports").get(1).path("containerPort").asInt());
        assertEquals("management", c.path("ports").get(1).path("name").asText());
        assertFalse(c.path("resources").path("requests").path("memory").isMissingNode());
        assertFalse(c.path("resources").path("limits").path("memory").isMissingNode());
        JsonNode annotations = kind(docs, "Deployment").path("spec").path("template").path("metadata").path("annotations");
        assertTrue(annotations.path("checksum/config").asText().matches("[0-9a-f]{64}"));
        assertTrue(annotations.path("checksum/secret").asText().matches("[0-9a-f]{64}"));
        // The Service (and so the Ingress) never exposes the management port.
        for (JsonNode d : docs) {
            if ("Service".equals(d.path("kind").asText()) && !d.path("metadata").path("name").asText().endsWith("-metrics")) {
                assertEquals(1, d.path("spec").path("ports").size());
                assertEquals("http", d.path("spec").path("ports").get(0).path("targetPort").asText());
            }
        }
        // Mail is never mocked in production; no credential is ever a plain environment value.
        assertFalse(kind(docs, "ConfigMap").path("data").has("QUARKUS_MAILER_MOCK"));
        for (JsonNode env : c.path("env")) {
            String name = env.path("name").asText();
            if (name.contains("PASSWORD") || name.contains("USERNAME")) {
                assertTrue(env.path("value").isMissingNode(), name + " must come from a Secret");
                assertFalse(env.path("valueFrom").path("secretKeyRef").path("name").asText().isEmpty(), name);
            }
        }
    }

    @Test
    void defaultsRunTwoReplicasOnTheExamplePostgresWithADrainableBudgetAndZoneSpread() throws IOException {
        List<JsonNode> docs = render((Path) null);
        assertEquals(2, kind(docs, "Deployment").path("spec").path("replicas").asInt());
        assertTrue(docs.stream().noneMatch(d -> "Secret".equals(d.path("kind").asText())),
                "defaults use the Secret CloudNativePG creates");
        String refs = kind(docs, "Deployment").path("spec").path("template").toString();
        JsonNode portal = portal(docs);
        assertTrue(env(portal, "QUARKUS_DATASOURCE_USERNAME").contains("\"name\":\"fleethook-db-runtime\""),
                "the portal runs as the managed role that owns nothing: " + refs);
        assertTrue(env(portal, "QUARKUS_FLYWAY_USERNAME").contains("\"name\":\"fleethook-db-app\""),
                "the owner CloudNativePG creates migrates: " + refs);
        assertFalse(refs.contains("FLEETHOOK_OPERATOR_PASSWORD"), "the portal generates and logs it");
        assertFalse(has(docs, "Ingress"));
        assertEquals("ghcr.io/fleethook/fleethook:0.1.0", portal(docs).path("image").asText());
        JsonNode config = kind(docs, "ConfigMap").path("data");
        assertFalse(config.has("QUARKUS_MAILER_HOST"), "without an SMTP host, mail stays in the outbox");
        assertFalse(config.has("FLEETHOOK_BASE_URL"), "no made-up public URL");
        assertEquals("9000", config.path("QUARKUS_MANAGEMENT_PORT").asText());
        JsonNode pdb = kind(docs, "PodDisruptionBudget").path("spec");
        assertEquals(1, pdb.path("maxUnavailable").asInt());
        assertTrue(pdb.path("minAvailable").isMissingNode());
        JsonNode spread = pod(docs).path("topologySpreadConstraints").get(0);
        assertEquals("topology.kubernetes.io/zone", spread.path("topologyKey").asText());
        assertEquals("ScheduleAnyway", spread.path("whenUnsatisfiable").asText());
        assertFalse(has(docs, "NetworkPolicy") || has(docs, "ServiceMonitor") || has(docs, "HorizontalPodAutoscaler"));
    }

    @Test
    void theJvmOptionsReachAVariableTheJvmReadsAndAgreeWithTheImage() throws IOException {
        JsonNode config = kind(render((Path) null), "ConfigMap").path("data");
        assertFalse(config.has("JAVA_OPTS_APPEND"), "nothing in the image reads JAVA_OPTS_APPEND");
        assertEquals(ImageBuilder.DEFAULT_JAVA_OPTIONS, config.path("JDK_JAVA_OPTIONS").asText(),
                "the chart's default is the image's default");
        assertEquals("-XX:MaxRAMPercentage=50.0", kind(render("javaOpts: \"-XX:MaxRAMPercentage=50.0\"\n"), "ConfigMap")
                .path("data").path("JDK_JAVA_OPTIONS").asText());
        assertTrue(ImageBuilder.ENTRYPOINT.stream().noneMatch(a -> a.startsWith("-XX:MaxRAM")),
                "the entrypoint sets no memory flag that would override JDK_JAVA_OPTIONS");
    }

    @Test
    void existingSecretsAreReferencedWithTheirKeysAndNotCreated() throws IOException {
        List<JsonNode> docs = render(CHART.resolve("ci/existing-secrets-values.yaml"));
        assertTrue(docs.stream().noneMatch(d -> "Secret".equals(d.path("kind").asText())));
        JsonNode c = portal(docs);
        List<String> refs = new ArrayList<>();
        c.path("env").forEach(e -> refs.add(e.path("valueFrom").path("secretKeyRef").path("name").asText()));
        assertTrue(refs.contains("fleethook-db-credentials"), refs.toString());
        assertTrue(refs.contains("fleethook-operator"), refs.toString());
        assertTrue(env(c, "FLEETHOOK_OPERATOR_PASSWORD").contains("\"key\":\"operator-password\""));
        assertTrue(env(c, "QUARKUS_MAILER_USERNAME").contains("\"key\":\"smtp-user\""));
        assertTrue(env(c, "QUARKUS_MAILER_PASSWORD").contains("\"name\":\"fleethook-smtp\""));
        assertTrue(env(c, "QUARKUS_MAILER_PASSWORD").contains("\"key\":\"smtp-password\""));
        assertTrue(env(c, "QUARKUS_FLYWAY_USERNAME").contains("\"name\":\"fleethook-db-owner\""));
        assertTrue(env(c, "QUARKUS_FLYWAY_USERNAME").contains("\"key\":\"owner-user\""));
        assertTrue(env(c, "QUARKUS_FLYWAY_PASSWORD").contains("\"key\":\"owner-password\""));
    }

    @Test
    void withoutAnOwnerRoleTheRuntimeRoleMigrates() throws IOException {
        JsonNode c = portal(render("database: {migration: {existingSecret: \"\"}}\n"));
        assertNull(env(c, "QUARKUS_FLYWAY_USERNAME"), "Flyway then uses the datasource's role");
        assertNull(env(c, "QUARKUS_FLYWAY_PASSWORD"));
    }

    @Test
    void credentialsGivenAsValuesGoIntoSecrets() throws IOException {
        List<JsonNode> docs = render(CHART.resolve("ci/chart-secrets-values.yaml"));
        List<String> secrets = docs.stream().filter(d -> "Secret".equals(d.path("kind").asText()))
                .map(d -> d.path("metadata").path("name").asText()).toList();
        assertEquals(List.of("fleethook-db", "fleethook-db-migration", "fleethook-operator"), secrets);
        assertTrue(env(portal(docs), "QUARKUS_FLYWAY_PASSWORD").contains("\"name\":\"fleethook-db-migration\""));
        assertFalse(kind(docs, "ConfigMap").toString().contains("change-me"), "no password in the ConfigMap");
    }

    @Test
    void theHelmTestPodPingsThePortalThroughTheServiceWithAConfigurableImage() throws IOException {
        assertTrue(Files.readString(CHART.resolve("templates/tests/test-ready.yaml")).contains("helm.sh/hook: test"));
        JsonNode test = named(renderWithTests(valuesFile("""
                tests:
                  image:
                    registry: registry.acme.example
                    repository: tools/busybox
                    tag: "1.37"
                """)), "Pod", "fleethook-test-ready");
        JsonNode c = test.path("spec").path("containers").get(0);
        assertEquals("registry.acme.example/tools/busybox:1.37", c.path("image").asText());
        assertTrue(c.path("command").toString().contains("http://fleethook:80/api/agent/v1/ping"), c.toString());
        assertEquals("helm-test", test.path("metadata").path("labels").path("app.kubernetes.io/component").asText());
        assertEquals("fleethook-test", test.path("metadata").path("labels").path("app.kubernetes.io/name").asText(),
                "not selected by the portal's Service");
    }

    @Test
    void theHighAvailabilityValuesAddAutoscalingIngressMonitoringAndNetworkPolicy() throws IOException {
        List<JsonNode> docs = render(CHART.resolve("ci/ha-values.yaml"));
        assertTrue(kind(docs, "Deployment").path("spec").path("replicas").isMissingNode(), "the HPA owns replicas");
        assertEquals(3, kind(docs, "HorizontalPodAutoscaler").path("spec").path("minReplicas").asInt());
        assertEquals("fleethook-tls", kind(docs, "Ingress").path("spec").path("tls").get(0).path("secretName").asText());
        assertEquals("https://fleethook.acme.example",
                kind(docs, "ConfigMap").path("data").path("FLEETHOOK_BASE_URL").asText(), "the ingress host is the public URL");
        JsonNode endpoint = kind(docs, "ServiceMonitor").path("spec").path("endpoints").get(0);
        assertEquals("/q/metrics", endpoint.path("path").asText());
        assertEquals("management", endpoint.path("port").asText());
        assertEquals(List.of("Ingress", "Egress"), YAML.convertValue(kind(docs, "NetworkPolicy").path("spec")
                .path("policyTypes"), List.class));
    }

    @Test
    void theIngressAndTheServiceReachOnlyTheHttpPortAndTheServiceMonitorItsOwnHeadlessService() throws IOException {
        List<JsonNode> docs = render("""
                ingress: {enabled: true, host: fleethook.acme.example}
                serviceMonitor: {enabled: true}
                """);
        JsonNode backend = kind(docs, "Ingress").path("spec").path("rules").get(0).path("http").path("paths").get(0)
                .path("backend").path("service");
        assertEquals("fleethook", backend.path("name").asText());
        assertEquals("http", backend.path("port").path("name").asText());
        JsonNode main = named(docs, "Service", "fleethook").path("spec");
        assertEquals(1, main.path("ports").size());
        assertEquals("http", main.path("ports").get(0).path("name").asText());
        JsonNode metrics = named(docs, "Service", "fleethook-metrics");
        assertEquals("None", metrics.path("spec").path("clusterIP").asText());
        assertEquals("management", metrics.path("spec").path("ports").get(0).path("targetPort").asText());
        JsonNode selector = kind(docs, "ServiceMonitor").path("spec").path("selector").path("matchLabels");
        assertEquals("metrics", selector.path("app.kubernetes.io/component").asText(),
                "the ServiceMonitor selects only the metrics Service");
        assertEquals("portal", named(docs, "Service", "fleethook").path("metadata").path("labels")
                .path("app.kubernetes.io/component").asText());
    }

    // ---- Each option renders ----------------------------------------------------------------------

    @Test
    void namesAndLabelsCanBeOverriddenAndAddedToEveryObject() throws IOException {
        List<JsonNode> docs = render("""
                fullnameOverride: backup-portal
                commonLabels: {team: storage}
                """);
        for (JsonNode d : docs) {
            assertEquals("storage", d.path("metadata").path("labels").path("team").asText(), d.path("kind").asText());
        }
        assertEquals("backup-portal", kind(docs, "Deployment").path("metadata").path("name").asText());
        assertEquals("storage", kind(docs, "Deployment").at("/spec/template/metadata/labels/team").asText());
        List<JsonNode> renamed = render("nameOverride: hooks\n");
        assertEquals("fleethook-hooks", kind(renamed, "Deployment").path("metadata").path("name").asText());
        assertEquals("hooks", kind(renamed, "Deployment").at("/spec/selector/matchLabels/app.kubernetes.io~1name").asText());
    }

    @Test
    void theImageCanComeFromAnotherRegistryAndBePinnedByDigest() throws IOException {
        String digest = "sha256:" + "ab".repeat(32);
        assertEquals("registry.acme.example/mirror/fleethook@" + digest, portal(render("""
                image: {registry: registry.acme.example, repository: mirror/fleethook, tag: "9.9", digest: "%s"}
                imagePullSecrets: [{name: regcred}]
                """.formatted(digest))).path("image").asText());
        assertEquals("fleethook/fleethook:1.2.3", portal(render("image: {registry: \"\", tag: \"1.2.3\"}\n")).path("image").asText());
    }

    @Test
    void podSchedulingOptionsRender() throws IOException {
        List<JsonNode> docs = render("""
                priorityClassName: business-critical
                podAnnotations: {example.com/owner: storage}
                podLabels: {tier: control-plane}
                nodeSelector: {kubernetes.io/os: linux}
                tolerations: [{key: dedicated, operator: Equal, value: backup, effect: NoSchedule}]
                topologySpreadConstraints:
                  - {maxSkew: 2, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule,
                     labelSelector: {matchLabels: {app.kubernetes.io/name: fleethook}}}
                """);
        JsonNode pod = pod(docs);
        JsonNode meta = kind(docs, "Deployment").path("spec").path("template").path("metadata");
        assertEquals("business-critical", pod.path("priorityClassName").asText());
        assertEquals("storage", meta.path("annotations").path("example.com/owner").asText());
        assertEquals("control-plane", meta.path("labels").path("tier").asText());
        assertEquals("linux", pod.path("nodeSelector").path("kubernetes.io/os").asText());
        assertEquals("dedicated", pod.path("tolerations").get(0).path("key").asText());
        assertEquals(1, pod.path("topologySpreadConstraints").size(), "the given constraints replace the zone spread");
        assertEquals("kubernetes.io/hostname", pod.path("topologySpreadConstraints").get(0).path("topologyKey").asText());
    }

    @Test
    void aSingleReplicaGetsNoBudgetAndNoSpreadSoNodesCanBeDrained() throws IOException {
        List<JsonNode> docs = render("replicaCount: 1\n");
        assertFalse(has(docs, "PodDisruptionBudget"));
        assertTrue(pod(docs).path("topologySpreadConstraints").isMissingNode());
        assertFalse(has(render("autoscaling: {enabled: true, minReplicas: 1, maxReplicas: 4}\n"), "PodDisruptionBudget"),
                "an HPA that may scale down to one replica gets no budget either");
        JsonNode pdb = kind(render("""
                replicaCount: 3
                podDisruptionBudget: {minAvailable: 2}
                """), "PodDisruptionBudget").path("spec");
        assertEquals(2, pdb.path("minAvailable").asInt());
        assertTrue(pdb.path("maxUnavailable").isMissingNode());
        assertTrue(pod(render("zoneSpread: false\n")).path("topologySpreadConstraints").isMissingNode());
    }

    @Test
    void serviceAndServiceAccountTakeAnnotations() throws IOException {
        List<JsonNode> docs = render("""
                service: {annotations: {example.com/lb: internal}, type: LoadBalancer, port: 8443}
                serviceAccount: {annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::1:role/fleethook"}, name: fh}
                """);
        JsonNode svc = named(docs, "Service", "fleethook");
        assertEquals("internal", svc.path("metadata").path("annotations").path("example.com/lb").asText());
        assertEquals(8443, svc.path("spec").path("ports").get(0).path("port").asInt());
        JsonNode sa = kind(docs, "ServiceAccount");
        assertEquals("fh", sa.path("metadata").path("name").asText());
        assertEquals("arn:aws:iam::1:role/fleethook", sa.at("/metadata/annotations/eks.amazonaws.com~1role-arn").asText());
        assertEquals("fh", pod(docs).path("serviceAccountName").asText());
    }

    @Test
    void extraEnvironmentAndVolumesReachThePortal() throws IOException {
        JsonNode docsPod = pod(render("""
                portal:
                  extraEnv: [{name: FLEETHOOK_IDENTITY_BCRYPT_COST, value: "13"}]
                  extraEnvFrom: [{secretRef: {name: fleethook-extra}}]
                  extraVolumes: [{name: ca, configMap: {name: corporate-ca}}]
                  extraVolumeMounts: [{name: ca, mountPath: /etc/ssl/corporate, readOnly: true}]
                """));
        JsonNode c = docsPod.path("containers").get(0);
        assertNotNull(env(c, "FLEETHOOK_IDENTITY_BCRYPT_COST"));
        assertEquals("fleethook-extra", c.path("envFrom").get(1).path("secretRef").path("name").asText());
        assertEquals("corporate-ca", docsPod.path("volumes").get(1).path("configMap").path("name").asText());
        assertEquals("/etc/ssl/corporate", c.path("volumeMounts").get(1).path("mountPath").asText());
    }

    @Test
    void smtpsAndStartTlsRenderAndMailIsNeverMocked() throws IOException {
        JsonNode smtps = kind(render("mail: {host: smtp.acme.example, port: 465, tls: true}\n"), "ConfigMap").path("data");
        assertEquals("smtp.acme.example", smtps.path("QUARKUS_MAILER_HOST").asText());
        assertEquals("465", smtps.path("QUARKUS_MAILER_PORT").asText());
        assertEquals("true", smtps.path("QUARKUS_MAILER_TLS").asText());
        assertEquals("DISABLED", smtps.path("QUARKUS_MAILER_START_TLS").asText(), "SMTPS has TLS from the first byte");
        JsonNode starttls = kind(render("mail: {host: smtp.acme.example}\n"), "ConfigMap").path("data");
        assertEquals("false", starttls.path("QUARKUS_MAILER_TLS").asText());
        assertEquals("REQUIRED", starttls.path("QUARKUS_MAILER_START_TLS").asText());
        assertFalse(starttls.has("QUARKUS_MAILER_MOCK"));
    }

    @Test
    void autoscalingTakesABehaviorAndTheServiceMonitorItsLabelsTimeoutAndNamespaces() throws IOException {
        List<JsonNode> docs = render("""
                autoscaling:
                  enabled: true
                  minReplicas: 2
                  maxReplicas: 5
                  behavior: {scaleDown: {stabilizationWindowSeconds: 600}}
                serviceMonitor:
                  enabled: true
                  interval: 15s
                  scrapeTimeout: 5s
                  labels: {release: kube-prometheus}
                  namespaceSelector: {matchNames: [backup]}
                """);
        assertEquals(600, kind(docs, "HorizontalPodAutoscaler").at("/spec/behavior/scaleDown/stabilizationWindowSeconds").asInt());
        JsonNode sm = kind(docs, "ServiceMonitor");
        assertEquals("kube-prometheus", sm.path("metadata").path("labels").path("release").asText());
        assertEquals("5s", sm.path("spec").path("endpoints").get(0).path("scrapeTimeout").asText());
        assertEquals("15s", sm.path("spec").path("endpoints").get(0).path("interval").asText());
        assertEquals("backup", sm.path("spec").path("namespaceSelector").path("matchNames").get(0).asText());
    }

    @Test
    void theNetworkPolicyTakesPeersForEachDirectionAndExtraRules() throws IOException {
        JsonNode spec = kind(render("""
                mail: {host: smtp.acme.example, port: 465, tls: true}
                networkPolicy:
                  enabled: true
                  httpFrom: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}}]
                  managementFrom: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}}]
                  databaseTo: [{podSelector: {matchLabels: {cnpg.io/cluster: fleethook-db}}}]
                  smtpTo: [{ipBlock: {cidr: 192.0.2.10/32}}]
                  extraIngress: [{ports: [{port: 8080}], from: [{ipBlock: {cidr: 198.51.100.0/24}}]}]
                  extraEgress: [{ports: [{port: 443}], to: [{ipBlock: {cidr: 203.0.113.0/24}}]}]
                """), "NetworkPolicy").path("spec");
        JsonNode http = spec.path("ingress").get(0);
        assertEquals("http", http.path("ports").get(0).path("port").asText());
        assertEquals("ingress-nginx", http.at("/from/0/namespaceSelector/matchLabels/kubernetes.io~1metadata.name").asText());
        assertEquals("helm-test", http.at("/from/1/podSelector/matchLabels/app.kubernetes.io~1component").asText(),
                "helm test still reaches the portal");
        JsonNode management = spec.path("ingress").get(1);
        assertEquals("management", management.path("ports").get(0).path("port").asText());
        assertEquals("monitoring", management.at("/from/0/namespaceSelector/matchLabels/kubernetes.io~1metadata.name").asText());
        assertEquals("198.51.100.0/24", spec.path("ingress").get(2).at("/from/0/ipBlock/cidr").asText());
        JsonNode egress = spec.path("egress");
        assertEquals("kube-dns", egress.get(0).at("/to/0/podSelector/matchLabels/k8s-app").asText());
        assertEquals("fleethook-db", egress.get(1).at("/to/0/podSelector/matchLabels/cnpg.io~1cluster").asText());
        assertEquals(465, egress.get(2).at("/ports/0/port").asInt());
        assertEquals("192.0.2.10/32", egress.get(2).at("/to/0/ipBlock/cidr").asText());
        assertEquals("203.0.113.0/24", egress.get(3).at("/to/0/ipBlock/cidr").asText());
        JsonNode open = kind(render("networkPolicy: {enabled: true}\n"), "NetworkPolicy").path("spec");
        assertTrue(open.path("ingress").get(0).path("from").isMissingNode(), "empty httpFrom: agents reach it from anywhere");
        assertEquals(1, open.path("ingress").size(), "no peer given: nothing reaches the management port but probes");
    }

    @Test
    void notesFindTheOperatorPasswordPrintTheHpaBoundsAndWarnAboutUnsetUrlAndMail() {
        String notes = new Helm(CHART).install().withName("fleethook").withNamespace("backup").withKubeVersion("1.30.0")
                .clientOnly().dryRun().withValuesFile(write("autoscaling: {enabled: true, minReplicas: 2, maxReplicas: 7}\n"))
                .call().getOutput();
        assertTrue(notes.contains("autoscaled between 2 and 7 replicas"), notes);
        assertTrue(notes.contains("logs --prefix --tail=-1"), "every pod's log: " + notes);
        assertTrue(notes.contains("-l app.kubernetes.io/instance=fleethook,app.kubernetes.io/name=fleethook"), notes);
        assertTrue(notes.contains("WARNING: portal.baseUrl is not set"), notes);
        assertTrue(notes.contains("WARNING: mail.host is not set"), notes);
        String configured = new Helm(CHART).install().withName("fleethook").withNamespace("backup").withKubeVersion("1.30.0")
                .clientOnly().dryRun().withValuesFile(write("""
                        portal: {baseUrl: "https://backup.acme.example", operatorExistingSecret: ops, operatorPasswordKey: pw}
                        mail: {host: smtp.acme.example}
                        """)).call().getOutput();
        assertFalse(configured.contains("WARNING"), configured);
        assertTrue(configured.contains("get secret ops -o jsonpath='{.data.pw}'"), configured);
        assertTrue(configured.contains("Agents enroll against https://backup.acme.example"), configured);
        String blocked = new Helm(CHART).install().withName("fleethook").withNamespace("backup").withKubeVersion("1.30.0")
                .clientOnly().dryRun().withValuesFile(write("serviceMonitor: {enabled: true}\nnetworkPolicy: {enabled: true}\n"))
                .call().getOutput();
        assertTrue(blocked.contains("Prometheus cannot"), blocked);
    }

    static Path write(String values) {
        try {
            return valuesFile(values);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- Refusals ------------------------------------------------------------------------------------

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("replicaCont: 3\n", "replicaCont"),
                Arguments.of("ingres: {enabled: true}\n", "ingres"),
                Arguments.of("ingress: {enable: true}\n", "enable"),
                Arguments.of("database: {pasword: secret}\n", "pasword"),
                Arguments.of("ingress: {enabled: true}\n", "host"),
                Arguments.of("ingress: {enabled: true, host: \"\"}\n", "host"),
                Arguments.of("replicaCount: zero\n", "replicaCount"),
                Arguments.of("database: {jdbcUrl: \"mysql://nope\"}\n", "jdbcUrl"),
                Arguments.of("service: {type: Magic}\n", "type"),
                Arguments.of("mail: {tls: \"yes\"}\n", "tls"),
                Arguments.of("image: {digest: latest}\n", "digest"),
                Arguments.of("portal: {baseUrl: fleethook.example.com}\n", "baseUrl"),
                Arguments.of("podDisruptionBudget: {minAvailable: \"100%\"}\n", "minAvailable"),
                Arguments.of("replicaCount: 1\npodDisruptionBudget: {minAvailable: 2}\n", "must be below the fewest replicas"),
                Arguments.of("replicaCount: 2\npodDisruptionBudget: {minAvailable: 2}\n", "must be below the fewest replicas"),
                Arguments.of("autoscaling: {enabled: true, minReplicas: 4, maxReplicas: 2}\n", "maxReplicas"),
                Arguments.of("database: {existingSecret: \"\", password: \"\"}\n", "Set database.existingSecret"),
                Arguments.of("database: {migration: {existingSecret: \"\", password: x}}\n", "Set database.migration.username"),
                // The restricted Pod Security profile cannot be broken through values.
                Arguments.of("securityContext: {privileged: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}\n",
                        "privileged"),
                Arguments.of("securityContext: {allowPrivilegeEscalation: true, capabilities: {drop: [ALL]}}\n",
                        "allowPrivilegeEscalation"),
                Arguments.of("securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: []}}\n", "drop"),
                Arguments.of("securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL], add: [SYS_ADMIN]}}\n",
                        "add"),
                Arguments.of("podSecurityContext: {runAsNonRoot: false, seccompProfile: {type: RuntimeDefault}}\n", "runAsNonRoot"),
                Arguments.of("podSecurityContext: {runAsNonRoot: true, seccompProfile: {type: Unconfined}}\n", "type"),
                Arguments.of("podSecurityContext: {runAsNonRoot: true, runAsUser: 0, seccompProfile: {type: RuntimeDefault}}\n",
                        "runAsUser"),
                Arguments.of("portal: {extraVolumes: [{name: host, hostPath: {path: /}}]}\n", "extraVolumes"));
    }

    @ParameterizedTest(name = "refused: {0}")
    @MethodSource("refusals")
    void aWrongValuesFileIsRefusedNamingTheKey(String values, String named) {
        RuntimeException refused = assertThrows(RuntimeException.class, () -> render(values));
        assertTrue(refused.getMessage().contains(named), refused.getMessage());
    }

    // ---- Everything at once -----------------------------------------------------------------------

    @Test
    void everyValueSetAtOnceStillRendersARestrictedPod() throws IOException {
        List<JsonNode> docs = renderWithTests(CHART.resolve("ci/everything-values.yaml"));
        for (String k : List.of("Deployment", "Service", "ServiceAccount", "ConfigMap", "Secret", "Ingress",
                "HorizontalPodAutoscaler", "PodDisruptionBudget", "ServiceMonitor", "NetworkPolicy", "Pod")) {
            assertTrue(has(docs, k), k);
        }
        List<JsonNode> pods = pods(docs);
        assertEquals(2, pods.size());
        for (JsonNode p : pods) {
            assertRestricted("everything", p);
        }
        JsonNode c = portal(docs);
        assertEquals(List.of("NET_BIND_SERVICE"), YAML.convertValue(c.at("/securityContext/capabilities/add"), List.class));
        assertEquals("Localhost", pod(docs).at("/securityContext/seccompProfile/type").asText());
        // Each value reached the manifests.
        JsonNode pod = pod(docs);
        JsonNode config = kind(docs, "ConfigMap").path("data");
        assertEquals("backup-portal", kind(docs, "Deployment").at("/metadata/name").asText());
        assertEquals("Always", c.path("imagePullPolicy").asText());
        assertEquals("regcred", pod.at("/imagePullSecrets/0/name").asText());
        assertEquals(45, pod.path("terminationGracePeriodSeconds").asInt());
        assertEquals("512Mi", pod.at("/volumes/0/emptyDir/sizeLimit").asText());
        assertEquals("2", c.at("/resources/limits/cpu").asText());
        assertEquals(20, c.at("/livenessProbe/periodSeconds").asInt());
        assertEquals(2, c.at("/readinessProbe/failureThreshold").asInt());
        assertEquals(30, c.at("/startupProbe/failureThreshold").asInt());
        assertEquals("amd64", pod.at("/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms/0"
                + "/matchExpressions/0/values/0").asText());
        assertTrue(pod.at("/affinity/podAntiAffinity").isMissingNode(), "the given affinity replaces the default");
        assertEquals("DoNotSchedule", pod.at("/topologySpreadConstraints/0/whenUnsatisfiable").asText());
        assertEquals(60, kind(docs, "HorizontalPodAutoscaler").at("/spec/metrics/0/resource/target/averageUtilization").asInt());
        assertEquals(2, kind(docs, "PodDisruptionBudget").at("/spec/minAvailable").asInt());
        assertEquals("-XX:MaxRAMPercentage=70.0 -XX:+ExitOnOutOfMemoryError -XX:+UseG1GC", config.path("JDK_JAVA_OPTIONS").asText());
        assertEquals("ops@acme.example", config.path("FLEETHOOK_OPERATOR_EMAIL").asText());
        assertEquals("fleethook@acme.example", config.path("FLEETHOOK_MAIL_FROM").asText());
        assertEquals("https://backup.acme.example", config.path("FLEETHOOK_BASE_URL").asText());
        assertTrue(env(c, "QUARKUS_DATASOURCE_USERNAME").contains("\"key\":\"user\""));
        assertTrue(env(c, "QUARKUS_DATASOURCE_PASSWORD").contains("\"key\":\"pass\""));
        JsonNode dbSecret = named(docs, "Secret", "backup-portal-db").path("data");
        assertTrue(dbSecret.has("user") && dbSecret.has("pass"), dbSecret.toString());
        JsonNode ownerSecret = named(docs, "Secret", "backup-portal-db-migration").path("data");
        assertTrue(ownerSecret.has("owner-user") && ownerSecret.has("owner-pass"), ownerSecret.toString());
        assertTrue(env(c, "QUARKUS_FLYWAY_USERNAME").contains("\"key\":\"owner-user\""));
        JsonNode ingress = kind(docs, "Ingress");
        assertEquals("nginx", ingress.at("/spec/ingressClassName").asText());
        assertEquals("2m", ingress.at("/metadata/annotations/nginx.ingress.kubernetes.io~1proxy-body-size").asText());
        assertEquals(8080, named(docs, "Service", "backup-portal").at("/spec/ports/0/port").asInt());
        assertEquals("registry.acme.example/mirror/busybox:1.36",
                named(docs, "Pod", "backup-portal-test-ready").at("/spec/containers/0/image").asText());
    }

    @Test
    void probesCanBeTurnedOffAndAnExistingServiceAccountUsed() throws IOException {
        List<JsonNode> docs = render("""
                probes: {startup: {enabled: false}, liveness: {enabled: false}}
                serviceAccount: {create: false, name: backup-sa}
                """);
        JsonNode c = portal(docs);
        assertTrue(c.path("startupProbe").isMissingNode() && c.path("livenessProbe").isMissingNode());
        assertFalse(c.path("readinessProbe").isMissingNode());
        assertFalse(has(docs, "ServiceAccount"));
        assertEquals("backup-sa", pod(docs).path("serviceAccountName").asText());
    }

    @Test
    void theEverythingValuesFileSetsEveryKeyOfValuesYaml() throws IOException {
        JsonNode defaults = YAML.readTree(CHART.resolve("values.yaml").toFile());
        JsonNode everything = YAML.readTree(CHART.resolve("ci/everything-values.yaml").toFile());
        List<String> missing = new ArrayList<>();
        missingKeys("", defaults, everything, missing);
        assertTrue(missing.isEmpty(), "ci/everything-values.yaml does not set " + missing);
    }

    static void missingKeys(String prefix, JsonNode defaults, JsonNode given, List<String> missing) {
        defaults.fieldNames().forEachRemaining(k -> {
            JsonNode d = defaults.get(k);
            JsonNode g = given.get(k);
            if (g == null) {
                missing.add(prefix + k);
            } else if (d.isObject() && !d.isEmpty() && !Set.of("resources", "podSecurityContext", "securityContext")
                    .contains(k)) {
                missingKeys(prefix + k + ".", d, g, missing);
            }
        });
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
        JsonNode pod = deployment.path("spec").path("template").path("spec");
        assertRestricted("kustomize", pod);
        JsonNode c = pod.path("containers").get(0);
        assertTrue(c.path("securityContext").path("readOnlyRootFilesystem").asBoolean());
        assertEquals("/q/health/ready", c.path("readinessProbe").path("httpGet").path("path").asText());
        assertEquals("management", c.path("readinessProbe").path("httpGet").path("port").asText());
        assertEquals("fleethook-db-runtime", c.path("env").get(1).path("valueFrom").path("secretKeyRef").path("name").asText(),
                "the portal runs as the role that owns nothing");
        assertTrue(env(c, "QUARKUS_FLYWAY_PASSWORD").contains("\"name\":\"fleethook-db-app\""), "the owner migrates");
        JsonNode config = YAML.readTree(Path.of("deployment/kustomize/base/configmap.yaml").toFile()).path("data");
        assertFalse(config.has("QUARKUS_MAILER_MOCK"));
        assertEquals(ImageBuilder.DEFAULT_JAVA_OPTIONS, config.path("JDK_JAVA_OPTIONS").asText());
        JsonNode service = YAML.readTree(Path.of("deployment/kustomize/base/service.yaml").toFile());
        assertEquals(1, service.path("spec").path("ports").size(), "the management port is not in the Service");
    }
}
