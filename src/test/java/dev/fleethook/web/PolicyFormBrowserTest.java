package dev.fleethook.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.LoadState;

import dev.fleethook.support.ChromiumTest;
import dev.fleethook.support.Fixtures;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The policy form in Debian's headless Chromium: it shows only the fields of the chosen schedule kind, engine
 * and hook source (and all of them with JavaScript off); every problem is listed at once in a summary whose
 * labels lead to their fields; the next runs appear as soon as the schedule is valid; and Chromium reports no
 * Content-Security-Policy violation on the way. Its screenshot goes to {@code target/screenshots} (copied
 * into {@code docs/} for the README).
 */
@QuarkusTest
class PolicyFormBrowserTest extends ChromiumTest {

    @TestHTTPResource("/")
    URL base;

    void reportedViolations(Page page) {
        page.waitForLoadState(LoadState.NETWORKIDLE);
        Object reported = page.evaluate("() => window.__csp || []");
        if (reported instanceof List<?> list && !list.isEmpty()) {
            violations.add(page.url() + ": " + list);
        }
    }

    void signIn(Page page, Fixtures.TenantFixture tenant) {
        page.navigate(base + "sign-in");
        page.getByLabel("Email").fill(tenant.adminEmail());
        page.getByLabel("Password").fill(Fixtures.DEFAULT_PASSWORD);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
        PlaywrightAssertions.assertThat(page.getByTestId("who")).containsText(tenant.adminEmail());
    }

    static void shows(Locator... fields) {
        for (Locator f : fields) {
            PlaywrightAssertions.assertThat(f).isVisible();
        }
    }

    static void hides(Locator... fields) {
        for (Locator f : fields) {
            PlaywrightAssertions.assertThat(f).isHidden();
        }
    }

