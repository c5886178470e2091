package dev.fleethook;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaParameterizedType;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.domain.JavaTypeVariable;
import com.tngtech.archunit.core.domain.JavaWildcardType;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/** The boundaries that let the agent ship as a small jar of its own, and the package order of docs/ARCHITECTURE.md. */
class ArchitectureTest {

    static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.fleethook");

    @Test
    void protocolDependsOnlyOnTheJdkAndJacksonAnnotations() {
        classes().that().resideInAPackage("dev.fleethook.protocol..")
                .should().onlyDependOnClassesThat()
                .resideInAnyPackage("java..", "com.fasterxml.jackson.annotation..", "dev.fleethook.protocol..")
                .check(CLASSES);
    }

    @Test
    void theAgentNeverUsesPortalOrQuarkusClasses() {
        noClasses().that().resideInAPackage("dev.fleethook.agent..")
                .should().dependOnClassesThat().resideInAnyPackage("io.quarkus..", "jakarta..", "io.vertx..",
                        "org.hibernate..", "dev.fleethook.tenant..", "dev.fleethook.identity..", "dev.fleethook.web..",
                        "dev.fleethook.fleet..", "dev.fleethook.policy..", "dev.fleethook.job..",
                        "dev.fleethook.alert..", "dev.fleethook.audit..")
                .allowEmptyShould(true)
                .check(CLASSES);
    }

    @Test
    void thePortalNeverReachesIntoTheAgent() {
        // Only the dev-mode demo (devdata) runs real agents inside the dev portal.
        noClasses().that().resideOutsideOfPackages("dev.fleethook.agent..", "dev.fleethook.devdata..")
                .should().dependOnClassesThat().resideInAPackage("dev.fleethook.agent..")
                .check(CLASSES);
    }

    /** Packages depend on each other in one direction only (the order is drawn in docs/ARCHITECTURE.md). */
    @Test
    void featuresDependOnEachOtherInOneDirectionOnly() {
        slices().matching("dev.fleethook.(*)..").should().beFreeOfCycles().check(CLASSES);
    }

    /**
     * The order drawn in docs/ARCHITECTURE.md ("Who may use whom"), top first: each package may use
     * those after it, never one before it (packages on one line may not use each other either).
     */
    static final List<List<String>> LAYERS = List.of(List.of("devdata"), List.of("ops", "web"), List.of("dashboard"),
            List.of("alert"), List.of("job"), List.of("fleet"), List.of("policy"), List.of("tenant"), List.of("identity"),
            List.of("audit"), List.of("webkit"), List.of("kernel"), List.of("protocol"));

    @Test
    void eachPackageUsesOnlyThoseBelowIt() {
        List<String> above = new ArrayList<>();
        for (List<String> layer : LAYERS) {
            for (String pkg : layer) {
                List<String> forbidden = new ArrayList<>(above);
                layer.stream().filter(other -> !other.equals(pkg)).forEach(forbidden::add);
                if (!forbidden.isEmpty()) {
                    noClasses().that().resideInAPackage("dev.fleethook." + pkg + "..")
                            .should().dependOnClassesThat().resideInAnyPackage(
                                    forbidden.stream().map(p -> "dev.fleethook." + p + "..").toArray(String[]::new))
                            .check(CLASSES);
                }
            }
            above.addAll(layer);
        }
    }

    /** The shared kernel (page, problem, domain exceptions, secret hashing, current tenant) knows no feature. */
    @Test
    void theKernelDependsOnNoFeature() {
        noClasses().that().resideInAPackage("dev.fleethook.kernel..")
                .should().dependOnClassesThat().resideInAnyPackage(ABOVE_THE_KERNEL)
                .check(CLASSES);
    }

    /** Demo data is the dev build's: the product never needs it. */
    @Test
    void nothingDependsOnDevData() {
        noClasses().that().resideOutsideOfPackage("dev.fleethook.devdata..")
                .should().dependOnClassesThat().resideInAPackage("dev.fleethook.devdata..")
                .check(CLASSES);
    }

    /** Features never reach up into the shared UI plumbing; it may know them (layout, error pages). */
    @Test
    void featuresDoNotDependOnWeb() {
        noClasses().that().resideInAnyPackage(FEATURES)
                .should().dependOnClassesThat().resideInAPackage("dev.fleethook.web..")
                .check(CLASSES);
    }

    /**
     * Services speak the domain: they throw the kernel's exceptions (mapped once in web.ErrorMappers)
     * and never JAX-RS types, so the same service serves the API, the pages and background work.
     */
    @Test
    void servicesAndTheKernelNeverUseJaxRs() {
        noClasses().that().resideInAnyPackage("dev.fleethook..service..", "dev.fleethook.kernel..")
                .or().haveSimpleNameEndingWith("Service")
                .should().dependOnClassesThat().resideInAnyPackage("jakarta.ws.rs..", "org.jboss.resteasy..")
                .check(CLASSES);
    }

