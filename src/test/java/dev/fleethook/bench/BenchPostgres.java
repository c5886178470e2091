package dev.fleethook.bench;

import java.io.IOException;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The PostgreSQL every benchmark measures against: zonky's embedded binaries, but with
 * {@code fsync = on} and {@code synchronous_commit = on} (PostgreSQL's own defaults). zonky starts its
 * clusters with both off ({@code -F}), fine for tests but not for a figure that claims events "persisted durably":
 * a commit would return before its WAL reaches the disk.
 */
final class BenchPostgres {

    private BenchPostgres() {
    }

    /** A durable cluster with zonky's other defaults. */
    static EmbeddedPostgres.Builder durable() {
        // zonky passes -F (fsync off) on the command line; a later -c fsync=on overrides it.
        return EmbeddedPostgres.builder().setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on");
    }

    /** {@link #durable()}, plus pg_stat_statements (nested statements too: triggers and foreign-key checks). */
    static EmbeddedPostgres.Builder durableWithStatements() {
        return durable().setServerConfig("shared_preload_libraries", "pg_stat_statements")
                .setServerConfig("pg_stat_statements.track", "all")
                .setServerConfig("pg_stat_statements.track_planning", "on");
    }

    static EmbeddedPostgres start() throws IOException {
        return durable().start();
    }
}
