package dev.fleethook.job.service;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import dev.fleethook.support.Plans;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * Every batch writes its attempts and raises its jobs' attempt counts in one statement. Its generic plan, made
 * once per pooled connection, must find the jobs by key even while the job table is small: a young portal's
 * statistics once made a scan of every job look cheaper, and that scan then ran on every batch as the table grew.
 */
@QuarkusTest
class EventIngestionPlanTest {

    @Inject
    DataSource dataSource;

    @Test
    void theAttemptStatementFindsJobsByKeyWhileTheJobTableIsSmall() throws Exception {
        Plans.assertFindsJobsByKey(dataSource, EventIngestion.WRITE_ATTEMPTS);
    }
}
