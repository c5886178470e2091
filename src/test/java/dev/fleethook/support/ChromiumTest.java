package dev.fleethook.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;

/**
 * The base of every browser test: Debian's headless Chromium driven by Playwright (never a browser Playwright
 * downloads), started once per test class with the flags this machine needs, and a check after each test
 * that no page broke the Content-Security-Policy (issue 14: every page is served with {@code default-src
 * 'self'} and no {@code unsafe-inline}).
 *
 * <p>Without Chromium at {@link #CHROMIUM} ({@code FLEETHOOK_CHROMIUM}, default {@code /usr/bin/chromium})
 * the class is skipped, unless {@code FLEETHOOK_REQUIRE_BROWSER} is set (as `.ci/run` does): then it fails.
 */
public abstract class ChromiumTest {

    /** The Chromium binary: {@code FLEETHOOK_CHROMIUM}, or Debian's {@code /usr/bin/chromium}. */
    public static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("FLEETHOOK_CHROMIUM", "/usr/bin/chromium"));

    protected static Playwright playwright;
    protected static Browser browser;

    /** CSP violations reported by the pages made with {@link #page(BrowserContext)}: {@code url: message}. */
    protected final List<String> violations = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void launchChromium() {
        if (System.getenv("FLEETHOOK_REQUIRE_BROWSER") == null) {
            Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "no Chromium at " + CHROMIUM);
        }
        playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                .setExecutablePath(CHROMIUM).setHeadless(true)
                .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic")));
    }

    @AfterAll
    static void closeChromium() {
        if (browser != null) {
            browser.close();
        }
        if (playwright != null) {
            playwright.close();
        }
    }

    @AfterEach
    void noContentSecurityPolicyViolations() {
        assertEquals(List.of(), violations, "Content-Security-Policy violations");
    }

    /**
     * A new page of {@code context} whose CSP violations fail the test: Chromium's console reports, and the
     * page's own {@code securitypolicyviolation} events collected in {@code window.__csp} (init scripts are not
     * subject to the CSP).
     */
    protected Page page(BrowserContext context) {
        Page page = context.newPage();
        page.onConsoleMessage(m -> {
            if (m.text().contains("Content Security Policy")) {
                violations.add(page.url() + ": " + m.text());
            }
        });
        page.addInitScript("window.__csp = []; document.addEventListener('securitypolicyviolation', "
                + "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber));");
        return page;
    }
}
