package dev.fleethook.devdata;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.fleethook.policy.PolicySpec;
import dev.fleethook.policy.service.PolicyValidator;
import dev.fleethook.protocol.HookSource;
import jakarta.validation.Validation;

/** The dev demo's policies pass the portal's validation, and the healthy one shows one hook of each kind. */
class DemoAgentsTest {

    @Test
    void everyDemoPolicyIsValidAndTheHealthyOneHasEveryHookSourceAndTheFileFilter() throws Exception {
        PolicyValidator validator = new PolicyValidator();
        var field = PolicyValidator.class.getDeclaredField("validator");
        field.setAccessible(true);
        field.set(validator, Validation.byDefaultProvider().configure()
                .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory().getValidator());
        ObjectMapper json = new ObjectMapper().findAndRegisterModules();
        for (DemoAgents.Demo demo : DemoAgents.DEMOS) {
            Map<String, Object> raw = DemoAgents.spec(demo, Path.of("/var/demo", demo.hostname()));
            PolicySpec spec = json.convertValue(raw, PolicySpec.class);
            assertEquals(List.of(), validator.problems(spec, null), demo.hostname());
        }
        PolicySpec healthy = json.convertValue(DemoAgents.spec(DemoAgents.DEMOS.get(0), Path.of("/var/demo/h")),
                PolicySpec.class);
        Set<HookSource> sources = healthy.hooks().stream().map(PolicySpec.Hook::source).collect(Collectors.toSet());
        assertEquals(Set.of(HookSource.values()), sources, "one hook of each source");
        Set<String> phases = healthy.hooks().stream().filter(h -> h.phase() != null).map(h -> h.phase().wire())
                .collect(Collectors.toSet());
        assertEquals(Set.of("agent-start", "file-filter", "before-backup", "after-backup", "before-folder",
                "agent-stop"), phases);
    }
}
