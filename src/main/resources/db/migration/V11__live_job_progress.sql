-- The live job page: the step an attempt runs now (pre, backup, post, or hook:<phase>[:<source path>]),
-- since when, and its output so far (the last 16 KiB, the newest report by time wins). Written by the
-- agent's step-started and step-output events; the finished step's own result stays in pre/backup/post.
ALTER TABLE job_attempt
    ADD COLUMN live_step      text,
    ADD COLUMN live_step_at   timestamptz,
    ADD COLUMN live_output    text,
    ADD COLUMN live_output_at timestamptz;
