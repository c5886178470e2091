package dev.fleethook.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import com.google.cloud.tools.jib.api.buildplan.Port;
import com.google.cloud.tools.jib.frontend.CredentialRetrieverFactory;

/**
 * Builds the portal's container image from {@code target/quarkus-app} with jib-core: no Docker daemon,
 * no Dockerfile. {@code ./mvnw -Pimage package} writes an OCI tarball ({@code target/fleethook-image.tar});
 * with {@code -Dimage.push=true} it pushes {@code image.name} to its registry instead (credentials from
 * the Docker config / credential helpers, as {@code docker login} leaves them).
 * <p>
 * Layers follow Quarkus' fast-jar layout, least changing first (libraries, Quarkus' generated code, the
 * application), so a code change re-pushes only the small top layers; the agent jar the portal offers for
 * download is its own top layer. The image runs as the non-root user
 * 185 and needs no writable file except {@code /tmp}; its JVM options come from {@code JDK_JAVA_OPTIONS}. The build is reproducible: files and the image
 * carry a fixed time, so the same sources give the same digest.
 */
public final class ImageBuilder {

    /** A maintained Java 17 runtime: Red Hat's UBI 9 OpenJDK image, whose user 185 the chart expects. */
    public static final String DEFAULT_BASE = "registry.access.redhat.com/ubi9/openjdk-17-runtime:1.21";

    static final AbsoluteUnixPath HOME = AbsoluteUnixPath.get("/deployments");

    /**
     * The agent jar the portal offers on its Enrollment page: taken from beside {@code quarkus-app}
     * ({@code target/fleethook-agent.jar}) to {@code /deployments/fleethook-agent.jar}, the working directory,
     * where the portal's default {@code fleethook.fleet.agent-jar-locations} finds it.
     */
    public static final String AGENT_JAR = "fleethook-agent.jar";

    /**
     * The image's JVM options, in {@code JDK_JAVA_OPTIONS} (read by the {@code java} launcher of JDK 9+), so that
     * a deployment replaces them by setting that one variable: the heap follows the container's memory limit,
     * and an out-of-memory error ends the process for Kubernetes to restart. The Helm chart's {@code javaOpts}
     * default is the same string (HelmChartTest checks it).
     */
    public static final String DEFAULT_JAVA_OPTIONS = "-XX:MaxRAMPercentage=75.0 -XX:+ExitOnOutOfMemoryError";

    /** The entrypoint: no memory flag here, since a command-line flag would override {@code JDK_JAVA_OPTIONS}. */
    public static final List<String> ENTRYPOINT = List.of("java",
            "-Djava.util.logging.manager=org.jboss.logmanager.LogManager", "-Djava.io.tmpdir=/tmp",
            "-jar", HOME.resolve("quarkus-run.jar").toString());

    /** The HTTP port (pages, API, agents) and the management port (health, metrics, OpenAPI). */
    public static final int HTTP_PORT = 8080;
    public static final int MANAGEMENT_PORT = 9000;

    private ImageBuilder() {
    }

    public static void main(String[] args) throws Exception {
        Path app = Path.of(System.getProperty("image.app", "target/quarkus-app"));
        String base = System.getProperty("image.base", DEFAULT_BASE);
        String name = System.getProperty("image.name", "fleethook/fleethook:" + System.getProperty("image.tag", "latest"));
        Path tar = Path.of(System.getProperty("image.tar", "target/fleethook-image.tar"));
        boolean push = Boolean.parseBoolean(System.getProperty("image.push", "false"));
        build(app, base, name, push ? null : tar);
        System.out.println(push ? "Pushed " + name : "Wrote " + tar.toAbsolutePath() + " (" + name + ", OCI)");
    }

    /** Builds the image; {@code tar} null means push to the registry {@code name} names. */
    public static void build(Path app, String base, String name, Path tar) throws Exception {
        if (!Files.isRegularFile(app.resolve("quarkus-run.jar"))) {
            throw new IllegalStateException(app + "/quarkus-run.jar is missing: package the portal first");
        }
        Path agentJar = app.toAbsolutePath().getParent().resolve(AGENT_JAR);
        if (!Files.isRegularFile(agentJar)) {
            throw new IllegalStateException(agentJar + " is missing: package the portal first (the build makes both)");
        }
        JibContainerBuilder image = Jib.from(base)
                .setFileEntriesLayers(layer("libraries", app, "lib"), layer("quarkus", app, "quarkus"),
                        layer("application", app, "app"), layer("launcher", app, "quarkus-run.jar"),
                        FileEntriesLayer.builder().setName("agent").addEntry(agentJar, HOME.resolve(AGENT_JAR),
                                FilePermissions.fromOctalString("644")).build())
                .setUser("185")
                .setWorkingDirectory(HOME)
                .setEntrypoint(ENTRYPOINT)
                .setExposedPorts(Port.tcp(HTTP_PORT), Port.tcp(MANAGEMENT_PORT))
                .addEnvironmentVariable("QUARKUS_PROFILE", "prod")
                .addEnvironmentVariable("JDK_JAVA_OPTIONS", DEFAULT_JAVA_OPTIONS)
                .addLabel("org.opencontainers.image.title", "Fleethook portal")
                .addLabel("org.opencontainers.image.description", "Control plane for backup hooks")
                .addLabel("org.opencontainers.image.licenses", "Apache-2.0")
                .setFormat(ImageFormat.OCI);
        Containerizer to;
        if (tar == null) {
            ImageReference reference = ImageReference.parse(name);
            to = Containerizer.to(RegistryImage.named(reference).addCredentialRetriever(
                    CredentialRetrieverFactory.forImage(reference, event -> { }).dockerConfig()));
        } else {
            Files.createDirectories(tar.toAbsolutePath().getParent());
            to = Containerizer.to(TarImage.at(tar).named(name));
        }
        image.containerize(to.setToolName("fleethook-image-builder"));
    }

    /** Every file under {@code app/<sub>} at the same place under /deployments, world-readable. */
    private static FileEntriesLayer layer(String layerName, Path app, String sub) throws IOException {
        FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName(layerName);
        Path root = app.resolve(sub);
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.sorted().toList();
        }
        for (Path p : files) {
            AbsoluteUnixPath target = HOME.resolve(app.relativize(p).toString().replace('\\', '/'));
            layer.addEntry(p, target, Files.isDirectory(p) ? FilePermissions.fromOctalString("755")
                    : FilePermissions.fromOctalString("644"));
        }
        return layer.build();
    }
}
