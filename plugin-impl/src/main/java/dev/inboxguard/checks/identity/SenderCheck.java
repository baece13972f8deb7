package dev.inboxguard.checks.identity;

import dev.inboxguard.api.AuthenticationResult;
import dev.inboxguard.api.CaldavSubmission;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.Check;
import dev.inboxguard.api.Finding;
import dev.inboxguard.api.FindingCode;
import dev.inboxguard.api.ImipDelivery;
import dev.inboxguard.api.ItipMethod;
import dev.inboxguard.api.RecipientContext;
import dev.inboxguard.api.RequestStatus;
import dev.inboxguard.api.SchedulingMessage;
import dev.inboxguard.api.Severity;
import dev.inboxguard.identity.CalendarUserDirectory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.Property;

/**
 * Holds who a message says it is from against who the transport says sent it.
 *
 * <p>The author is the ORGANIZER for the organizer's methods and the replying ATTENDEE for REPLY, COUNTER and
 * REFRESH. Over CalDAV, the authenticated principal must own the author's address, or be a configured proxy for it
 * and say so in SENT-BY. Over iMIP, the envelope sender or the From address must be the author, or be the author's
 * SENT-BY; and the address that matched must be authenticated by its own mechanism: SPF for the envelope sender,
 * DMARC or aligned DKIM for the From address. A SENT-BY no proxy rule names is graded, not refused: low for an
 * assistant authenticated in the organizer's own domain, medium otherwise (over CalDAV, where the operator configures
 * every proxy, it is high). An unauthenticated REPLY that only sets one invited attendee's answer is low.
 */
public final class SenderCheck implements Check {

    private static final Set<String> RSVP_ANSWERS = Set.of("ACCEPTED", "DECLINED", "TENTATIVE", "NEEDS-ACTION");
    private final CalendarUserDirectory directory;
    private final Set<String> calendarServices;

    /**
     * @param directory        who is who, and who may act for whom
     * @param calendarServices DKIM signing domains of calendar services that send in their users' names
     */
    public SenderCheck(CalendarUserDirectory directory, Set<String> calendarServices) {
        this.directory = directory;
        this.calendarServices = Set.copyOf(calendarServices);
    }

    /**
     * @param c       a component of the message
     * @param method  its method
     * @param message the message, for the transport sender
     * @return the participants the component speaks for
     */
    static List<Participant> authors(Component c, ItipMethod method, SchedulingMessage message) {
        if (method.fromOrganizer()) {
            return Participant.organizer(c).map(List::of).orElse(List.of());
        }
        List<Participant> attendees = Participant.attendees(c);
        if (method == ItipMethod.COUNTER && attendees.size() > 1) {
            // a COUNTER may propose other attendees; its author is the one who sent it
            List<CalendarUserAddress> senders = transportSenders(message);
            List<Participant> sending = attendees.stream().filter(a -> senders.contains(a.address())).toList();
            return sending.isEmpty() ? attendees.subList(0, 1) : sending;
        }
        return attendees;
    }

    private static List<CalendarUserAddress> transportSenders(SchedulingMessage message) {
        Set<CalendarUserAddress> out = new LinkedHashSet<>();
        if (message.transport() instanceof ImipDelivery imip) {
            imip.envelopeSender().ifPresent(out::add);
            imip.from().ifPresent(out::add);
        } else if (message.transport() instanceof CaldavSubmission caldav) {
            out.addAll(caldav.principalAddresses());
        }
        return List.copyOf(out);
    }

    @Override
    public List<Finding> inspect(SchedulingMessage message, RecipientContext recipient) {
        Optional<ItipMethod> method = message.method();
        if (method.isEmpty()) {
            return List.of();
        }
        List<Finding> out = new ArrayList<>();
        // the recipient's copy, read once per UID and only when needed: a thousand overrides must not mean a
        // thousand reads
        Map<String, Optional<StoredEvent>> held = new HashMap<>();
        Function<Component, Optional<StoredEvent>> heldCopy = c -> held.computeIfAbsent(
                c.<Property>getProperty(Property.UID).map(Property::getValue).orElse(""),
                uid -> StoredEvent.of(c, recipient));
        Map<String, Set<CalendarUserAddress>> invited = new HashMap<>();
        for (Component c : message.schedulingComponents()) {
            for (Participant author : authors(c, method.get(), message)) {
                if (message.transport() instanceof CaldavSubmission caldav) {
                    caldav(caldav, author, method.get()).ifPresent(out::add);
                } else if (message.transport() instanceof ImipDelivery imip) {
                    boolean rsvp = rsvpOnly(c, method.get(), author, () -> invited.computeIfAbsent(
                            c.<Property>getProperty(Property.UID).map(Property::getValue).orElse(""),
                            uid -> heldCopy.apply(c).map(StoredEvent::attendees).orElse(List.of()).stream()
                                    .map(Participant::address).collect(Collectors.toSet())));
                    out.addAll(imip(imip, author, method.get(), rsvp, () -> heldCopy.apply(c)));
                }
            }
        }
        return out.stream().distinct().toList();
    }

