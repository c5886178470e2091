package dev.fleethook;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import org.junit.jupiter.api.Test;

/**
 * Keeps the rules portal and agent share in their one home in {@code protocol} (docs/ARCHITECTURE.md, "Rules
 * portal and agent share"): no second SHA-256, no third place that evaluates cron expressions.
 */
class SharedRulesTest {

    @Test
    void onlyProtocolSha256Hashes() {
        noClasses().that().doNotHaveFullyQualifiedName("dev.fleethook.protocol.Sha256")
                .should().dependOnClassesThat().haveFullyQualifiedName("java.security.MessageDigest")
                .because("SHA-256 hex is protocol.Sha256.hex, the one form portal and agent compare")
                .check(ArchitectureTest.CLASSES);
    }

    @Test
    void cronIsEvaluatedOnlyWhereEachSideParsesIt() {
        noClasses().that().doNotHaveFullyQualifiedName("dev.fleethook.policy.service.Schedules")
                .and().doNotHaveFullyQualifiedName("dev.fleethook.agent.LocalSchedule")
                .should().dependOnClassesThat().resideInAPackage("com.cronutils..")
                .because("start times come from protocol.StartTimes, fed by cron-utils in Schedules (portal) and "
                        + "LocalSchedule (agent)")
                .check(ArchitectureTest.CLASSES);
    }
}
