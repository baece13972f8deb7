package dev.inboxguard.storage;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A calendar object's iCalendar text as the store keeps it: deflated against a preset dictionary of iCalendar's own
 * words, or as given where that would not be shorter.
 *
 * <p>Why: for events of about 200 bytes the embedded file was over three times what it held, and two thirds of an
 * object's row is its text. Most of that text is the same words in every object (BEGIN:VCALENDAR, VERSION:2.0,
 * DTSTAMP, END:VEVENT...), which deflate alone cannot share within one short value; a preset dictionary lets the
 * first occurrence already refer back. An event of 198 bytes takes 94 (158 without the dictionary), and a client's
 * event of 1,146 bytes with its VTIMEZONE, attendees and alarm takes 341 (616), in about 13 µs; both with the zlib
 * format's 10 bytes of header and checksum. This is done once per write, unlike H2's page compression
 * ({@code storage.compress}, on by default), which compresses every page a commit touches, indexes included. With
 * the texts packed here first, that costs up to 14 % more CPU a scheduling PUT (a third before).
 *
 * <p>The dictionary ends, for each row, with the row's own UID line: the UID is random, kept in its own column
 * anyway, and against the shared words alone it took about a third of the packed event (60 bytes with it).
 *
 * <p>A row says how its text is kept ({@code packing}) and how long the text is ({@code text_length}), so that
 * listings answer {@code getcontentlength} without unpacking, and rows written before packing existed (packing 0)
 * read as they are.
 */
final class PackedText {
    /** The text as given. */
    static final int AS_GIVEN = 0;
    /**
     * Deflate in the zlib format (RFC 1950) against {@link #DICTIONARY}: the stream names its dictionary and ends with
     * an Adler-32 of the text, so a damaged row fails rather than reading as other text. Rows keep this number: the
     * dictionary never changes.
     */
    static final int DEFLATED_1 = 1;
    /**
     * As {@link #DEFLATED_1}, against {@link #DICTIONARY} followed by the row's own UID line ({@code UID:}, the row's
     * {@code uid}, CRLF). The UID is kept in its column anyway, and in the text it is random: against the shared
     * dictionary alone it takes about 34 of an event's 94 packed bytes. Only for a UID of printable ASCII and at most
     * {@value #PLAIN_UID} characters, which every database gives back as written; any other is packed with
     * {@link #DEFLATED_1}. The row's UID is written with its text in every statement, and what changes a row's UID must
     * pack its text again. A row read with another UID fails by the stream's dictionary check, an Adler-32: damage
     * is caught, though a deliberate change could pass it.
     */
    static final int DEFLATED_WITH_UID = 2;
    /** The longest UID packed with {@link #DEFLATED_WITH_UID}: the {@code uid} column's width. */
    static final int PLAIN_UID = 1024;

    /**
     * iCalendar's common lines and parameters (RFC 5545 and what the major clients add), the most common last, where
     * deflate reaches them most cheaply. Never edited: rows packed with it are read with it (a test pins its digest);
     * a better dictionary is a new packing number.
     */
    static final byte[] DICTIONARY = String.join("",
            "X-MICROSOFT-CDO-BUSYSTATUS:BUSY\r\nX-MICROSOFT-CDO-IMPORTANCE:1\r\nX-APPLE-TRAVEL-ADVISORY-BEHAVIOR:",
            "X-MOZ-GENERATION:\r\nX-LIC-LOCATION:\r\nCATEGORIES:\r\nPRIORITY:5\r\nCLASS:PUBLIC\r\nURL:https://",
            "BEGIN:VJOURNAL\r\nEND:VJOURNAL\r\nBEGIN:VTODO\r\nDUE;VALUE=DATE:\r\nPERCENT-COMPLETE:\r\nCOMPLETED:",
            "STATUS:NEEDS-ACTION\r\nEND:VTODO\r\nBEGIN:VAVAILABILITY\r\nBEGIN:VFREEBUSY\r\nFREEBUSY;FBTYPE=BUSY:",
            "BEGIN:VTIMEZONE\r\nTZID:Europe/\r\nTZID:America/\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\n",
            "TZOFFSETTO:+0200\r\nTZNAME:CEST\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\n",
            "END:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nTZNAME:EST\r\n",
            "DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n",
            "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TU,WE,TH,FR;UNTIL=\r\nRRULE:FREQ=DAILY;COUNT=\r\nEXDATE;TZID=",
            "RECURRENCE-ID;TZID=\r\nRECURRENCE-ID:\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\n",
            "TRIGGER;RELATED=START:-PT15M\r\nTRIGGER:-PT10M\r\nEND:VALARM\r\nATTENDEE;CUTYPE=INDIVIDUAL;",
            "ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;PARTSTAT=TENTATIVE;PARTSTAT=DECLINED;",
            "PARTSTAT=NEEDS-ACTION;RSVP=TRUE;SCHEDULE-STATUS=2.0;EMAIL=;CN=\"\":mailto:\r\n",
            "ORGANIZER;SCHEDULE-AGENT=SERVER;CN=:mailto:\r\nSEQUENCE:0\r\nSEQUENCE:1\r\nSTATUS:CONFIRMED\r\n",
            "STATUS:TENTATIVE\r\nTRANSP:TRANSPARENT\r\nTRANSP:OPAQUE\r\nLOCATION:\r\nDESCRIPTION:\r\n",
            "CREATED:20260101T000000Z\r\nLAST-MODIFIED:20260101T000000Z\r\nCALSCALE:GREGORIAN\r\nMETHOD:REQUEST\r\n",
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:\r\n",
            "DTEND;VALUE=DATE:\r\nDTSTART;TZID=\r\nDTEND;TZID=\r\nDTSTART:\r\nDTEND:\r\nDURATION:PT1H\r\n",
            "DTSTAMP:\r\nUID:\r\nSUMMARY:\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").getBytes(StandardCharsets.US_ASCII);