    private Optional<Finding> caldav(CaldavSubmission caldav, Participant author, ItipMethod method) {
        Set<CalendarUserAddress> principal = caldav.principalAddresses();
        if (principal.isEmpty() || directory.isAmong(author.address(), principal)) {
            return Optional.empty(); // nothing known to compare with, or the principal is the author
        }
        boolean proxy = principal.stream().anyMatch(p -> directory.mayActFor(p, author.address()));
        if (!proxy) {
            return Optional.of(notTheAuthor(method, author, "the signed-in user " + caldav.principal()));
        }
        if (author.sentBy().isEmpty() || !directory.isAmong(author.sentBy().get(), principal)) {
            return Optional.of(Finding.of(FindingCode.SENDER_SENT_BY_UNAUTHORIZED, Severity.HIGH, caldav.principal()
                    + " may act for " + author.address() + ", but as a proxy must name itself in SENT-BY")
                    .about(role(method), author.sentBy().map(CalendarUserAddress::uri).orElse(null))
                    .withRequestStatus(RequestStatus.NO_AUTHORITY));
        }
        return Optional.empty();
    }

    private List<Finding> imip(ImipDelivery imip, Participant author, ItipMethod method, boolean rsvpOnly,
                               Supplier<Optional<StoredEvent>> held) {
        List<CalendarUserAddress> senders = new ArrayList<>();
        imip.envelopeSender().ifPresent(senders::add);
        imip.from().filter(f -> !senders.contains(f)).ifPresent(senders::add);
        String described = describe(imip);
        Optional<CalendarUserAddress> actor = senders.stream().filter(s -> directory.same(s, author.address()))
                .findFirst();
        boolean onBehalf = false; // sent by a SENT-BY that no proxy rule names
        if (actor.isEmpty() && author.sentBy().isPresent()) {
            CalendarUserAddress sentBy = author.sentBy().get();
            actor = senders.stream().filter(s -> directory.same(s, sentBy)).findFirst();
            onBehalf = actor.isPresent() && !directory.mayActFor(sentBy, author.address());
        }
        if (actor.isEmpty()) {
            return List.of(forwardedByColleague(senders, author, method, imip, held)
                    .orElseGet(() -> notTheAuthor(method, author, described)));
        }
        Authentication auth = authenticated(actor.get(), imip);
        if (auth == Authentication.TEMPORARY) {
            // a DNS lookup that timed out says nothing about the sender; judging on it would make the verdict
            // depend on the network's speed, so the sender is asked to come back (RFC 8601 temperror)
            return List.of(Finding.of(FindingCode.GUARD_OVERLOADED, Severity.HIGH, "the authentication of "
                    + actor.get() + " could not be checked just now (a temporary error); please try again later")
                    .about(role(method), actor.get().uri()).withRequestStatus(RequestStatus.SERVICE_UNAVAILABLE));
        }
        List<Finding> out = new ArrayList<>();
        if (onBehalf) {
            out.add(onBehalf(author, actor.get(), auth == Authentication.PASSED, method, held));
        }
        if (auth == Authentication.NONE) {
            String what = "nothing trusted authenticates " + actor.get() + " as the "
                    + (actor.get().equals(imip.from().orElse(null))
                    ? "From address (no aligned DKIM or DMARC pass)" : "envelope sender (no SPF pass)");
            Optional<String> service = vouchingService(imip);
            boolean contradicted = contradicted(actor.get(), imip);
            if (service.isPresent() && actor.get().equals(imip.from().orElse(null)) && !contradicted) {
                // the service signed it and sends only as its own authenticated users: weaker than the sender's
                // own domain, much stronger than nothing (Google Calendar's invitations and RSVPs look like this)
                out.add(Finding.of(FindingCode.SENDER_UNAUTHENTICATED, Severity.LOW, "no aligned DKIM or DMARC "
                        + "pass for " + actor.get() + ", but the calendar service " + service.get() + " signed the "
                        + "message it sent in their name").about(role(method), actor.get().uri()));
                return out;
            }
            // a forged RSVP can only set one invited attendee's answer, while a held one breaks scheduling (the
            // shape of calendar services that answer through their own servers, e.g. Google's RSVP buttons)
            out.add(rsvpOnly && !contradicted
                    ? Finding.of(FindingCode.SENDER_UNAUTHENTICATED, Severity.LOW, what + "; it only answers for "
                    + author.address() + ", who was invited (" + author.partstat() + ")")
                    .about(role(method), actor.get().uri())
                    : Finding.of(FindingCode.SENDER_UNAUTHENTICATED, Severity.MEDIUM, what
                    + ", so the sender may be forged").about(role(method), actor.get().uri()));
        }
        return out;
    }

