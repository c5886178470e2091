package dev.fleethook.alert.service;

import java.util.ArrayList;
import java.util.List;

import dev.fleethook.job.service.JobViews.AttemptView;
import dev.fleethook.job.service.JobViews.HookView;
import dev.fleethook.job.service.JobViews.JobDetail;
import dev.fleethook.job.service.JobViews.StepView;

/**
 * What an alert email says: the data of the Emails/alert templates. {@code problems} lists every failure
 * when a job had several (empty otherwise); {@code recovery} marks a "resolved" email.
 */
public record AlertMail(String subject, String title, String tenantName, String hostname, String policyName,
        Integer policyRevision, JobDetail job, String detail, String link, String settingsUrl, List<String> problems,
        boolean recovery) {

    /** The same mail, announcing a recovery. */
    public AlertMail asRecovery() {
        return new AlertMail(subject, title, tenantName, hostname, policyName, policyRevision, job, detail, link,
                settingsUrl, problems, true);
    }

    /** A step's output, for the email body. */
    public record Output(String name, String output) {
    }

    /** The output tails of an attempt worth reading (the last 4,000 characters of each). */
    public List<Output> outputs(AttemptView a) {
        List<Output> out = new ArrayList<>();
        add(out, "Pre-script", a.pre());
        add(out, "Backup", a.backup());
        add(out, "Post-script", a.post());
        for (HookView h : a.hooks()) {
            add(out, h.label(), h.result());
        }
        return out;
    }

    private static void add(List<Output> out, String name, StepView step) {
        if (step.outputTail() != null && !step.outputTail().isBlank()) {
            String tail = step.outputTail();
            out.add(new Output(name, tail.length() > 4000 ? "…" + tail.substring(tail.length() - 4000) : tail));
        }
    }
}
