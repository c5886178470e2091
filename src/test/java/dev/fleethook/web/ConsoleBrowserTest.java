package dev.fleethook.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.ColorScheme;

import dev.fleethook.agent.AgentDaemon;
import dev.fleethook.agent.AgentMain;
import dev.fleethook.agent.AgentState;
import dev.fleethook.agent.PortalClient;
import dev.fleethook.protocol.EnrollRequest;
import dev.fleethook.protocol.EnrollResponse;
import dev.fleethook.protocol.TargetOs;
import dev.fleethook.support.Agents;
import dev.fleethook.support.ChromiumTest;
import dev.fleethook.support.Fixtures;
import dev.fleethook.support.PolicyFixtures;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The console as an administrator meets it in Debian's headless Chromium, with a real agent daemon running
 * real scripts against this portal: the live job page, Backup Now without a reload and without a second job
 * on reload, dark mode and the 390 px layout. Every page is also checked for CSP violations. Screenshots go
 * to {@code target/screenshots} (copied into {@code docs/} for the README).
 */
@QuarkusTest
class ConsoleBrowserTest extends ChromiumTest {

    @TestHTTPResource("/")
    URL base;

    final List<AgentDaemon> daemons = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopAgents() {
        daemons.forEach(AgentDaemon::close);
    }

    void signIn(Page page, Fixtures.TenantFixture tenant) {
        page.navigate(base + "sign-in");
        page.getByLabel("Email").fill(tenant.adminEmail());
        page.getByLabel("Password").fill(Fixtures.DEFAULT_PASSWORD);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
        PlaywrightAssertions.assertThat(page.getByTestId("who")).containsText(tenant.adminEmail());
    }