    /**
     * An invitation forwarded by someone authenticated in the organizer's own domain: what Outlook and Exchange do
     * when an attendee forwards a meeting to a colleague (the ORGANIZER stays, the forwarder sends it). Low: a
     * colleague of the organizer vouches for it with their own, authenticated address. Only for an event the
     * recipient does not hold yet: an update or a CANCEL of a held event comes from its organizer, or it waits.
     */
    private Optional<Finding> forwardedByColleague(List<CalendarUserAddress> senders, Participant author,
                                                   ItipMethod method, ImipDelivery imip,
                                                   Supplier<Optional<StoredEvent>> held) {
        if (!(method == ItipMethod.REQUEST || method == ItipMethod.ADD || method == ItipMethod.PUBLISH)) {
            return Optional.empty();
        }
        for (CalendarUserAddress s : senders) {
            boolean colleague = directory.sameOrganization(s, author.address());
            if (colleague && authenticated(s, imip) == Authentication.PASSED && held.get().isEmpty()) {
                return Optional.of(Finding.of(FindingCode.SENDER_NOT_ORGANIZER, Severity.LOW, "forwarded by " + s
                        + ", authenticated in the organizer's own domain; " + author.address() + " organizes it")
                        .about(role(method), author.address().uri()));
            }
        }
        return Optional.empty();
    }

    /**
     * SENT-BY that no proxy rule names. Over iMIP nobody can configure every remote assistant, so this is graded
     * rather than refused: an assistant authenticated in the organizer's own domain is the everyday case (low);
     * another domain, a public mailbox provider's, or no authentication is worth a person's look (medium). For an
     * event the recipient already holds, the assistant is trusted only if the held copy names the same SENT-BY: a
     * colleague cannot move or cancel someone else's meeting by naming themselves.
     */
    private Finding onBehalf(Participant author, CalendarUserAddress sentBy, boolean authenticated,
                             ItipMethod method, Supplier<Optional<StoredEvent>> held) {
        boolean sameDomain = directory.sameOrganization(sentBy, author.address());
        boolean consistent = held.get().map(stored -> Participant.organizer(stored.master())
                .flatMap(Participant::sentBy).filter(s -> directory.same(s, sentBy)).isPresent()).orElse(true);
        if (authenticated && sameDomain && !consistent) {
            return Finding.of(FindingCode.SENDER_SENT_BY_UNAUTHORIZED, Severity.MEDIUM, "sent by " + sentBy
                    + " on behalf of " + author.address() + ", about an event they did not send before, and no "
                    + "proxy rule allows it").about(role(method), sentBy.uri());
        }
        if (authenticated && sameDomain) {
            return Finding.of(FindingCode.SENDER_SENT_BY_UNAUTHORIZED, Severity.LOW, "sent by " + sentBy
                    + " on behalf of " + author.address() + " (authenticated in the same domain; no proxy rule names"
                    + " them)").about(role(method), sentBy.uri());
        }
        return Finding.of(FindingCode.SENDER_SENT_BY_UNAUTHORIZED, Severity.MEDIUM, "sent by " + sentBy
                + " on behalf of " + author.address() + ", but " + (sameDomain ? "the sender is not authenticated"
                : "not from the organizer's own organization") + " and no proxy rule allows it")
                .about(role(method), sentBy.uri());
    }

    /**
     * A REPLY that can change nothing but one invited attendee's own answer: one ATTENDEE, who is in the
     * recipient's stored copy, answering ACCEPTED, DECLINED, TENTATIVE or NEEDS-ACTION without delegating.
     */
    private boolean rsvpOnly(Component c, ItipMethod method, Participant author,
                             Supplier<Set<CalendarUserAddress>> invited) {
        if (method != ItipMethod.REPLY || c.getProperties(Property.ATTENDEE).size() != 1
                || !author.delegatedTo().isEmpty() || !RSVP_ANSWERS.contains(author.partstat())) {
            return false;
        }
        return directory.isAmong(author.address(), invited.get());
    }