    @Test
    void theFormShowsOnlyTheFieldsOfEachChoice() throws Exception {
        var tenant = Fixtures.newTenant("Browser Form");
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 900))) {
            Page page = page(context);
            signIn(page, tenant);
            page.navigate(base + "policies/new");
            Locator kind = page.locator("#f-kind");
            Locator time = page.locator("#f-time");
            Locator cron = page.locator("#f-cron");
            Locator monday = page.locator("#day-MONDAY");
            // A new policy runs daily: the time only.
            shows(time);
            hides(cron, monday);
            kind.selectOption("weekly");
            shows(time, monday);
            hides(cron);
            kind.selectOption("cron");
            shows(cron);
            hides(time, monday);
            kind.selectOption("manual");
            hides(time, cron, monday);

            Locator engine = page.locator("#f-engine");
            Locator archive = page.locator("#f-archiveDestination");
            Locator repository = page.locator("#f-resticRepository");
            Locator command = page.locator("#f-command");
            shows(archive, page.locator("#f-archiveRetention"));
            hides(repository, page.locator("#f-resticPasswordSecret"), page.locator("#f-rargs"), command);
            engine.selectOption("restic");
            shows(repository, page.locator("#f-resticPasswordSecret"), page.locator("#f-rargs"));
            hides(archive, command);
            engine.selectOption("command");
            shows(command);
            hides(archive, repository);
            shows(page.locator("#f-sources"));

            // The blank "add a hook" row: a command hook until another source is chosen.
            Locator source = page.locator("#h0-source");
            Locator path = page.locator("#h0-path");
            Locator hookCommand = page.locator("#h0-command");
            Locator script = page.locator("#h0-script");
            shows(hookCommand);
            hides(path, script);
            source.selectOption("stored");
            shows(script);
            hides(path, hookCommand);
            source.selectOption("directory");
            shows(path);
            hides(script, hookCommand);
            source.selectOption("user-callback");
            shows(path);
            source.selectOption("convention");
            hides(path, script, hookCommand);
            PlaywrightAssertions.assertThat(page.getByText("Runs the script named after the phase")).isVisible();
            // What the scripts receive, as a script sees it.
            PlaywrightAssertions.assertThat(page.getByTestId("script-arguments")).containsText("backup status");
            reportedViolations(page);
        }
        // Without JavaScript every field shows, and the form still saves.
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 900)
                .setJavaScriptEnabled(false))) {
            Page page = page(context);
            signIn(page, tenant);
            page.navigate(base + "policies/new");
            shows(page.locator("#f-time"), page.locator("#f-cron"), page.locator("#day-MONDAY"),
                    page.locator("#f-archiveDestination"), page.locator("#f-resticRepository"), page.locator("#f-command"),
                    page.locator("#h0-path"), page.locator("#h0-command"), page.locator("#h0-script"));
            page.getByLabel("Name", new Page.GetByLabelOptions().setExact(true)).fill("Without JavaScript");
            page.locator("#f-kind").selectOption("cron");
            page.locator("#f-cron").fill("30 4 * * *");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create policy")).click();
            PlaywrightAssertions.assertThat(page.locator("h1")).containsText("Without JavaScript");
            tenant.admin().get("/api/v1/policies").then().statusCode(200)
                    .body("find { it.name == 'Without JavaScript' }.id", org.hamcrest.Matchers.notNullValue());
        }
    }

    @Test
    void everyProblemAtOnceWithLabelsThatLeadToTheFields() throws Exception {
        var tenant = Fixtures.newTenant("Browser Errors");
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 900))) {
            Page page = page(context);
            signIn(page, tenant);
            page.navigate(base + "policies/new");
            // The next runs follow the schedule alone: shown while the name is still empty.
            page.locator("#f-kind").selectOption("cron");
            page.locator("#f-cron").fill("61 4 * * *");
            page.locator("#f-cron").press("Tab");
            PlaywrightAssertions.assertThat(page.locator("#e-cron")).containsText("is not a valid cron expression");
            PlaywrightAssertions.assertThat(page.getByTestId("next-runs")).containsText("as soon as the schedule is valid");
            page.locator("#f-cron").fill("30 4 * * *");
            page.locator("#f-cron").press("Tab");
            PlaywrightAssertions.assertThat(page.locator("#e-cron")).isEmpty();
            PlaywrightAssertions.assertThat(page.getByTestId("next-runs").locator("li")).hasCount(5);
            PlaywrightAssertions.assertThat(page.getByTestId("next-runs")).containsText("04:30");

            page.getByLabel("Retries (0–10)").fill("12");
            page.getByLabel("Enable custom scripts on Linux").check();
            page.getByLabel("Linux script folder").fill("relative/scripts");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create policy")).click();
            Locator summary = page.getByTestId("error-summary");
            PlaywrightAssertions.assertThat(summary).containsText("Fix 3 problems");
            PlaywrightAssertions.assertThat(summary.getByTestId("problem")).hasCount(3);
            PlaywrightAssertions.assertThat(summary.getByTestId("problem").nth(0)).containsText("Name:");
            PlaywrightAssertions.assertThat(summary.getByTestId("problem").nth(1)).containsText("Retries: must be 0 to 10");
            PlaywrightAssertions.assertThat(summary.getByTestId("problem").nth(2))
                    .containsText("Linux script folder: must be an absolute Linux path");
            // Each message is also beside its field, and the form kept the cron schedule's fields only.
            PlaywrightAssertions.assertThat(page.locator("#e-retryCount")).hasText("must be 0 to 10");
            PlaywrightAssertions.assertThat(page.locator("#e-linuxFolder")).containsText("absolute Linux path");
            shows(page.locator("#f-cron"));
            hides(page.locator("#f-time"));
            PlaywrightAssertions.assertThat(page.getByTestId("next-runs")).containsText("04:30");
            Path shots = Files.createDirectories(Path.of("target", "screenshots"));
            page.screenshot(new Page.ScreenshotOptions().setPath(shots.resolve("policy-form-problems.png")).setFullPage(true));
            // A label in the summary leads to its field.
            summary.getByRole(AriaRole.LINK, new Locator.GetByRoleOptions().setName("Linux script folder")).click();
            PlaywrightAssertions.assertThat(page).hasURL(Pattern.compile(".*#f-linuxFolder$"));
            PlaywrightAssertions.assertThat(page.locator("#f-linuxFolder")).isInViewport();
            PlaywrightAssertions.assertThat(page.locator("#f-linuxFolder")).isFocused();
            reportedViolations(page);
        }
    }

    /**
     * Saving a form another admin has changed in the meantime shows the edit-conflict page; "Reload the
     * latest" asks first, and dismissing the question keeps the page (and the edits).
     */
    @Test
    void anEditConflictOffersTheLatestAfterAConfirmation() {
        var tenant = Fixtures.newTenant("Browser Conflict");
        java.util.Map<String, Object> spec = dev.fleethook.support.PolicyFixtures.spec("Contested");
        String id = tenant.admin().body(dev.fleethook.support.PolicyFixtures.save(spec, null)).post("/api/v1/policies")
                .then().statusCode(201).extract().path("id");
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 900))) {
            Page page = page(context);
            signIn(page, tenant);
            page.navigate(base + "policies/" + id);
            page.getByLabel("Description").fill("my description");
            // Someone else saves revision 2 while the form is open.
            dev.fleethook.support.PolicyFixtures.set(spec, "retry.count", 5);
            tenant.admin().body(dev.fleethook.support.PolicyFixtures.save(spec, 1)).put("/api/v1/policies/" + id)
                    .then().statusCode(200);
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save as revision 2")).click();
            Locator stale = page.getByTestId("stale-edit");
            PlaywrightAssertions.assertThat(stale).containsText("saved revision 2");
            PlaywrightAssertions.assertThat(stale.getByTestId("diff")).containsText("my description");
            PlaywrightAssertions.assertThat(page.getByLabel("Description")).hasValue("my description");
            PlaywrightAssertions.assertThat(page.getByLabel("Retries (0–10)")).hasValue("5");
            List<String> asked = new CopyOnWriteArrayList<>();
            page.onceDialog(d -> {
                asked.add(d.message());
                d.dismiss();
            });
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Reload the latest (discard my changes)"))
                    .click();
            PlaywrightAssertions.assertThat(stale).isVisible();
            assertEquals(List.of("Reload revision 2? Your changes in this form are lost."), asked);
            page.onceDialog(d -> d.accept());
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Reload the latest (discard my changes)"))
                    .click();
            PlaywrightAssertions.assertThat(page.getByTestId("stale-edit")).hasCount(0);
            PlaywrightAssertions.assertThat(page.locator("h1")).containsText("revision 2");
            PlaywrightAssertions.assertThat(page.getByLabel("Description")).not().hasValue("my description");
            reportedViolations(page);
        }
    }
}
