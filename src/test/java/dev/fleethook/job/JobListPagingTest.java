package dev.fleethook.job;

import static dev.fleethook.support.Agents.event;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.fleethook.support.Agents;
import dev.fleethook.support.Agents.Agent;
import dev.fleethook.support.Fixtures;
import dev.fleethook.support.Fixtures.Browser;
import io.quarkus.test.junit.QuarkusTest;

/** The job list pages with keyset cursors (issue 17): every job once, newest first, in both directions. */
@QuarkusTest
class JobListPagingTest {

    static final Pattern JOB_LINK = Pattern.compile("href=\"/jobs/([0-9a-f-]{36})\"");
    static final Pattern OLDER = Pattern.compile("href=\"(/jobs\\?before=[^\"]+)\">Older<");
    static final Pattern NEWER = Pattern.compile("href=\"(/jobs\\?after=[^\"]+)\">Newer<");

    @Test
    void olderAndNewerWalkEveryJobOnceNewestFirst() {
        var t = Fixtures.newTenant("Paging");
        Agent agent = Agents.enrolled(t, "paging-fs");
        Instant base = Instant.parse("2026-01-01T00:00:00Z");
        List<String> newestFirst = new ArrayList<>();
        List<Map<String, Object>> events = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            String id = UUID.randomUUID().toString();
            // Two jobs share each start time: the id breaks the tie, so no job is shown twice or skipped.
            Map<String, Object> started = event("job-started", id, null, "trigger", "scheduled");
            started.put("time", base.plusSeconds(60L * (i / 2)).toString());
            events.add(started);
            newestFirst.add(0, id);
        }
        // One job whose start was never reported: it comes last.
        String unstarted = UUID.randomUUID().toString();
        events.add(event("attempt-started", unstarted, 1));
        agent.send(events.subList(0, 100)).then().statusCode(200);
        agent.send(events.subList(100, events.size())).then().statusCode(200);

        Browser viewer = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        List<String> seen = new ArrayList<>();
        List<String> olderLinks = new ArrayList<>();
        String page = viewer.get("/jobs").then().statusCode(200).body(containsString("121 jobs")).extract().asString();
        while (true) {
            seen.addAll(ids(page));
            Matcher older = OLDER.matcher(page);
            if (!older.find()) {
                break;
            }
            String link = older.group(1).replace("&amp;", "&");
            olderLinks.add(link);
            page = viewer.get(link).then().statusCode(200).extract().asString();
        }
        assertEquals(121, seen.size(), "every job is listed once: " + seen.size());
        assertEquals(121, new LinkedHashSet<>(seen).size(), "no job is listed twice");
        List<String> expected = new ArrayList<>(newestFirst);
        expected.add(unstarted);
        // Jobs of the same start time are ordered by id: compare per start time, and the unstarted one last.
        for (int i = 0; i < 120; i += 2) {
            assertEquals(Set.of(expected.get(i), expected.get(i + 1)), Set.of(seen.get(i), seen.get(i + 1)),
                    "jobs " + i + " and " + (i + 1) + " are the newest remaining ones");
        }
        assertEquals(unstarted, seen.get(120), "the job never reported as started comes last");
        assertEquals(2, olderLinks.size(), "three pages of 50");

        // From the last page, "Newer" leads back through the same pages.
        Matcher newer = NEWER.matcher(page);
        assertTrue(newer.find(), "the last page links to newer jobs");
        String middle = viewer.get(newer.group(1).replace("&amp;", "&")).then().statusCode(200).extract().asString();
        assertEquals(seen.subList(50, 100), ids(middle), "Newer shows the page before again");
        assertTrue(NEWER.matcher(middle).find() && OLDER.matcher(middle).find(), "a middle page links both ways");
    }

    @Test
    void aCursorThatIsNotOneIsRefusedNamingTheField() {
        var t = Fixtures.newTenant("Paging Bad");
        Browser viewer = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        viewer.get("/jobs?before=yesterday").then().statusCode(400).body(containsString("before"));
        viewer.get("/jobs?after=2026-01-01T00:00:00Z_not-a-uuid").then().statusCode(400).body(containsString("after"));
    }

    @Test
    void theApiStillCountsExactlyAndPagesByOffset() {
        var t = Fixtures.newTenant("Paging Api");
        Agent agent = Agents.enrolled(t, "paging-api");
        List<Map<String, Object>> events = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            events.add(event("job-started", UUID.randomUUID().toString(), null, "trigger", "scheduled"));
        }
        agent.send(events).then().statusCode(200);
        t.admin().queryParam("size", 3).queryParam("page", 2).get("/api/v1/jobs").then().statusCode(200)
                .body("total", equalTo(7)).body("items.size()", equalTo(1));
        t.admin().queryParam("from", "2000-01-01T00:00:00Z").queryParam("to", "2999-01-01T00:00:00Z").get("/api/v1/jobs")
                .then().statusCode(200).body("total", equalTo(7));
        t.admin().queryParam("from", "2999-01-01T00:00:00Z").get("/api/v1/jobs").then().statusCode(200)
                .body("total", equalTo(0)).body("items.size()", equalTo(0));
    }

    private static List<String> ids(String page) {
        List<String> ids = new ArrayList<>();
        Matcher m = JOB_LINK.matcher(page);
        while (m.find()) {
            if (ids.isEmpty() || !ids.get(ids.size() - 1).equals(m.group(1))) {
                ids.add(m.group(1));
            }
        }
        return ids;
    }
}