    /**
     * Services take commands and return views their feature owns; only resources map them to and from
     * the wire records of {@code rest} (docs/ARCHITECTURE.md, "Layers inside a feature").
     */
    @Test
    void servicesNeverUseWireRecords() {
        noClasses().that().resideInAnyPackage("dev.fleethook..service..")
                .or().haveSimpleNameEndingWith("Service")
                .should().dependOnClassesThat().resideInAnyPackage("dev.fleethook..rest..")
                .check(CLASSES);
    }

    /**
     * Entities never leave the services: no checked template and no JAX-RS method takes or returns an
     * {@code @Entity}, not inside a collection, a page or a record of the product either (the views of
     * docs/ARCHITECTURE.md, "Layers inside a feature").
     */
    @Test
    void entitiesReachNeitherTemplatesNorTheApi() {
        methods().that().areDeclaredInClassesThat().areAnnotatedWith("io.quarkus.qute.CheckedTemplate")
                .and().haveModifier(JavaModifier.NATIVE)
                .or().areAnnotatedWith("jakarta.ws.rs.GET").or().areAnnotatedWith("jakarta.ws.rs.POST")
                .or().areAnnotatedWith("jakarta.ws.rs.PUT").or().areAnnotatedWith("jakarta.ws.rs.PATCH")
                .or().areAnnotatedWith("jakarta.ws.rs.DELETE")
                .should(neitherTakeNorReturnAnEntity())
                .check(CLASSES);
    }

    private static ArchCondition<JavaMethod> neitherTakeNorReturnAnEntity() {
        return new ArchCondition<>("neither take nor return an @Entity") {
            @Override
            public void check(JavaMethod method, ConditionEvents events) {
                List<JavaType> types = new ArrayList<>(method.getParameterTypes());
                types.add(method.getReturnType());
                for (JavaType type : types) {
                    String entity = entityIn(type, new HashSet<>());
                    if (entity != null) {
                        events.add(SimpleConditionEvent.violated(method,
                                method.getFullName() + " carries the entity " + entity + " (through " + type.getName() + ")"));
                    }
                }
            }
        };
    }

    /** The first entity a type is, holds as a type argument or, for the product's records, as a component. */
    private static String entityIn(JavaType type, Set<String> seen) {
        if (type instanceof JavaParameterizedType parameterized) {
            for (JavaType argument : parameterized.getActualTypeArguments()) {
                String found = entityIn(argument, seen);
                if (found != null) {
                    return found;
                }
            }
        }
        if (type instanceof JavaWildcardType wildcard) {
            for (JavaType bound : wildcard.getUpperBounds()) {
                String found = entityIn(bound, seen);
                if (found != null) {
                    return found;
                }
            }
            return null;
        }
        if (type instanceof JavaTypeVariable<?>) {
            return null;
        }
        JavaClass raw = type.toErasure();
        if (raw.isArray()) {
            return entityIn(raw.getBaseComponentType(), seen);
        }
        if (raw.isAnnotatedWith("jakarta.persistence.Entity")) {
            return raw.getName();
        }
        if (raw.isRecord() && raw.getPackageName().startsWith("dev.fleethook") && seen.add(raw.getName())) {
            for (JavaField field : raw.getFields()) {
                if (!field.getModifiers().contains(JavaModifier.STATIC)) {
                    String found = entityIn(field.getType(), seen);
                    if (found != null) {
                        return found;
                    }
                }
            }
        }
        return null;
    }

    /** The product's features: each owns its entities, services, API and pages. */
    static final String[] FEATURES = { "dev.fleethook.tenant..", "dev.fleethook.identity..", "dev.fleethook.audit..",
            "dev.fleethook.policy..", "dev.fleethook.fleet..", "dev.fleethook.job..", "dev.fleethook.alert..",
            "dev.fleethook.dashboard.." };

    /** Everything above the kernel. */
    static final String[] ABOVE_THE_KERNEL = { "dev.fleethook.tenant..", "dev.fleethook.identity..",
            "dev.fleethook.audit..", "dev.fleethook.policy..", "dev.fleethook.fleet..", "dev.fleethook.job..",
            "dev.fleethook.alert..", "dev.fleethook.dashboard..", "dev.fleethook.web..", "dev.fleethook.webkit..",
            "dev.fleethook.ops..",
            "dev.fleethook.devdata..", "dev.fleethook.agent.." };
}
