package dev.fleethook.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A real SMTP server (GreenMail) on a free loopback port, for the test classes that declare it with
 * {@code @WithTestResource(SmtpServer.class)}: they share one application start (Quarkus groups classes
 * with the same resources); the others run without a mail server. Tests can stop and start it to play
 * an SMTP outage.
 */
public class SmtpServer implements QuarkusTestResourceLifecycleManager {

    private static volatile GreenMail greenMail;
    private static volatile int port;

    @Override
    public Map<String, String> start() {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        up();
        return Map.of("fleethook.test.smtp-port", Integer.toString(port));
    }

    @Override
    public void stop() {
        down();
    }

    public static synchronized GreenMail mail() {
        return greenMail;
    }

    public static synchronized void up() {
        if (greenMail == null) {
            greenMail = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
            greenMail.start();
        }
    }

    public static synchronized void down() {
        if (greenMail != null) {
            greenMail.stop();
            greenMail = null;
        }
    }

    /** Messages received for {@code recipient} so far. */
    public static synchronized long countFor(String recipient) {
        if (greenMail == null) {
            return 0;
        }
        return java.util.Arrays.stream(greenMail.getReceivedMessages()).filter(m -> {
            try {
                return java.util.Arrays.stream(m.getAllRecipients()).anyMatch(a -> a.toString().equals(recipient));
            } catch (jakarta.mail.MessagingException e) {
                return false;
            }
        }).count();
    }
}
