package dev.fleethook.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.PlaywrightAssertions;

import dev.fleethook.support.ChromiumTest;
import dev.fleethook.support.Fixtures;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A real browser (Debian's headless Chromium) signs in and uses the pages. Skipped only when no
 * Chromium is installed and {@code FLEETHOOK_REQUIRE_BROWSER} is unset; CI sets it.
 */
@QuarkusTest
class BrowserTest extends ChromiumTest {

    @TestHTTPResource("/")
    URL base;

    @Test
    void anAdminWritesAPolicyWithLiveValidation() throws Exception {
        var tenant = Fixtures.newTenant("Browser Policies");
        Page page = browser.newPage();
        page.navigate(base + "sign-in");
        page.getByLabel("Email").fill(tenant.adminEmail());
        page.getByLabel("Password").fill(Fixtures.DEFAULT_PASSWORD);
        page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
                new Page.GetByRoleOptions().setName("Sign in")).click();
        page.navigate(base + "policies/new");
        page.getByLabel("Name", new Page.GetByLabelOptions().setExact(true)).fill("Browser nightly");
        // A wrong folder is flagged next to its field as soon as the field changes, before saving.
        page.getByLabel("Enable custom scripts on Linux").check();
        page.getByLabel("Linux script folder").fill("relative/scripts");
        page.getByLabel("Linux script folder").press("Tab");
        PlaywrightAssertions.assertThat(page.locator("#e-linuxFolder")).containsText("absolute Linux path");
        page.getByLabel("Linux script folder").fill("/etc/fleethook/scripts");
        page.getByLabel("Linux script folder").press("Tab");
        PlaywrightAssertions.assertThat(page.locator("#e-linuxFolder")).isEmpty();
        PlaywrightAssertions.assertThat(page.getByTestId("next-runs")).containsText("01:00");
        Path shots = Path.of("target", "screenshots");
        Files.createDirectories(shots);
        page.screenshot(new Page.ScreenshotOptions().setPath(shots.resolve("policy-form.png")).setFullPage(true));
        page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
                new Page.GetByRoleOptions().setName("Create policy")).click();
        PlaywrightAssertions.assertThat(page.locator("h1")).containsText("Browser nightly");
        PlaywrightAssertions.assertThat(page.locator("h1")).containsText("revision 1");
    }

    @Test
    void anAdminCreatesATokenAndSeesTheServerAppearAfterEnrollment() throws Exception {
        var tenant = Fixtures.newTenant("Browser Fleet");
        Page page = browser.newPage();
        page.navigate(base + "sign-in");
        page.getByLabel("Email").fill(tenant.adminEmail());
        page.getByLabel("Password").fill(Fixtures.DEFAULT_PASSWORD);
        page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
                new Page.GetByRoleOptions().setName("Sign in")).click();
        page.getByRole(com.microsoft.playwright.options.AriaRole.LINK,
                new Page.GetByRoleOptions().setName("Enrollment").setExact(true)).click();
        page.getByLabel("Label").fill("Browser servers");
        page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
                new Page.GetByRoleOptions().setName("Create token")).click();
        String command = page.getByTestId("command").textContent().trim();
        String token = command.substring(command.indexOf("--token ") + 8).trim();
        PlaywrightAssertions.assertThat(page.getByTestId("flash")).containsText("Created the enrollment token Browser servers.");
        // Post/redirect/get: a reload shows neither the confirmation nor the token, and creates no second token.
        page.reload();
        PlaywrightAssertions.assertThat(page.getByTestId("command")).hasCount(0);
        PlaywrightAssertions.assertThat(page.getByTestId("flash")).hasCount(0);
        PlaywrightAssertions.assertThat(page.getByTestId("token-row")).hasCount(1);
        dev.fleethook.support.Agents.enroll(token, "browser-fs-01").then().statusCode(200);
        page.getByRole(com.microsoft.playwright.options.AriaRole.LINK,
                new Page.GetByRoleOptions().setName("Servers").setExact(true)).click();
        PlaywrightAssertions.assertThat(page.getByTestId("server-row")).containsText("browser-fs-01");
        PlaywrightAssertions.assertThat(page.getByTestId("server-row")).containsText("never seen");
        Path shots = Path.of("target", "screenshots");
        Files.createDirectories(shots);
        page.screenshot(new Page.ScreenshotOptions().setPath(shots.resolve("servers.png")).setFullPage(true));
    }

    @Test
    void anAdminSignsInAndSeesTheTenantHome() throws Exception {
        var tenant = Fixtures.newTenant("Browser Co");
        Page page = browser.newPage();
        page.navigate(base.toString());
        PlaywrightAssertions.assertThat(page).hasURL(java.util.regex.Pattern.compile(".*/sign-in.*"));
        page.getByLabel("Email").fill(tenant.adminEmail());
        page.getByLabel("Password").fill(Fixtures.DEFAULT_PASSWORD);
        page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
                new Page.GetByRoleOptions().setName("Sign in")).click();
        PlaywrightAssertions.assertThat(page.locator("h1")).hasText("Browser Co");
        PlaywrightAssertions.assertThat(page.getByTestId("who")).containsText(tenant.adminEmail());
        Path shots = Path.of("target", "screenshots");
        Files.createDirectories(shots);
        page.screenshot(new Page.ScreenshotOptions().setPath(shots.resolve("home.png")).setFullPage(true));

        // htmx search on the users page swaps the table in place.
        page.getByRole(com.microsoft.playwright.options.AriaRole.LINK,
                new Page.GetByRoleOptions().setName("Users").setExact(true)).click();
        page.getByLabel("Search users").fill("nobody-matches-this");
        PlaywrightAssertions.assertThat(page.locator("#user-table")).containsText("No user matches");
        page.screenshot(new Page.ScreenshotOptions().setPath(shots.resolve("users.png")).setFullPage(true));

        page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
                new Page.GetByRoleOptions().setName("Sign out")).click();
        PlaywrightAssertions.assertThat(page).hasURL(java.util.regex.Pattern.compile(".*/sign-in"));
        assertTrue(page.content().contains("Sign in to Fleethook"));
    }

    /**
     * Every page keeps its Content-Security-Policy: Chromium reports no violation on any of them, and a
     * policy named like a script injection is only text, even in its delete confirmation.
     */
    @Test
    void everyPageHoldsTheContentSecurityPolicy() {
        var tenant = Fixtures.newTenant("Browser CSP");
        String evil = "x');alert(1);('";
        String policy = tenant.admin().body(dev.fleethook.support.PolicyFixtures.save(
                dev.fleethook.support.PolicyFixtures.spec(evil), null)).post("/api/v1/policies").then().statusCode(201)
                .extract().path("id");
        var agent = dev.fleethook.support.Agents.enrolled(tenant, "csp-fs-01");
        String job = java.util.UUID.randomUUID().toString();
        agent.send(dev.fleethook.support.Agents.job(job, 1, false)).then().statusCode(200);
        Page page = browser.newPage();
        page.onConsoleMessage(m -> {
            if (m.text().contains("Content Security Policy")) {
                violations.add(page.url() + ": " + m.text());
            }
        });
        // Chromium's own report of each violation, collected in the page (init scripts are not subject to CSP).
        page.addInitScript("window.__csp = []; document.addEventListener('securitypolicyviolation', "
                + "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber));");
        List<String> dialogs = new java.util.concurrent.CopyOnWriteArrayList<>();
        page.onDialog(d -> {
            dialogs.add(d.type() + ": " + d.message());
            d.dismiss();
        });
        page.navigate(base + "sign-in");
        page.getByLabel("Email").fill(tenant.adminEmail());
        page.getByLabel("Password").fill(Fixtures.DEFAULT_PASSWORD);
        page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
                new Page.GetByRoleOptions().setName("Sign in")).click();
        PlaywrightAssertions.assertThat(page.locator("h1")).hasText("Browser CSP");
        for (String path : List.of("", "servers", "servers/" + agent.serverId(), "jobs", "jobs/" + job, "alerts",
                "alerts/settings", "alerts/outbox", "alerts/preview", "policies", "policies/new", "policies/" + policy,
                "policies/" + policy + "/revisions", "users", "audit", "enrollment", "settings", "account/tokens")) {
            var response = page.navigate(base + path);
            assertTrue(response.status() == 200, path + " answered " + response.status());
            assertTrue(response.headers().getOrDefault("content-security-policy", "").contains("default-src 'self'"),
                    path + " has no CSP");
            page.waitForLoadState(com.microsoft.playwright.options.LoadState.NETWORKIDLE);
            Object reported = page.evaluate("() => window.__csp");
            if (reported instanceof List<?> list && !list.isEmpty()) {
                violations.add(path + ": " + list);
            }
        }
        // The confirmation shows the name as text; dismissing it keeps the policy; no script ran.
        page.navigate(base + "policies");
        page.locator("form[action='/policies/" + policy + "/delete'] button").click();
        PlaywrightAssertions.assertThat(page.locator("h1")).containsText("policies");
        assertEquals(List.of("confirm: Delete policy " + evil + "?"), dialogs);
        tenant.admin().get("/api/v1/policies/" + policy).then().statusCode(200);
        assertEquals(List.of(), violations);
    }
}
