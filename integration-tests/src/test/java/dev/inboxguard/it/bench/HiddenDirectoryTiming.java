package dev.inboxguard.it.bench;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.imip.ImipMail;
import dev.inboxguard.imip.MailRelay;
import dev.inboxguard.imip.OutboundQueue;
import dev.inboxguard.server.Accounts;
import dev.inboxguard.server.CaldavServer;
import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.TestPostgres;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * A load run, not a test: with the directory hidden, how long alice's PUT of an invitation takes when its one other
 * attendee is a local user (bob) and when it is a remote address, one request at a time, the two kinds alternating
 * with a pause after each.
 * Remote mail goes through the real outbound queue to a GreenMail relay on loopback, as it would to the site's
 * relay. Prints the median and 90th percentile of each. Arguments: [invitations of each kind] [warm-up invitations of each kind].
 */
public final class HiddenDirectoryTiming {
    private HiddenDirectoryTiming() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int warmUp = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        GuardConfig.Rate wide = new GuardConfig.Rate(10_000_000, 10_000_000);
        GuardConfig d = ConfigFile.defaults().withRates(new GuardConfig.Rates(wide, wide, wide, wide));
        // built as RfcServer builds it, so that the run works on builds from before GuardConfig.withCaldav
        GuardConfig config = new GuardConfig(d.limits(), d.structure(), d.recurrence(), d.identity(), d.replies(),
                d.content(), d.senders(), d.rates(), d.imip(), d.checks(), d.policy(), d.users(), d.scheduling(),
                d.mail(), d.storage(), d.metrics(), d.server(), new GuardConfig.Caldav(null, null, null, "hidden"));
        GreenMail relay = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        relay.start();
        GuardConfig.Relay settings = new GuardConfig.Relay("127.0.0.1", relay.getSmtp().getPort(), "none", null, null,
                null, 5, List.of(60), 48, null);
        Clock clock = Clock.systemUTC();
        Accounts accounts = Accounts.demo(clock);
        try (Database store = TestPostgres.open(Files.createTempDirectory("hidden-timing"))) {
            OutboundQueue outbound = new OutboundQueue(new ImipMail(new CalendarReader(config.limits()),
                    "example.com"), new MailRelay(settings, "example.com"), settings, store.mail(),
                    store.scheduling(), accounts, clock).start();
            try (CaldavServer server = new CaldavServer(new InetSocketAddress("127.0.0.1", 0), accounts, config,
                    store, outbound, clock).start()) {
                String base = "http://127.0.0.1:" + server.port() + "/dav/calendars/alice/calendar/";
                HttpClient http = HttpClient.newHttpClient();
                String auth = "Basic " + Base64.getEncoder().encodeToString("alice:alice"
                        .getBytes(StandardCharsets.UTF_8));
                String[] to = {"bob@example.com", "dan@elsewhere.example"};
                long[][] took = new long[2][n];
                for (int i = 0; i < warmUp + n; i++) {
                    for (int k = 0; k < 2; k++) {
                        String uid = "timing-" + k + "-" + i;
                        String ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//load//EN\r\nBEGIN:VEVENT\r\nUID:"
                                + uid + "\r\nDTSTAMP:20261121T080000Z\r\nDTSTART:20261207T090000Z\r\n"
                                + "DURATION:PT1H\r\nSUMMARY:Timing\r\nORGANIZER:mailto:alice@example.com\r\n"
                                + "ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.com\r\n"
                                + "ATTENDEE;RSVP=TRUE:mailto:" + to[k] + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
                        long start = System.nanoTime();
                        int status = http.send(HttpRequest.newBuilder(URI.create(base + uid + ".ics"))
                                .PUT(HttpRequest.BodyPublishers.ofString(ics)).header("Authorization", auth)
                                .header("Content-Type", "text/calendar").build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode();
                        long nanos = System.nanoTime() - start;
                        if (status != 201) {
                            throw new IllegalStateException("PUT answered " + status);
                        }
                        if (i >= warmUp) {
                            took[k][i - warmUp] = nanos;
                        }
                        // what each PUT leaves to background work (the relay's sending, a queued delivery) ends
                        // before the next begins, so that it is not timed as part of the next
                        Thread.sleep(15);
                    }
                }
                for (int k = 0; k < 2; k++) {
                    long[] sorted = took[k].clone();
                    Arrays.sort(sorted);
                    System.out.printf("%s attendee (%s): median %.2f ms, p90 %.2f ms over %d PUTs%n",
                            k == 0 ? "local" : "remote", to[k], sorted[n / 2] / 1e6, sorted[n * 9 / 10] / 1e6, n);
                }
            } finally {
                outbound.close();
            }
        } finally {
            relay.stop();
        }
        System.exit(0);
    }
}
