package dev.inboxguard.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.inboxguard.api.Action;
import dev.inboxguard.api.Approver;
import dev.inboxguard.api.Finding;
import dev.inboxguard.api.FindingCode;
import dev.inboxguard.api.ItipMethod;
import dev.inboxguard.api.RequestStatus;
import dev.inboxguard.api.Severity;
import dev.inboxguard.api.Verdict;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The verdict's JSON text is part of the contract (CONTRACT.md): pinned here to the byte. */
class VerdictJsonTest {

    static Verdict everyPart() {
        Finding crash = new Finding(FindingCode.PARTY_CRASH, Severity.HIGH, "line one\nline two \"quoted\"",
                Optional.of("ATTENDEE"), Optional.of("mailto:eve@example.com"), Optional.empty());
        Finding unknown = Finding.of(new FindingCode("sender.unknown"), Severity.INFO, "tab\there, Ünïcödé");
        return new Verdict(Action.HOLD, Optional.of(Approver.ORGANIZER), RequestStatus.SUCCESS,
                Optional.of(ItipMethod.REPLY), Optional.of("a\\b-Ü@example.com"), List.of(crash, unknown),
                Optional.of(new Verdict.Outcome(Action.REJECT, Optional.empty(), RequestStatus.NO_AUTHORITY)));
    }

    @Test
    void everyPartOfAVerdictInItsPlace() {
        assertEquals("""
                {
                  "action" : "hold",
                  "approver" : "organizer",
                  "requestStatus" : "2.0;Success",
                  "method" : "REPLY",
                  "uid" : "a\\\\b-Ü@example.com",
                  "findings" : [ {
                    "code" : "party-crash",
                    "severity" : "high",
                    "message" : "line one\\nline two \\"quoted\\"",
                    "property" : "ATTENDEE",
                    "value" : "mailto:eve@example.com"
                  }, {
                    "code" : "sender.unknown",
                    "severity" : "info",
                    "message" : "tab\\there, Ünïcödé"
                  } ],
                  "monitor" : {
                    "action" : "reject",
                    "requestStatus" : "3.8;No authority"
                  }
                }""", VerdictJson.toJson(everyPart()));
        assertEquals("[{\"code\":\"party-crash\",\"severity\":\"high\",\"message\":\"line one\\nline two "
                + "\\\"quoted\\\"\",\"property\":\"ATTENDEE\",\"value\":\"mailto:eve@example.com\"},{\"code\":"
                + "\"sender.unknown\",\"severity\":\"info\",\"message\":\"tab\\there, Ünïcödé\"}]",
                VerdictJson.findingsJson(everyPart()));
    }

    @Test
    void aPlainDeliveryHasNoApproverNoMonitorAndAnEmptyList() {
        Verdict v = new Verdict(Action.DELIVER, Optional.empty(), RequestStatus.SUCCESS, Optional.empty(),
                Optional.empty(), List.of(), Optional.empty());
        assertEquals("""
                {
                  "action" : "deliver",
                  "requestStatus" : "2.0;Success",
                  "findings" : [ ]
                }""", VerdictJson.toJson(v));
    }
}
