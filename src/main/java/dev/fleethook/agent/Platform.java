package dev.fleethook.agent;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.AclEntry;
import java.nio.file.attribute.AclEntryFlag;
import java.nio.file.attribute.AclEntryPermission;
import java.nio.file.attribute.AclEntryType;
import java.nio.file.attribute.AclFileAttributeView;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.fleethook.protocol.TargetOs;

/**
 * Everything the agent does differently on Windows, in one place (Druva runs {@code pre_script.bat} on
 * Windows file servers): which OS this is, how a private folder or file is protected (POSIX
 * {@code rwx------} / {@code rw-------}; on Windows an ACL that grants full control to the owner, SYSTEM
 * and the Administrators group only and inherits nothing), how a script is started ({@code .bat} and
 * {@code .cmd} through {@code cmd.exe /c}, {@code .ps1} through PowerShell), and how a process tree is
 * killed (POSIX: the process group, see {@link ScriptRunner}; Windows has no groups, so every descendant
 * through {@link ProcessHandle}, deepest first, then the process).
 * <p>
 * The Windows branches are unit-tested on Linux (PlatformTest); they have not run on a real Windows
 * machine (README, "Windows").
 */
public final class Platform {

    /** This machine. */
    public static final Platform CURRENT = of(System.getProperty("os.name", ""));

    private final TargetOs os;

    private Platform(TargetOs os) {
        this.os = os;
    }

    /** The platform an {@code os.name} value names: anything starting with "Windows" is Windows. */
    public static Platform of(String osName) {
        return new Platform(osName.toLowerCase(Locale.ROOT).startsWith("windows") ? TargetOs.WINDOWS : TargetOs.LINUX);
    }

    public static Platform of(TargetOs os) {
        return new Platform(os);
    }

    public TargetOs os() {
        return os;
    }

    public boolean windows() {
        return os == TargetOs.WINDOWS;
    }

    /**
     * Makes {@code dir} readable by its owner (and on Windows SYSTEM and Administrators) only: the state
     * directory holds the agent secret. Throws when the file system cannot say who may read it.
     */
    public void protectFolder(Path dir) throws IOException {
        if (windows()) {
            AclFileAttributeView view = Files.getFileAttributeView(dir, AclFileAttributeView.class);
            if (view == null) {
                throw new IOException(dir + ": this file system has no ACLs to protect the agent's state with");
            }
            protect(view, dir.getFileSystem().getUserPrincipalLookupService());
        } else {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    /** The Windows branch of {@link #protectFolder}: the view's ACL replaced by {@link #privateAcl}. */
    static void protect(AclFileAttributeView view, UserPrincipalLookupService users) throws IOException {
        view.setAcl(privateAcl(view.getOwner(), users.lookupPrincipalByName("NT AUTHORITY\\SYSTEM"),
                users.lookupPrincipalByGroupName("BUILTIN\\Administrators")));
    }

    /**
     * The ACL of a private folder on Windows: full control for the owner, SYSTEM and Administrators,
     * passed on to the files and folders made inside it; nobody else has an entry, and because the list
     * is set explicitly nothing is inherited from the parent.
     */
    static List<AclEntry> privateAcl(UserPrincipal owner, UserPrincipal system, UserPrincipal administrators) {
        List<AclEntry> acl = new ArrayList<>();
        for (UserPrincipal who : new UserPrincipal[] { owner, system, administrators }) {
            acl.add(AclEntry.newBuilder().setType(AclEntryType.ALLOW).setPrincipal(who)
                    .setPermissions(EnumSet.allOf(AclEntryPermission.class))
                    .setFlags(EnumSet.of(AclEntryFlag.FILE_INHERIT, AclEntryFlag.DIRECTORY_INHERIT)).build());
        }
        return acl;
    }

    /**
     * A new private folder in {@code parent}: made with {@code rwx------} at once on POSIX; on Windows
     * made, then given {@link #privateAcl} before anything is written into it.
     */
    public Path privateTempFolder(Path parent, String prefix) throws IOException {
        if (windows()) {
            Path dir = Files.createTempDirectory(parent, prefix);
            protectFolder(dir);
            return dir;
        }
        return Files.createTempDirectory(parent, prefix,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    /**
     * Attributes for a new private file ({@code Files.createTempFile}): POSIX {@code rw-------}; none on
     * Windows, where a file made in a protected folder inherits its ACL.
     */
    public FileAttribute<?>[] privateFile() {
        if (windows() || !FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[0];
        }
        return new FileAttribute<?>[] { PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")) };
    }

    /**
     * The argument vector that runs {@code script} with {@code arguments}: on Windows {@code .bat} and
     * {@code .cmd} through {@code cmd.exe /c} (Druva's and Kopia's convention), {@code .ps1} through
     * {@code powershell -NoProfile -ExecutionPolicy Bypass -File}, anything else directly; elsewhere the
     * script directly (its {@code #!} line picks the interpreter). Nothing is joined into a command line.
     */
    public List<String> scriptCommand(String script, List<String> arguments) {
        List<String> argv = new ArrayList<>();
        if (windows()) {
            String lower = script.toLowerCase(Locale.ROOT);
            if (lower.endsWith(".bat") || lower.endsWith(".cmd")) {
                argv.addAll(List.of("cmd.exe", "/c"));
            } else if (lower.endsWith(".ps1")) {
                argv.addAll(List.of("powershell", "-NoProfile", "-ExecutionPolicy", "Bypass", "-File"));
            }
        }
        argv.add(script);
        argv.addAll(arguments);
        return argv;
    }

    /**
     * Kills {@code process} and everything it started. POSIX: {@link ScriptRunner#killTree} (the process
     * group, then the tree). Windows: the descendants through {@link ProcessHandle}, deepest first so that
     * a parent cannot start a new child after its children were killed, then the process.
     */
    public void killTree(Process process) {
        if (!windows()) {
            ScriptRunner.killTree(process);
            return;
        }
        killTree(process.toHandle());
    }

    /** The Windows branch of {@link #killTree(Process)}; the killed handles, in kill order. */
    static List<ProcessHandle> killTree(ProcessHandle root) {
        List<ProcessHandle> order = new ArrayList<>();
        collect(root, order);
        for (ProcessHandle p : order) {
            p.destroyForcibly();
        }
        return order;
    }

    private static void collect(ProcessHandle p, List<ProcessHandle> order) {
        Set<ProcessHandle> seen = new java.util.HashSet<>(order);
        for (ProcessHandle child : p.children().toList()) {
            if (!seen.contains(child)) {
                collect(child, order);
            }
        }
        order.add(p);
    }
}