    /**
     * Each identity is authenticated by its own mechanism (RFC 7208, RFC 6376, RFC 7489): the envelope sender by
     * an SPF pass for its domain, the From address by a DMARC pass for its domain or a DKIM pass whose signing
     * domain aligns with it. An explicit failure for the identity counts against it; a temporary error with no pass
     * is neither a pass nor a failure. A domain the operator or the
     * MTA asserts as authenticated ({@link ImipDelivery#authenticatedDomains()}) counts for both.
     */
    private static Authentication authenticated(CalendarUserAddress actor, ImipDelivery imip) {
        Optional<String> domain = actor.domain();
        if (domain.isEmpty()) {
            return Authentication.NONE;
        }
        boolean asFrom = imip.from().map(actor::equals).orElse(false);
        boolean asEnvelope = imip.envelopeSender().map(actor::equals).orElse(false);
        boolean pass = false;
        boolean temporary = false;
        for (AuthenticationResult r : imip.authenticationResults()) {
            boolean spfForEnvelope = asEnvelope && r.method().equals("spf") && r.domain().equals(domain.get());
            boolean dmarcForFrom = asFrom && r.method().equals("dmarc") && r.domain().equals(domain.get());
            boolean dkimForFrom = asFrom && r.method().equals("dkim") && aligned(r.domain(), domain.get());
            if (spfForEnvelope || dmarcForFrom || dkimForFrom) {
                if (r.result().equals("fail")) {
                    return Authentication.NONE;
                }
                pass |= r.passed();
                temporary |= r.result().equals("temperror");
            }
        }
        if (pass || imip.authenticatedDomains().stream().anyMatch(d -> aligned(d, domain.get()))) {
            return Authentication.PASSED;
        }
        return temporary ? Authentication.TEMPORARY : Authentication.NONE;
    }

    /** What the trusted results say about one identity. */
    private enum Authentication {
        PASSED, NONE,
        /** no pass, and a lookup failed for now (RFC 8601 temperror): neither a pass nor a failure */
        TEMPORARY
    }

    /**
     * True if the identity's own domain spoke against it: a DKIM signature of its domain that fails (the message
     * was changed after signing) or an SPF fail for it as the envelope sender. Unlike a mere absence of alignment
     * (what calendar services cause), that is evidence of tampering or forgery.
     */
    private static boolean contradicted(CalendarUserAddress actor, ImipDelivery imip) {
        Optional<String> domain = actor.domain().map(d -> d.toLowerCase(java.util.Locale.ROOT));
        if (domain.isEmpty()) {
            return false;
        }
        boolean asEnvelope = imip.envelopeSender().map(actor::equals).orElse(false);
        for (AuthenticationResult r : imip.authenticationResults()) {
            boolean failed = r.result().equals("fail");
            String d = r.domain().toLowerCase(java.util.Locale.ROOT);
            if (failed && ((r.method().equals("dkim") && aligned(d, domain.get()))
                    || (asEnvelope && r.method().equals("spf") && d.equals(domain.get())))) {
                return true;
            }
        }
        return false;
    }

    /** A DKIM pass by a configured calendar service's signing domain. */
    private Optional<String> vouchingService(ImipDelivery imip) {
        for (AuthenticationResult r : imip.authenticationResults()) {
            if (r.method().equals("dkim") && r.passed()) {
                String d = r.domain().toLowerCase(java.util.Locale.ROOT);
                for (String service : calendarServices) {
                    if (d.equals(service) || d.endsWith("." + service)) {
                        return Optional.of(service);
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** Relaxed alignment: the same domain, or one a subdomain of the other (an approximation of DMARC's). */
    private static boolean aligned(String a, String b) {
        return !a.isEmpty() && (a.equals(b) || a.endsWith("." + b) || b.endsWith("." + a));
    }

    private static Finding notTheAuthor(ItipMethod method, Participant author, String sender) {
        boolean organizer = method.fromOrganizer();
        FindingCode code = organizer ? FindingCode.SENDER_NOT_ORGANIZER : FindingCode.SENDER_NOT_ATTENDEE;
        String who = organizer ? "the organizer" : "the attendee";
        return Finding.of(code, Severity.HIGH, "a " + method + " in the name of " + who + " " + author.address()
                + ", sent by " + sender + (organizer ? ": forwarded or forged" : ": forged or sent for someone else"))
                .about(role(method), author.address().uri()).withRequestStatus(RequestStatus.NO_AUTHORITY);
    }

    private static String describe(ImipDelivery imip) {
        String envelope = imip.envelopeSender().map(CalendarUserAddress::uri).orElse("(none)");
        String from = imip.from().map(CalendarUserAddress::uri).orElse("(none)");
        return envelope.equals(from) ? from : "envelope " + envelope + ", From " + from;
    }

    private static String role(ItipMethod method) {
        return method.fromOrganizer() ? Property.ORGANIZER : Property.ATTENDEE;
    }
}
