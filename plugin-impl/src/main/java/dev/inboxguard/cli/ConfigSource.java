package dev.inboxguard.cli;

import dev.inboxguard.config.ConfigException;
import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.policy.RulePolicy;
import java.nio.file.Path;

/**
 * Where every command gets its configuration: the operator's file laid over the defaults, with the policy compiled
 * at once, so that a bad rule is one line naming the file and the key, before anything starts.
 */
final class ConfigSource {
    private ConfigSource() {
    }

    /**
     * @param file the operator's file, or null for the defaults
     * @return the configuration
     * @throws ConfigException naming the file and the setting
     */
    static GuardConfig read(Path file) {
        GuardConfig config = file == null ? ConfigFile.defaults() : ConfigFile.load(file);
        try {
            RulePolicy.from(config.policy());
        } catch (ConfigException e) {
            throw new ConfigException((file == null ? "" : file + ": ") + e.getMessage());
        }
        return config;
    }
}
