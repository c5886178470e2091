package dev.fleethook.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import dev.fleethook.policy.service.PolicyDocuments;
import dev.fleethook.policy.service.PolicyValidator;
import dev.fleethook.protocol.BackupEngine;
import dev.fleethook.protocol.HookMode;
import dev.fleethook.protocol.HookPhase;
import dev.fleethook.protocol.HookSource;
import dev.fleethook.protocol.PolicyDocument;
import dev.fleethook.protocol.ScheduleKind;
import dev.fleethook.protocol.TargetOs;

/**
 * Golden tests: the document an agent receives is pinned byte for byte. When a change to its shape
 * is intended, regenerate with {@code -Dgolden.update=true} and review the diff of the golden files.
 */
class PolicyDocumentsTest {

    static final String DEFAULT_POLICY_ID = "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b";

    static PolicySpec everyFeature() {
        return PolicyValidator.normalize(new PolicySpec("File servers", "Every hook source",
                new PolicySpec.Schedule(ScheduleKind.WEEKLY, null, "02:30", List.of(DayOfWeek.FRIDAY, DayOfWeek.MONDAY)),
                240, new PolicySpec.Retry(3, 20),
                new PolicySpec.Backup(BackupEngine.RESTIC, List.of("/srv/share", "D:\\Shares"), List.of("*.tmp"), null,
                        new PolicySpec.Restic("sftp:backup@vault:/repo", "restic-password", List.of("--one-file-system")),
                        null),
                new PolicySpec.Scripts(new PolicySpec.OsScripts(true, "/etc/fleethook/scripts"),
                        new PolicySpec.OsScripts(true, "C:\\Fleethook\\scripts\\"), true, 900),
                List.of(new PolicySpec.Hook(HookPhase.BEFORE_FOLDER, HookSource.CONVENTION, null, null, null, null, null, null),
                        new PolicySpec.Hook(HookPhase.BEFORE_BACKUP, HookSource.STORED, HookMode.ESSENTIAL, 120, null, null,
                                "#!/bin/sh\nmysqldump --all-databases > /srv/share/db.sql\n", null),
                        new PolicySpec.Hook(HookPhase.AFTER_BACKUP, HookSource.DIRECTORY, HookMode.OPTIONAL, null,
                                "/etc/fleethook/after.d", null, null, null),
                        new PolicySpec.Hook(HookPhase.AFTER_FINAL_FAILURE, HookSource.COMMAND, HookMode.ASYNC, 30, null,
                                List.of("/usr/local/bin/page-oncall", "--severity", "high"), null, null))));
    }

    @Test
    void linuxDocumentMatchesItsGoldenFile() throws IOException {
        golden("policy-document-linux.json", TargetOs.LINUX);
    }

    @Test
    void windowsDocumentMatchesItsGoldenFile() throws IOException {
        golden("policy-document-windows.json", TargetOs.WINDOWS);
    }

    @Test
    void renderingIsDeterministicAndTheHashFollowsTheContent() {
        var a = PolicyDocuments.rendered(PolicyDocuments.render(DEFAULT_POLICY_ID, 4, everyFeature(), "Europe/Paris", TargetOs.LINUX));
        var b = PolicyDocuments.rendered(PolicyDocuments.render(DEFAULT_POLICY_ID, 4, everyFeature(), "Europe/Paris", TargetOs.LINUX));
        assertEquals(a.json(), b.json());
        assertEquals(a.sha256(), b.sha256());
        var otherZone = PolicyDocuments.rendered(PolicyDocuments.render(DEFAULT_POLICY_ID, 4, everyFeature(), "UTC", TargetOs.LINUX));
        assertNotEquals(a.sha256(), otherZone.sha256());
        var nextRevision = PolicyDocuments.rendered(PolicyDocuments.render(DEFAULT_POLICY_ID, 5, everyFeature(), "Europe/Paris", TargetOs.LINUX));
        assertNotEquals(a.sha256(), nextRevision.sha256());
    }

    @Test
    void scriptNamesAndArgumentsFollowTheOs() {
        PolicyDocument linux = PolicyDocuments.render(DEFAULT_POLICY_ID, 1, everyFeature(), "UTC", TargetOs.LINUX);
        PolicyDocument windows = PolicyDocuments.render(DEFAULT_POLICY_ID, 1, everyFeature(), "UTC", TargetOs.WINDOWS);
        assertEquals("/etc/fleethook/scripts/pre_script.sh", linux.scripts().preScript());
        assertEquals("/etc/fleethook/scripts/post_script.sh", linux.scripts().postScript());
        assertEquals("C:\\Fleethook\\scripts\\pre_script.bat", windows.scripts().preScript());
        assertEquals("C:\\Fleethook\\scripts\\post_script.bat", windows.scripts().postScript());
        assertEquals("/etc/fleethook/scripts/before_folder.sh", linux.hooks().get(0).path());
        assertEquals("C:\\Fleethook\\scripts\\before_folder.bat", windows.hooks().get(0).path());
        assertEquals("30 2 * * MON,FRI", linux.schedule().cron());
        assertEquals(List.of("/usr/local/bin/page-oncall", "--severity", "high"), linux.hooks().get(3).command());
    }

    private static void golden(String file, TargetOs os) throws IOException {
        String json = PolicyDocuments.rendered(PolicyDocuments.render(DEFAULT_POLICY_ID, 4, everyFeature(), "Europe/Paris", os))
                .json();
        ObjectMapper pretty = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Path golden = Path.of("src/test/resources/golden", file);
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(golden, pretty.writeValueAsString(pretty.readTree(json)) + "\n");
        }
        JsonNode expected = pretty.readTree(Files.readString(golden));
        assertEquals(PolicyDocuments.canonicalJson(expected), json, "document for " + os + " differs from " + golden);
    }
}
