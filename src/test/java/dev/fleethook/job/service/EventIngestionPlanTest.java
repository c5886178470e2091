package dev.fleethook.job.service;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Pattern;

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

    static final Pattern JOB_SCAN = Pattern.compile("Seq Scan on job(\\s|$)", Pattern.MULTILINE);

    @Inject
    DataSource dataSource;

    @Test
    void theAttemptStatementFindsJobsByKeyWhileTheJobTableIsSmall() throws Exception {
        // 1,500 jobs: the size at which FleetBenchmark's young tables had plans that scanned every job.
        String plan = Plans.onYoungTables(dataSource, 1500, EventIngestion.WRITE_ATTEMPTS);
        assertFalse(JOB_SCAN.matcher(plan).find(), plan);
        assertTrue(Plans.scansIndex(plan, "job_pkey"), plan);
    }
}
