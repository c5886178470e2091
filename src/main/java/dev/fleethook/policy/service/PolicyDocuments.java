package dev.fleethook.policy.service;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import dev.fleethook.kernel.Secrets;
import dev.fleethook.policy.PolicySpec;
import dev.fleethook.protocol.BackupEngine;
import dev.fleethook.protocol.HookPhase;
import dev.fleethook.protocol.HookSource;
import dev.fleethook.protocol.PolicyDocument;
import dev.fleethook.protocol.TargetOs;
import dev.fleethook.protocol.UserCallback;

/**
 * Turns a policy revision into the document an agent on a given OS receives. A pure function: the
 * same revision, OS and time zone always give the same bytes, so their SHA-256 serves as the ETag.
 */
public final class PolicyDocuments {

    /** Sorted keys, no whitespace, no timestamps: the canonical form that is hashed. */
    public static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(SerializationFeature.INDENT_OUTPUT)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .addModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
            .build();

    private PolicyDocuments() {
    }

    /** A rendered document with its canonical JSON and that JSON's SHA-256. */
    public record Rendered(PolicyDocument document, String json, String sha256) {
    }

    public static PolicyDocument render(String policyId, int revision, PolicySpec spec, String timeZone, TargetOs os) {
        boolean windows = os == TargetOs.WINDOWS;
        PolicySpec.OsScripts osScripts = windows ? spec.scripts().windows() : spec.scripts().linux();
        String folder = osScripts.folder();
        String extension = windows ? ".bat" : ".sh";
        boolean enabled = osScripts.enabled() && folder != null;
        PolicyDocument.Scripts scripts = new PolicyDocument.Scripts(enabled, folder,
                folder == null ? null : Paths.join(folder, "pre_script" + extension, windows),
                folder == null ? null : Paths.join(folder, "post_script" + extension, windows),
                spec.scripts().skipBackupIfPreScriptFails(), spec.scripts().timeoutSeconds());

        PolicySpec.Backup b = spec.backup();
        PolicyDocument.Backup backup = new PolicyDocument.Backup(b.engine(), b.sources(), b.excludes(),
                b.engine() == BackupEngine.ARCHIVE
                        ? new PolicyDocument.Archive(b.archive().destination(), b.archive().retention()) : null,
                b.engine() == BackupEngine.RESTIC ? new PolicyDocument.Restic(b.restic().repository(),
                        b.restic().passwordSecret(), b.restic().extraArgs()) : null,
                b.engine() == BackupEngine.COMMAND ? b.command() : null);

        List<PolicyDocument.Hook> hooks = new ArrayList<>();
        for (int i = 0; i < spec.hooks().size(); i++) {
            PolicySpec.Hook h = spec.hooks().get(i);
            String path = h.path();
            if (h.source() == HookSource.CONVENTION) {
                path = enabled ? Paths.join(folder, h.phase().wire().replace('-', '_') + extension, windows) : null;
            }
            // A user-callback hook without a phase is called at every moment that has a Back In Time reason.
            List<HookPhase> phases = h.phase() == null ? UserCallback.PHASES : List.of(h.phase());
            for (HookPhase phase : phases) {
                hooks.add(new PolicyDocument.Hook(i, phase, h.source(), h.mode(), h.timeoutSeconds(), path, h.command(),
                        h.script(), h.sha256()));
            }
        }

        PolicyDocument.Schedule schedule = new PolicyDocument.Schedule(spec.schedule().kind(),
                Schedules.toCron(spec.schedule()), timeZone, spec.windowMinutes());
        PolicyDocument.Retry retry = new PolicyDocument.Retry(spec.retry().count(), spec.retry().intervalMinutes());
        return new PolicyDocument(policyId, spec.name(), revision, os, schedule, retry, backup, scripts, List.copyOf(hooks));
    }

    public static Rendered rendered(PolicyDocument document) {
        String json = canonicalJson(document);
        return new Rendered(document, json, Secrets.sha256(json));
    }

    public static String canonicalJson(Object value) {
        try {
            return CANONICAL.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a policy document is always serializable", e);
        }
    }
}