    /** @return whether the UID is printable ASCII and fits its column: no database changes such a value */
    private static boolean plain(String uid) {
        if (uid.length() > PLAIN_UID) {
            return false;
        }
        for (int i = 0; i < uid.length(); i++) {
            char ch = uid.charAt(i);
            if (ch < 0x20 || ch > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /** @return {@link #DICTIONARY} followed by the UID line of a row whose UID is {@code uid} */
    private static byte[] dictionary(String uid) {
        byte[] line = ("UID:" + uid + "\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] d = java.util.Arrays.copyOf(DICTIONARY, DICTIONARY.length + line.length);
        System.arraycopy(line, 0, d, DICTIONARY.length, line.length);
        return d;
    }

    // a deflater holds about 260 KB of native memory, an inflater about 40 KB: some are kept for reuse, not one per
    // request thread (there are hundreds), and enough that concurrent writers seldom make new ones, which costs more
    // than packing a small text
    private static final int KEPT = Math.max(16, 4 * Runtime.getRuntime().availableProcessors());
    private static final ArrayBlockingQueue<Deflater> DEFLATERS = new ArrayBlockingQueue<>(KEPT);
    private static final ArrayBlockingQueue<Inflater> INFLATERS = new ArrayBlockingQueue<>(KEPT);

    /**
     * How one text is kept.
     *
     * @param packing {@link #AS_GIVEN}, {@link #DEFLATED_WITH_UID}, or {@link #DEFLATED_1} for a UID that is not plain
     * @param bytes   what the row holds
     */
    record Packed(int packing, byte[] bytes) {
    }

    private PackedText() {
    }

    /**
     * @param text the object's text
     * @param uid  the UID its row keeps, which it is read back with
     * @return the text packed, or as given where packing would not make it shorter
     */
    static Packed pack(byte[] text, String uid) {
        Deflater d = DEFLATERS.poll();
        if (d == null) {
            d = new Deflater(Deflater.DEFAULT_COMPRESSION);
        }
        boolean withUid = plain(uid);
        try {
            d.setDictionary(withUid ? dictionary(uid) : DICTIONARY);
            d.setInput(text);
            d.finish();
            // packed text longer than the text is kept as given: the buffer needs no room beyond it
            byte[] out = new byte[text.length];
            int n = 0;
            while (!d.finished() && n < out.length) {
                n += d.deflate(out, n, out.length - n);
            }
            if (!d.finished()) {
                return new Packed(AS_GIVEN, text);
            }
            return new Packed(withUid ? DEFLATED_WITH_UID : DEFLATED_1, java.util.Arrays.copyOf(out, n));
        } finally {
            d.reset();
            if (!DEFLATERS.offer(d)) {
                d.end();
            }
        }
    }

    /**
     * @param packing how the row keeps its text
     * @param bytes   what the row holds
     * @param length  the text's length, from the row
     * @param uid     the row's UID
     * @return the text
     * @throws StoreFailure if the row does not unpack to a text of its length: a damaged row, never a client's doing
     */
    static byte[] unpack(int packing, byte[] bytes, int length, String uid) {
        if (packing == AS_GIVEN) {
            if (bytes.length != length) {
                // a row written by a build before packing into a packed row's place, or damaged
                throw new StoreFailure("a stored object's text is not of its recorded length", null);
            }
            return bytes;
        }
        if (packing != DEFLATED_1 && packing != DEFLATED_WITH_UID) {
            throw new StoreFailure("a stored object's text is kept in a way this build does not know (packing "
                    + packing + ")", null);
        }
        // deflate shrinks at most about 1,032 to 1: a recorded length beyond that is damage, not a text to make room for
        if (length < 0 || length > 1_032L * bytes.length + 64) {
            throw new StoreFailure("a stored object's text does not unpack to its recorded length", null);
        }
        Inflater i = INFLATERS.poll();
        if (i == null) {
            i = new Inflater();
        }
        try {
            i.setInput(bytes);
            byte[] text = new byte[length];
            int n = 0;
            while (n < length && !i.finished()) {
                int got = i.inflate(text, n, length - n);
                if (got == 0 && i.needsDictionary()) {
                    // the stream names its dictionary by its Adler-32; another one is refused here
                    i.setDictionary(packing == DEFLATED_1 ? DICTIONARY : dictionary(uid));
                } else if (got == 0 && i.needsInput()) {
                    break;
                }
                n += got;
            }
            if (n == length && !i.finished()) {
                // the text's last byte is out; the stream's end, with its checksum, may still be unread
                n += i.inflate(new byte[1]);
            }
            if (n != length || !i.finished() || i.getRemaining() != 0) {
                throw new StoreFailure("a stored object's text does not unpack to its recorded length", null);
            }
            return text;
        } catch (DataFormatException | IllegalArgumentException e) {
            throw new StoreFailure("a stored object's text is damaged", e);
        } finally {
            i.reset();
            if (!INFLATERS.offer(i)) {
                i.end();
            }
        }
    }
}
