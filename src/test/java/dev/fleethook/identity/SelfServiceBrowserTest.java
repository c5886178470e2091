package dev.fleethook.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import com.microsoft.playwright.options.AriaRole;

import dev.fleethook.support.ChromiumTest;
import dev.fleethook.support.Fixtures;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Self-service as a user meets it in Debian's headless Chromium: change your password from "My account"
 * (another browser is signed out, sign-in takes the new password), a reload after creating an API token
 * creates no second token and shows the secret no more, and an admin's reset link used in a third browser.
 * Every page is checked for CSP violations, as in {@code ConsoleBrowserTest}.
 */
@QuarkusTest
class SelfServiceBrowserTest extends ChromiumTest {

    static final String NEW_PASSWORD = "chosen-in-the-browser-1";

    @TestHTTPResource("/")
    URL base;

    @Override
    protected Page page(BrowserContext context) {
        Page page = super.page(context);
        // data-confirm asks with window.confirm: accept, as the user would after reading it.
        page.onDialog(dialog -> dialog.accept());
        return page;
    }

    void signIn(Page page, String email, String password) {
        page.navigate(base + "sign-in");
        page.getByLabel("Email").fill(email);
        page.getByLabel("Password").fill(password);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
        PlaywrightAssertions.assertThat(page.getByTestId("who")).containsText(email);
    }

    /** The input with exactly this label ("New password" is not "New password again"). */
    static com.microsoft.playwright.Locator field(Page page, String label) {
        return page.getByLabel(label, new Page.GetByLabelOptions().setExact(true));
    }

