package dev.fleethook.audit;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.fleethook.support.Fixtures;
import dev.fleethook.support.Fixtures.Browser;
import dev.fleethook.support.PolicyFixtures;
import io.quarkus.test.junit.QuarkusTest;

/** The audit log page: a change shown field by field, filters by actor, action, object and day. */
@QuarkusTest
class AuditPagesTest {

    @Test
    void aPolicyChangeShowsItsChangedFieldsAndTheFiltersNarrowTheLog() {
        var t = Fixtures.newTenant("Audit Pages");
        var spec = PolicyFixtures.spec("Audited nightly");
        String id = t.admin().body(PolicyFixtures.save(spec, null)).post("/api/v1/policies").then().statusCode(201)
                .extract().path("id");
        PolicyFixtures.set(spec, "retry.count", 5);
        t.admin().body(PolicyFixtures.save(spec, 1)).put("/api/v1/policies/" + id).then().statusCode(200);
        Browser admin = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        admin.get("/audit?action=policy.update").then().statusCode(200)
                .body(containsString("<code>retry.count</code></td><td class=\"text-danger-emphasis fh-pre-wrap\">2</td>"
                        + "<td class=\"text-success-emphasis fh-pre-wrap\">5</td>"))
                .body(not(containsString("policy.create")));
        admin.get("/audit?object=policy&actor=" + t.adminEmail()).then().body(containsString("policy.create"));
        admin.get("/audit?actor=nobody-here").then().body(containsString("Nothing matches."));
        admin.get("/audit?from=2000-01-01&to=2000-01-02").then().body(containsString("Nothing matches."));
        admin.get("/audit?from=yesterday").then().statusCode(400);
    }

    @Test
    void theDiffListsChangedAddedAndRemovedFieldsByPath() {
        assertEquals(List.of(new AuditService.Change("retry.count", "2", "5"),
                new AuditService.Change("hooks[0].mode", "essential", "—"),
                new AuditService.Change("name", "—", "x")),
                AuditService.diff("{\"retry\":{\"count\":2,\"intervalMinutes\":10},\"hooks\":[{\"mode\":\"essential\"}]}",
                        "{\"retry\":{\"count\":5,\"intervalMinutes\":10},\"hooks\":[],\"name\":\"x\"}")
                        .stream().filter(c -> !c.path().equals("hooks")).toList());
    }
}
