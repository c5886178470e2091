package dev.fleethook.alert.service;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import dev.fleethook.support.Plans;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * A batch that ends jobs reads their outcomes for the alerts in one statement. Its generic plan, made once per pooled
 * connection, must find the jobs by key even while the job table is small: a young portal's statistics once made a
 * scan of every job look cheaper than a join by key, and that scan then ran on every finished batch.
 */
@QuarkusTest
class OutcomesPlanTest {

    @Inject
    DataSource dataSource;

    @Test
    void theOutcomeReadFindsJobsByKeyWhileTheJobTableIsSmall() throws Exception {
        Plans.assertFindsJobsByKey(dataSource, JobOutcomeAlerts.OUTCOMES);
    }
}