    @Test
    void changeYourPasswordThenSignInWithTheNewOne() {
        var tenant = Fixtures.newTenant("Browser Self");
        var user = Fixtures.newUser(tenant, "OPERATOR");
        try (BrowserContext laptop = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 900));
                BrowserContext phone = browser.newContext(new Browser.NewContextOptions().setViewportSize(390, 844))) {
            Page other = page(phone);
            signIn(other, user.email(), Fixtures.DEFAULT_PASSWORD);
            Page page = page(laptop);
            signIn(page, user.email(), Fixtures.DEFAULT_PASSWORD);

            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("My account")).click();
            PlaywrightAssertions.assertThat(page).hasURL(Pattern.compile(".*/account$"));
            PlaywrightAssertions.assertThat(page.getByTestId("session-row")).hasCount(2);
            PlaywrightAssertions.assertThat(page.getByTestId("this-session")).hasCount(1);

            // A wrong current password: the form says so next to the field, nothing changes.
            field(page, "Current password").fill("not-the-password");
            field(page, "New password").fill(NEW_PASSWORD);
            field(page, "New password again").fill(NEW_PASSWORD);
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Change password")).click();
            PlaywrightAssertions.assertThat(page.locator("#e-currentPassword")).hasText("is not your current password");

            field(page, "Current password").fill(Fixtures.DEFAULT_PASSWORD);
            field(page, "New password").fill(NEW_PASSWORD);
            field(page, "New password again").fill(NEW_PASSWORD);
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Change password")).click();
            PlaywrightAssertions.assertThat(page.getByTestId("flash")).containsText("Your password was changed.");
            PlaywrightAssertions.assertThat(page.getByTestId("flash")).containsText("1 other session was signed out");
            PlaywrightAssertions.assertThat(page.getByTestId("session-row")).hasCount(1);
            page.reload();
            PlaywrightAssertions.assertThat(page.getByTestId("flash")).hasCount(0);

            // The other browser is signed out; this one is not.
            other.reload();
            PlaywrightAssertions.assertThat(other).hasURL(Pattern.compile(".*/sign-in.*"));
            page.getByLabel("Main navigation").getByRole(AriaRole.BUTTON,
                    new com.microsoft.playwright.Locator.GetByRoleOptions().setName("Sign out").setExact(true)).click();
            PlaywrightAssertions.assertThat(page).hasURL(Pattern.compile(".*/sign-in$"));
            page.getByLabel("Email").fill(user.email());
            page.getByLabel("Password").fill(Fixtures.DEFAULT_PASSWORD);
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
            PlaywrightAssertions.assertThat(page.getByRole(AriaRole.ALERT)).containsText("Wrong email or password.");
            signIn(page, user.email(), NEW_PASSWORD);
        }
    }

    @Test
    void aReloadAfterCreatingATokenCreatesNoSecondToken() {
        var tenant = Fixtures.newTenant("Browser Token");
        var user = Fixtures.newUser(tenant, "VIEWER");
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 900))) {
            Page page = page(context);
            signIn(page, user.email(), Fixtures.DEFAULT_PASSWORD);
            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("API tokens")).click();
            page.getByLabel("Name").fill("ci-pipeline");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create token")).click();
            PlaywrightAssertions.assertThat(page.getByTestId("flash")).containsText("Created the token ci-pipeline.");
            PlaywrightAssertions.assertThat(page.getByTestId("new-token")).containsText("fht_");
            PlaywrightAssertions.assertThat(page).hasURL(Pattern.compile(".*/account/tokens$"));
            String secret = page.getByTestId("new-token").textContent().trim();
            page.reload();
            PlaywrightAssertions.assertThat(page.getByTestId("new-token")).hasCount(0);
            PlaywrightAssertions.assertThat(page.getByTestId("flash")).hasCount(0);
            PlaywrightAssertions.assertThat(page.getByTestId("token-row").filter(
                    new com.microsoft.playwright.Locator.FilterOptions().setHasText("ci-pipeline"))).hasCount(1);
            // The token shown once works; and there is exactly one of that name.
            Fixtures.bearer(secret).get("/api/v1/me").then().statusCode(200);
            List<String> names = user.api().get("/api/v1/me/tokens").then().statusCode(200).extract().path("name");
            assertEquals(1, names.stream().filter("ci-pipeline"::equals).count(), names.toString());
        }
    }

    @Test
    void anAdminsResetLinkSetsANewPasswordInAnotherBrowser() {
        var tenant = Fixtures.newTenant("Browser Reset");
        var user = Fixtures.newUser(tenant, "VIEWER");
        try (BrowserContext adminContext = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 900));
                BrowserContext visitorContext = browser.newContext(new Browser.NewContextOptions().setViewportSize(390, 844))) {
            Page admin = page(adminContext);
            signIn(admin, tenant.adminEmail(), Fixtures.DEFAULT_PASSWORD);
            admin.navigate(base + "users");
            admin.getByTestId("user-row").filter(new com.microsoft.playwright.Locator.FilterOptions().setHasText(user.email()))
                    .getByRole(AriaRole.LINK, new com.microsoft.playwright.Locator.GetByRoleOptions().setName("Sessions & password"))
                    .click();
            admin.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Make a reset link")).click();
            PlaywrightAssertions.assertThat(admin.getByTestId("flash")).containsText("Made a password reset link");
            String link = admin.getByTestId("reset-link").textContent().trim();
            assertTrue(link.contains("/password-reset/fhr_"), link);
            admin.reload();
            PlaywrightAssertions.assertThat(admin.getByTestId("reset-link")).hasCount(0);

            Page visitor = page(visitorContext);
            visitor.navigate(link);
            PlaywrightAssertions.assertThat(visitor.getByTestId("reset-email")).hasText(user.email());
            field(visitor, "New password").fill(NEW_PASSWORD);
            field(visitor, "New password again").fill(NEW_PASSWORD);
            visitor.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Set password")).click();
            PlaywrightAssertions.assertThat(visitor.getByTestId("flash")).containsText("Sign in with it.");
            signIn(visitor, user.email(), NEW_PASSWORD);
            assertEquals(410, visitor.navigate(link).status());
            PlaywrightAssertions.assertThat(visitor.getByTestId("reset-refused")).hasText("This reset link was already used");
        }
    }
}
