-- Whether the server's agent said, on its latest poll, that it runs test runs (header Fleethook-Agent-Features).
-- An older agent cannot read a test-run command and would fail every poll until it were acknowledged: the
-- portal creates test runs only for agents that said so.
ALTER TABLE server ADD COLUMN accepts_test_runs boolean NOT NULL DEFAULT false;
