package dev.inboxguard.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.ItipMethod;
import dev.inboxguard.api.ReplyRoute;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.ical.BoundedInput;
import dev.inboxguard.ical.CalendarRead;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.identity.CalendarUserDirectory;
import dev.inboxguard.routing.SentByReplyRouter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.Parameter;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.component.CalendarComponent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code inboxguard route}: where an outgoing REPLY goes under the sent-by policy. */
@Command(name = "route", mixinStandardHelpOptions = true,
        description = {"Prints where an iTIP REPLY is delivered under the reply-routing (sent-by) policy, as JSON.",
                "Exit status: 0 when a route was printed; 2 for a usage error or a file that is not a REPLY."})
final class RouteCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "the REPLY (.ics); - reads standard input")
    String file;

    @Option(names = "--config", paramLabel = "FILE", description = "the configuration (YAML)")
    Path config;

    @Override
    public Integer call() throws IOException {
        GuardConfig cfg = ConfigSource.read(config);
        byte[] bytes = read(cfg.limits().maxBytes());
        CalendarRead read = new CalendarReader(cfg.limits()).read(bytes);
        if (read instanceof CalendarRead.Refused refused) {
            throw new UsageException(file + ": " + refused.findings().get(0).message());
        }
        Calendar reply = ((CalendarRead.Parsed) read).calendar();
        Optional<ItipMethod> method = reply.getProperty(Property.METHOD).flatMap(p -> ItipMethod.parse(p.getValue()));
        if (method.isEmpty() || method.get() != ItipMethod.REPLY) {
            throw new UsageException(file + ": route takes an iTIP REPLY, this is "
                    + method.map(Enum::name).orElse("not an iTIP message"));
        }
        Property organizer = reply.<CalendarComponent>getComponents().stream()
                .flatMap(c -> c.<Property>getProperty(Property.ORGANIZER).stream()).findFirst()
                .orElseThrow(() -> new UsageException(file + ": the REPLY names no ORGANIZER"));
        CalendarUserAddress to = CalendarUserAddress.parse(organizer.getValue())
                .orElseThrow(() -> new UsageException(file + ": the ORGANIZER is not a calendar user address"));
        Optional<CalendarUserAddress> sentBy = organizer.getParameter(Parameter.SENT_BY).map(Parameter::getValue)
                .flatMap(CalendarUserAddress::parse);
        ReplyRoute route = new SentByReplyRouter(cfg.replies(), new CalendarUserDirectory(cfg.identity().users(),
                cfg.identity().proxies())).route(to, sentBy);
        ObjectNode out = JSON.createObjectNode();
        route.deliverTo().forEach(a -> out.withArray("deliverTo").add(a.uri()));
        out.put("reason", route.reason());
        spec.commandLine().getOut().println(JSON.writeValueAsString(out));
        spec.commandLine().getOut().flush();
        return 0;
    }

    private byte[] read(int limit) {
        try (InputStream in = file.equals("-") ? System.in : Files.newInputStream(Path.of(file))) {
            return BoundedInput.read(in, limit).orElseThrow(() -> new UsageException(file + ": larger than "
                    + limit + " bytes"));
        } catch (NoSuchFileException e) {
            throw new UsageException("cannot read " + file + ": no such file");
        } catch (IOException e) {
            throw new UsageException("cannot read " + file + ": " + e.getMessage());
        }
    }
}
