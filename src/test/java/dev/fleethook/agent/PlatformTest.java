package dev.fleethook.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.AclEntry;
import java.nio.file.attribute.AclEntryFlag;
import java.nio.file.attribute.AclEntryPermission;
import java.nio.file.attribute.AclEntryType;
import java.nio.file.attribute.AclFileAttributeView;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.fleethook.protocol.TargetOs;

/**
 * The OS-specific parts of the agent. The Windows branches run here on Linux: the ACL that protects the
 * state directory (against an ACL view standing in for NTFS), {@code cmd.exe /c} for {@code .bat}, and the
 * process-tree kill through {@link ProcessHandle} on real processes.
 */
class PlatformTest {

    static final Platform WINDOWS = Platform.of("Windows Server 2022");

    @TempDir
    Path dir;

    record Principal(String getName) implements GroupPrincipal {
    }

    /** NTFS's ACL view as far as the agent uses it: an owner and a settable list. */
    static final class AclView implements AclFileAttributeView {
        List<AclEntry> acl = new ArrayList<>(List.of(AclEntry.newBuilder().setType(AclEntryType.ALLOW)
                .setPrincipal(new Principal("BUILTIN\\Users")).setPermissions(AclEntryPermission.READ_DATA)
                .setFlags(AclEntryFlag.INHERIT_ONLY).build()));

        @Override
        public String name() {
            return "acl";
        }

        @Override
        public List<AclEntry> getAcl() {
            return acl;
        }

        @Override
        public void setAcl(List<AclEntry> acl) {
            this.acl = List.copyOf(acl);
        }

        @Override
        public UserPrincipal getOwner() {
            return new Principal("FS01\\backup-admin");
        }

        @Override
        public void setOwner(UserPrincipal owner) {
            throw new UnsupportedOperationException();
        }
    }

    static final UserPrincipalLookupService USERS = new UserPrincipalLookupService() {
        @Override
        public UserPrincipal lookupPrincipalByName(String name) {
            return new Principal(name);
        }

        @Override
        public GroupPrincipal lookupPrincipalByGroupName(String group) {
            return new Principal(group);
        }
    };

    @Test
    void windowsIsRecognizedByItsOsName() {
        assertEquals(TargetOs.WINDOWS, Platform.of("Windows 11").os());
        assertEquals(TargetOs.WINDOWS, WINDOWS.os());
        assertEquals(TargetOs.LINUX, Platform.of("Linux").os());
        assertEquals(TargetOs.LINUX, Platform.CURRENT.os(), "these tests run on Linux");
    }

    @Test
    void onWindowsTheStateDirectoryIsReadableByItsOwnerSystemAndAdministratorsOnly() throws IOException {
        AclView view = new AclView();
        Platform.protect(view, USERS);
        Set<String> who = view.getAcl().stream().map(e -> e.principal().getName()).collect(Collectors.toSet());
        assertEquals(Set.of("FS01\\backup-admin", "NT AUTHORITY\\SYSTEM", "BUILTIN\\Administrators"), who,
                "BUILTIN\\Users lost its entry; nobody else is listed");
        for (AclEntry e : view.getAcl()) {
            assertEquals(AclEntryType.ALLOW, e.type());
            assertEquals(EnumSet.allOf(AclEntryPermission.class), e.permissions());
            assertEquals(Set.of(AclEntryFlag.FILE_INHERIT, AclEntryFlag.DIRECTORY_INHERIT), e.flags(),
                    "files made inside (secret, config, spool) get the same entries");
        }
    }

    @Test
    void onLinuxTheStateDirectoryIsRwxForTheOwnerOnly() throws IOException {
        Path state = Files.createDirectories(dir.resolve("state"));
        Platform.CURRENT.protectFolder(state);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state)));
        Path tmp = Platform.CURRENT.privateTempFolder(dir, "stored-");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp)));
        Path file = Files.createTempFile(dir, "x", ".tmp", Platform.CURRENT.privateFile());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(0, WINDOWS.privateFile().length, "Windows files inherit the folder's ACL");
    }

    @Test
    void onWindowsBatAndCmdRunThroughCmdExeAndPowerShellScriptsThroughPowerShell() {
        assertEquals(List.of("cmd.exe", "/c", "C:\\Fleethook\\scripts\\pre_script.bat", "job-1"),
                WINDOWS.scriptCommand("C:\\Fleethook\\scripts\\pre_script.bat", List.of("job-1")));
        assertEquals(List.of("cmd.exe", "/c", "C:\\k\\before.CMD"), WINDOWS.scriptCommand("C:\\k\\before.CMD", List.of()));
        assertEquals(List.of("powershell", "-NoProfile", "-ExecutionPolicy", "Bypass", "-File", "C:\\k\\before.ps1"),
                WINDOWS.scriptCommand("C:\\k\\before.ps1", List.of()));
        assertEquals(List.of("C:\\tools\\snap.exe", "a b"), WINDOWS.scriptCommand("C:\\tools\\snap.exe", List.of("a b")),
                "an argument with a space stays one argument");
        assertEquals(List.of("/etc/fleethook/scripts/pre_script.sh", "job-1"),
                Platform.of(TargetOs.LINUX).scriptCommand("/etc/fleethook/scripts/pre_script.sh", List.of("job-1")));
        assertEquals(List.of("cmd.exe", "/c", "C:\\s\\post_script.bat", "job-1", "0", "0"),
                new AttemptRunner(new dev.fleethook.protocol.PolicyDocument.Scripts(true, "C:\\s", "C:\\s\\pre_script.bat",
                        "C:\\s\\post_script.bat", false, null), TargetOs.WINDOWS)
                        .command("C:\\s\\post_script.bat", List.of("job-1", "0", "0")),
                "Druva's post-script on Windows");
    }

    @Test
    void theWindowsTreeKillEndsEveryDescendantBeforeTheParent() throws Exception {
        Process p = new ProcessBuilder("sh", "-c", "sleep 60 & (sleep 60 & sleep 60; wait) & wait").start();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> p.descendants().count() >= 4);
        List<ProcessHandle> tree = p.descendants().toList();
        assertTrue(tree.size() >= 4, "sleep, subshell and its two sleeps: " + tree);

        List<ProcessHandle> order = Platform.killTree(p.toHandle());

        assertEquals(p.toHandle(), order.get(order.size() - 1), "the parent last");
        assertTrue(order.containsAll(tree));
        for (ProcessHandle h : tree) {
            h.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertFalse(h.isAlive(), h + " survived");
        }
        assertTrue(p.waitFor(Duration.ofSeconds(5).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
    }
}