    /**
     * A real agent daemon enrolled in {@code tenant} with {@code policy}, whose pre-script prints a numbered
     * line every second for {@code seconds} seconds; hooks and scripts allowed under its own folder.
     */
    String agentWithSlowPreScript(Fixtures.TenantFixture tenant, String hostname, int seconds) throws Exception {
        Path dir = Files.createTempDirectory("fh-live-");
        Path scripts = Files.createDirectories(dir.resolve("scripts"));
        Path pre = scripts.resolve("pre_script.sh");
        Files.writeString(pre, "#!/bin/sh\ni=1\nwhile [ $i -le " + seconds + " ]; do echo \"pre step $i\"; i=$((i+1)); sleep 1; done\n");
        Files.setPosixFilePermissions(pre, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path post = scripts.resolve("post_script.sh");
        Files.writeString(post, "#!/bin/sh\necho \"post for $1: pre $2 backup $3\"\n");
        Files.setPosixFilePermissions(post, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("data/customers.csv"), "id,name\n1,Ada\n");
        Map<String, Object> spec = PolicyFixtures.spec("Live " + hostname);
        PolicyFixtures.set(spec, "retry.count", 0);
        PolicyFixtures.set(spec, "scripts.linux.folder", scripts.toString());
        PolicyFixtures.set(spec, "backup.sources", List.of(dir.resolve("data").toString()));
        PolicyFixtures.set(spec, "backup.archive.destination", dir.resolve("archives").toString());
        String policyId = tenant.admin().body(PolicyFixtures.save(spec, null)).post("/api/v1/policies").then()
                .statusCode(201).extract().path("id");
        String token = Agents.token(tenant, Map.of("label", "live " + hostname, "policyId", policyId));
        String portal = base.toString().replaceAll("/$", "");
        EnrollResponse enrolled = new PortalClient(portal).enroll(new EnrollRequest(token, hostname, TargetOs.LINUX,
                AgentMain.VERSION));
        AgentState state = new AgentState(dir.resolve("state"));
        state.save(new AgentState.Config(portal, enrolled.serverId().toString(), hostname,
                enrolled.pollIntervalSeconds(), true, false, List.of(dir.toString())), enrolled.agentSecret());
        AgentDaemon daemon = AgentDaemon.open(state, Duration.ofMinutes(1));
        daemon.start();
        daemons.add(daemon);
        return enrolled.serverId().toString();
    }

    /**
     * Backup Now on the server page: the pending command shows, then the job, without a reload; a reload of
     * the page after it makes no second job. The job page then shows the running pre-script advancing (its
     * output and elapsed time), then the finished job, without a reload, and stops polling.
     */
    @Test
    void aRunningJobIsLiveFromBackupNowToItsEnd() throws Exception {
        var tenant = Fixtures.newTenant("Browser Live");
        String server = agentWithSlowPreScript(tenant, "live-fs-01", 10);
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 900))) {
            Page page = page(context);
            signIn(page, tenant);
            page.navigate(base + "servers/" + server);
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Backup Now")).click();
            PlaywrightAssertions.assertThat(page.getByTestId("flash")).containsText("Backup Now sent to live-fs-01");
            // post/redirect/get: the browser is on the plain page, so a reload asks for nothing again.
            PlaywrightAssertions.assertThat(page).hasURL(Pattern.compile(".*/servers/" + server + "$"));
            page.evaluate("() => window.__sameDocument = true");
            PlaywrightAssertions.assertThat(page.getByTestId("job-row")).hasCount(1,
                    new LocatorAssertions.HasCountOptions().setTimeout(20_000));
            PlaywrightAssertions.assertThat(page.getByTestId("job-row")).containsText("running");
            assertEquals(Boolean.TRUE, page.evaluate("() => window.__sameDocument"), "the job appeared without a reload");
            page.reload();
            PlaywrightAssertions.assertThat(page.getByTestId("flash")).hasCount(0);

            page.getByTestId("job-row").getByRole(AriaRole.LINK).first().click();
            PlaywrightAssertions.assertThat(page.locator("h1")).containsText("live-fs-01");
            page.evaluate("() => window.__sameDocument = true");
            PlaywrightAssertions.assertThat(page.getByTestId("live-step")).containsText("Pre-script",
                    new LocatorAssertions.ContainsTextOptions().setTimeout(10_000));
            PlaywrightAssertions.assertThat(page.getByTestId("live-output")).containsText("pre step 2",
                    new LocatorAssertions.ContainsTextOptions().setTimeout(10_000));
            // Seen advancing: a line the page did not show yet appears in place, the job still running.
            String earlier = page.getByTestId("live-output").textContent();
            int seen = java.util.regex.Pattern.compile("pre step (\\d+)").matcher(earlier).results()
                    .mapToInt(m -> Integer.parseInt(m.group(1))).max().orElse(0);
            assertTrue(seen < 10, "the pre-script was still running when first seen: " + earlier);
            PlaywrightAssertions.assertThat(page.getByTestId("live-output")).containsText("pre step " + (seen + 1),
                    new LocatorAssertions.ContainsTextOptions().setTimeout(10_000));
            PlaywrightAssertions.assertThat(page.getByTestId("job-status")).containsText("running");
            PlaywrightAssertions.assertThat(page.getByTestId("live-elapsed")).containsText(" s");
            Path shots = Files.createDirectories(Path.of("target", "screenshots"));
            page.screenshot(new Page.ScreenshotOptions().setPath(shots.resolve("live-job.png")).setFullPage(true));

            PlaywrightAssertions.assertThat(page.getByTestId("job-status")).containsText("succeeded",
                    new LocatorAssertions.ContainsTextOptions().setTimeout(30_000));
            PlaywrightAssertions.assertThat(page.getByTestId("live-step")).hasCount(0);
            PlaywrightAssertions.assertThat(page.getByTestId("step").first()).containsText("Pre-script");
            PlaywrightAssertions.assertThat(page.getByTestId("attempt-times")).containsText("the backup succeeded");
            assertEquals(Boolean.TRUE, page.evaluate("() => window.__sameDocument"), "finished without a reload");
            assertEquals(0, page.locator("[hx-trigger]").count(), "a finished job's page polls no more");
        }
        // Exactly one job came of the one Backup Now, reload included.
        Awaitility.await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> tenant.admin()
                .get("/api/v1/jobs?server=" + server).then().statusCode(200).extract().<List<?>> path("items").size() == 1);
    }

    /**
     * The dashboard draws the 30-day trend from jobs an agent reported through the protocol: stacked by
     * status, with the success rate and the median duration; the same for one policy on its jobs page.
     */
    @Test
    void aTrendChartIsDrawnFromRealJobs() throws Exception {
        var tenant = Fixtures.newTenant("Browser Trends");
        var agent = Agents.enrolled(tenant, "trend-fs-01");
        for (boolean ok : List.of(true, true, false)) {
            agent.send(Agents.job(UUID.randomUUID().toString(), 1, ok)).then().statusCode(200);
        }
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 900))) {
            Page page = page(context);
            signIn(page, tenant);
            PlaywrightAssertions.assertThat(page.getByTestId("trend-summary")).containsText("3 jobs");
            PlaywrightAssertions.assertThat(page.getByTestId("trend-summary")).containsText("success rate 67 %");
            PlaywrightAssertions.assertThat(page.getByTestId("chart")).hasAttribute("data-drawn", "succeeded failed");
            assertTrue(page.locator("[data-testid=chart] canvas").count() == 1, "uPlot drew a canvas");
            PlaywrightAssertions.assertThat(page.locator("[data-testid=chart] .u-legend")).containsText("failed");
            Path shots = Files.createDirectories(Path.of("target", "screenshots"));
            page.screenshot(new Page.ScreenshotOptions().setPath(shots.resolve("dashboard.png")).setFullPage(true));
            page.navigate(base + "jobs?server=" + agent.serverId());
            PlaywrightAssertions.assertThat(page.getByTestId("trend-summary")).containsText("3 jobs");
        }
    }

    /** The pages follow the system's dark mode and fit a 390 px wide phone without scrolling sideways. */
    @Test
    void darkModeAndA390PixelScreen() throws Exception {
        var tenant = Fixtures.newTenant("Browser Phone");
        var agent = Agents.enrolled(tenant, "phone-fs-01");
        String job = UUID.randomUUID().toString();
        agent.send(Agents.job(job, 2, true)).then().statusCode(200);
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(390, 844)
                .setColorScheme(ColorScheme.DARK))) {
            Page page = page(context);
            // A deep link survives the sign-in, query included.
            page.navigate(base + "jobs?status=failed");
            PlaywrightAssertions.assertThat(page).hasURL(Pattern.compile(".*/sign-in\\?next=.*"));
            page.getByLabel("Email").fill(tenant.adminEmail());
            page.getByLabel("Password").fill(Fixtures.DEFAULT_PASSWORD);
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
            PlaywrightAssertions.assertThat(page).hasURL(Pattern.compile(".*/jobs\\?status=failed$"));
            // Bad ids in a page address are the reader's mistake (400/404), never a 500.
            assertEquals(400, page.navigate(base + "jobs?server=xyz").status());
            assertEquals(400, page.navigate(base + "jobs?policy=xyz").status());
            assertTrue(List.of(400, 404).contains(page.navigate(base + "jobs/xyz").status()));
            assertTrue(List.of(400, 404).contains(page.navigate(base + "servers/xyz").status()));
            assertTrue(List.of(400, 404).contains(page.navigate(base + "policies/xyz").status()));
            assertEquals(404, page.navigate(base + "jobs/" + UUID.randomUUID()).status());
            List<String> wide = new java.util.ArrayList<>();
            for (String path : List.of("", "servers", "servers/" + agent.serverId(), "jobs", "jobs/" + job, "alerts",
                    "policies", "policies/new", "users", "audit", "enrollment", "settings", "account/tokens")) {
                page.navigate(base + path);
                assertEquals("dark", page.locator("html").getAttribute("data-bs-theme"), path);
                Object overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth");
                if (((Number) overflow).intValue() > 0) {
                    wide.add(path + " by " + overflow + " px: " + page.evaluate("() => [...document.querySelectorAll('body *')]"
                            + ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1"
                            + " && !(e.parentElement && e.parentElement.closest('.table-responsive'))).slice(0, 6)"
                            + ".map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))"));
                }
            }
            assertEquals(List.of(), wide, "pages wider than the 390 px screen");
            String background = (String) page.evaluate("() => getComputedStyle(document.body).backgroundColor");
            assertTrue(background.startsWith("rgb(33, 37, 41)"), "dark body background, not " + background);
            page.navigate(base + "jobs/" + job);
            Path shots = Files.createDirectories(Path.of("target", "screenshots"));
            page.screenshot(new Page.ScreenshotOptions().setPath(shots.resolve("job-phone-dark.png")).setFullPage(true));
            var favicon = page.request().get(base + "favicon.svg");
            assertEquals(200, favicon.status());
            assertTrue(page.locator("link[rel=icon]").count() == 1, "the layout names the favicon");
        }
    }
}
