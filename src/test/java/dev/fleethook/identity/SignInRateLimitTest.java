package dev.fleethook.identity;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * One client cannot spend the portal's BCrypt budget (issue 13): 32 parallel sign-ins with random
 * emails from one address get the configured burst of checks and 429 with Retry-After for the rest.
 * Its own profile, with the production-like limit the other tests lift.
 */
@QuarkusTest
@TestProfile(SignInRateLimitTest.Limited.class)
class SignInRateLimitTest {

    /** The default per-client limit (10 at once, 30 a minute). */
    public static class Limited implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("fleethook.identity.sign-in.client-burst", "10",
                    "fleethook.identity.sign-in.client-per-minute", "30");
        }
    }

    @Test
    void thirtyTwoParallelSignInsWithRandomEmailsAreMostlyRefusedWithoutHashing() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            List<Future<io.restassured.response.Response>> answers = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                String email = "random-" + i + "-" + System.nanoTime() + "@nowhere.test";
                answers.add(pool.submit(() -> given().auth().preemptive().basic(email, "some-password-123")
                        .contentType(ContentType.JSON).body(Map.of("name", "x")).post("/api/v1/me/tokens")));
            }
            int checked = 0;
            int limited = 0;
            for (Future<io.restassured.response.Response> f : answers) {
                var r = f.get();
                if (r.statusCode() == 401) {
                    checked++;
                } else if (r.statusCode() == 429) {
                    limited++;
                    assertTrue(Integer.parseInt(r.header("Retry-After")) >= 1, "Retry-After");
                    assertEquals("application/problem+json", r.contentType());
                }
            }
            assertTrue(checked <= 11, "at most the burst (and a refill) was checked: " + checked);
            assertEquals(32, checked + limited);
        } finally {
            pool.shutdownNow();
        }
    }
}
