package dev.fleethook.identity;

import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.sql.Connection;
import java.sql.Statement;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import dev.fleethook.support.Fixtures;
import dev.fleethook.support.Fixtures.Browser;
import dev.fleethook.support.Fixtures.TenantFixture;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;

/**
 * A database outage is not a sign-out (issue 13): while PostgreSQL refuses connections, pages and the
 * API answer 503 with Retry-After and keep the session cookie; once it is back the same session works.
 */
@QuarkusTest
class DatabaseOutageTest {

    @Inject
    DataSource dataSource;

    @Test
    void anOutageAnswers503AndKeepsTheSession() throws Exception {
        TenantFixture t = Fixtures.newTenant("Outage Co");
        Browser browser = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        String session = browser.cookies.get("fleethook-session");
        String database;
        try (Connection c = dataSource.getConnection()) {
            database = c.getCatalog();
        }
        try (Connection admin = adminConnection(); Statement s = admin.createStatement()) {
            s.execute("ALTER DATABASE \"" + database + "\" ALLOW_CONNECTIONS false");
            s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + database
                    + "' AND pid <> pg_backend_pid()");
            try {
                Response page = browser.request().get("/users");
                assertEquals(503, page.statusCode(), page.asString());
                page.then().header("Retry-After", "15").body(containsString("still signed in"));
                assertNull(page.detailedCookie("fleethook-session"), "the session cookie is left alone");
                t.admin().get("/api/v1/users").then().statusCode(503).contentType("application/problem+json");
            } finally {
                s.execute("ALTER DATABASE \"" + database + "\" ALLOW_CONNECTIONS true");
            }
        }
        assertEquals(session, browser.cookies.get("fleethook-session"));
        browser.get("/users").then().statusCode(200).body(containsString(t.adminEmail()));
    }

    private Connection adminConnection() throws Exception {
        try (Connection c = dataSource.getConnection()) {
            String url = c.getMetaData().getURL().replaceAll("/[^/?]+(\\?|$)", "/template1$1");
            return java.sql.DriverManager.getConnection(url, dev.fleethook.support.Database.SUPERUSER, dev.fleethook.support.Database.SUPERUSER);
        }
    }
}
