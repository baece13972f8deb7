package dev.inboxguard.approval;

import java.util.List;

/**
 * The settings page's values.
 *
 * @param invitations    the user's choice: empty (the operator's), everyone, known or never
 * @param operatorChoice what the operator's setting is for this user, in words
 * @param timeZone       the user's zone, empty for UTC
 * @param zones          the zones to choose from
 * @param mailHeld       whether held items are announced by mail
 * @param dailyDigest    whether a daily mail lists what still waits
 * @param mailAvailable  whether this server can send mail at all
 * @param allowed        the allow list
 * @param blocked        the block list
 */
public record SettingsForm(String invitations, String operatorChoice, String timeZone, List<String> zones,
                           boolean mailHeld, boolean dailyDigest, boolean mailAvailable, List<String> allowed, List<String> blocked) {
}
