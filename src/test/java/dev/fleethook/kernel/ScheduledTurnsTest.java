package dev.fleethook.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What an operator reads in the log when a scheduled task meets a database outage or a real failure. */
class ScheduledTurnsTest {

    static final String CATEGORY = "dev.fleethook.kernel.ScheduledTurnsTest.task";

    final List<LogRecord> records = new CopyOnWriteArrayList<>();
    final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            records.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    final Logger log = Logger.getLogger(CATEGORY);

    @BeforeEach
    void capture() {
        java.util.logging.Logger.getLogger(CATEGORY).addHandler(capture);
        java.util.logging.Logger.getLogger(CATEGORY).setLevel(Level.ALL);
    }

    @AfterEach
    void release() {
        java.util.logging.Logger.getLogger(CATEGORY).removeHandler(capture);
    }

    @Test
    void anOutageIsOneWarningLineWithoutStackTraceAndTheRecoveryOneInfoLine() {
        RuntimeException down = new RuntimeException("could not open connection",
                new SQLException("Connection refused", "08001"));
        for (int turn = 0; turn < 5; turn++) {
            ScheduledTurns.run(log, "Outage check", () -> {
                throw down;
            });
        }
        List<LogRecord> warnings = atLeast(Level.WARNING);
        assertEquals(1, warnings.size(), "one line per outage, not one per turn");
        assertTrue(text(warnings.get(0)).contains("Outage check skipped: the database cannot be reached"),
                text(warnings.get(0)));
        assertNull(warnings.get(0).getThrown(), "no stack trace for an outage");

        ScheduledTurns.run(log, "Outage check", () -> {
        });
        ScheduledTurns.run(log, "Outage check", () -> {
        });
        List<LogRecord> infos = records.stream().filter(r -> r.getLevel().intValue() == Level.INFO.intValue()).toList();
        assertEquals(1, infos.size());
        assertTrue(text(infos.get(0)).contains("Outage check: the database is back"), text(infos.get(0)));
    }

    @Test
    void aRealFailureIsAWarningWithItsStackTraceEveryTurn() {
        for (int turn = 0; turn < 2; turn++) {
            ScheduledTurns.run(log, "Broken check", () -> {
                throw new IllegalStateException("a bug");
            });
        }
        List<LogRecord> warnings = atLeast(Level.WARNING);
        assertEquals(2, warnings.size());
        assertNotNull(warnings.get(0).getThrown());
        assertEquals("a bug", warnings.get(0).getThrown().getMessage());
        assertTrue(text(warnings.get(0)).contains("Broken check failed"), text(warnings.get(0)));
    }

    /** The line as written: JBoss LogManager keeps the printf pattern and formats it late. */
    static String text(LogRecord r) {
        try {
            return (String) r.getClass().getMethod("getFormattedMessage").invoke(r);
        } catch (ReflectiveOperationException plainJul) {
            return r.getMessage();
        }
    }

    private List<LogRecord> atLeast(Level level) {
        return records.stream().filter(r -> r.getLevel().intValue() >= level.intValue()).toList();
    }
}
