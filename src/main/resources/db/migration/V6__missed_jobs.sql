-- A scheduled start the agent never reported by the end of its window is recorded by the portal as a
-- Skipped job with missed = true (id shared with the agent, see protocol.ScheduledJobs). A late report
-- from the agent for the same start takes the job over and clears the flag.
ALTER TABLE job ADD COLUMN missed boolean NOT NULL DEFAULT false;
