package dev.inboxguard.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.inboxguard.ical.BoundedInput;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Reads the configuration: the built-in defaults with the operator's YAML file laid over them. Config is input
 * too: the file is size-bounded, YAML aliases are capped, unknown keys are errors (a typo must not silently
 * leave a default in force), and every error is one line that names the problem.
 */
public final class ConfigFile {
    private static final int MAX_CONFIG_BYTES = 1024 * 1024;
    private static final String DEFAULTS = "default-config.yaml";

    private ConfigFile() {
    }

    /** @return the built-in configuration, the same as {@code default-config.yaml} says, built without reading it */
    public static GuardConfig defaults() {
        return BuiltInDefaults.config();
    }

    /** @return the built-in configuration as read from {@code default-config.yaml}; {@link #defaults()} is faster */
    static GuardConfig defaultsFromYaml() {
        return bind(defaultTree());
    }

    /**
     * @param file the operator's YAML file
     * @return the defaults with the file laid over them
     * @throws ConfigException if the file cannot be read or is invalid
     */
    public static GuardConfig load(Path file) {
        Optional<ObjectNode> overlay = read(file);
        if (overlay.isEmpty()) {
            return defaults();
        }
        // every section when the quick way fails, to name the mistake in the same words as always
        return bindSections(overlay.get()).orElseGet(() -> bindEverySection(file, overlay.get()));
    }

    /**
     * @param file the operator's YAML file
     * @return the defaults with the file laid over them, binding every section as read from the YAML defaults
     */
    static GuardConfig loadBindingEverySection(Path file) {
        return read(file).map(o -> bindEverySection(file, o)).orElseGet(ConfigFile::defaults);
    }

    /**
     * @param file the operator's YAML file
     * @return the defaults with the file laid over them, binding only the sections the file sets; empty where
     *     {@link #load} binds every section instead
     */
    static Optional<GuardConfig> loadBindingWhatItSets(Path file) {
        return read(file).flatMap(ConfigFile::bindSections);
    }

    /** @return the operator's file as a tree; empty if it sets nothing */
    private static Optional<ObjectNode> read(Path file) {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = BoundedInput.read(in, MAX_CONFIG_BYTES)
                    .orElseThrow(() -> new ConfigException(file + ": larger than 1 MiB"));
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getMessage());
        }
        JsonNode overlay;
        try {
            overlay = Yaml.MAPPER.readTree(new String(bytes, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new ConfigException(file + ": not valid YAML: " + yamlProblem(e));
        }
        if (overlay == null || overlay.isMissingNode() || overlay.isNull()) {
            return Optional.empty();
        }
        if (!overlay.isObject()) {
            throw new ConfigException(file + ": the top level must be a map of settings");
        }
        return Optional.of((ObjectNode) overlay);
    }

    private static GuardConfig bindEverySection(Path file, ObjectNode overlay) {
        ObjectNode merged = defaultTree();
        merge(merged, overlay, "");
        try {
            return bind(merged);
        } catch (ConfigException e) {
            throw new ConfigException(file + ": " + e.getMessage());
        }
    }

    /**
     * Reads a secret that the file gives inline or, better, in a file of its own.
     *
     * @param setting  the setting's name, for the error
     * @param inline   the value given inline
     * @param file     a file whose first line is the value; empty to use {@code inline}
     * @return the secret
     */
    public static String secret(String setting, String inline, String file) {
        if (file.isEmpty()) {
            return inline;
        }
        try {
            java.util.List<String> lines = Files.readAllLines(Path.of(file), java.nio.charset.StandardCharsets.UTF_8);
            return lines.isEmpty() ? "" : lines.get(0).strip();
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(setting + ": cannot read " + file + " (" + e.getMessage() + ")");
        }
    }

    private static GuardConfig bind(JsonNode tree) {
        try {
            GuardConfig config = Yaml.MAPPER.treeToValue(tree, GuardConfig.class);
            if (!everySectionSet(config)) {
                throw new ConfigException("a top-level section is empty");
            }
            return config;
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException("unknown setting '" + e.getPropertyName() + "' at " + path(e));
        } catch (JsonProcessingException e) {
            throw new ConfigException("invalid setting at " + path(e) + ": " + rootMessage(e));
        } catch (IllegalArgumentException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new ConfigException(rootMessage(cause));
        }
    }

    /**
     * Binds the sections the operator's file sets and takes the others from the built-in defaults, which
     * {@code ConfigFileTest} holds equal to {@code default-config.yaml}: binding every section was a fifth of a
     * {@code check --config}'s time. Of the YAML defaults only the sections the file sets are parsed, for the same
     * reason (parsing all of them took 19-31 ms).
     *
     * @return the configuration; empty if the file names a section there is not, or a section does not bind
     */
    private static Optional<GuardConfig> bindSections(ObjectNode overlay) {
        java.util.Set<String> named = new java.util.HashSet<>();
        overlay.fieldNames().forEachRemaining(named::add);
        Optional<ObjectNode> parsed = DefaultSections.parse(named);
        if (parsed.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode merged = parsed.get();
        merge(merged, overlay, "");
        GuardConfig defaults = defaults();
        RecordComponent[] sections = GuardConfig.class.getRecordComponents();
        Object[] values = new Object[sections.length];
        java.util.Set<String> set = new java.util.HashSet<>(named);
        try {
            for (int i = 0; i < sections.length; i++) {
                RecordComponent section = sections[i];
                if (set.remove(section.getName())) {
                    values[i] = Yaml.MAPPER.treeToValue(merged.get(section.getName()),
                            Yaml.MAPPER.getTypeFactory().constructType(section.getGenericType()));
                } else {
                    values[i] = section.getAccessor().invoke(defaults);
                }
            }
            if (!set.isEmpty()) {
                return Optional.empty();
            }
            Class<?>[] types = java.util.Arrays.stream(sections).map(RecordComponent::getType).toArray(Class<?>[]::new);
            GuardConfig config = GuardConfig.class.getDeclaredConstructor(types).newInstance(values);
            return Optional.of(config).filter(ConfigFile::everySectionSet);
        } catch (JsonProcessingException | ReflectiveOperationException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static boolean everySectionSet(GuardConfig config) {
        return config.limits() != null && config.structure() != null && config.recurrence() != null
                && config.identity() != null && config.replies() != null && config.content() != null
                && config.senders() != null && config.rates() != null && config.imip() != null
                && config.checks() != null && config.policy() != null;
    }

    /** Objects merge key by key; lists and scalars replace; policy.rules are put before the defaults. */
    private static void merge(ObjectNode base, ObjectNode overlay, String path) {
        Iterator<Map.Entry<String, JsonNode>> fields = overlay.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            String key = e.getKey();
            String here = path.isEmpty() ? key : path + "." + key;
            JsonNode existing = base.get(key);
            JsonNode value = e.getValue();
            if (here.equals("policy.rules") && existing instanceof ArrayNode defaults
                    && value instanceof ArrayNode mine) {
                ArrayNode combined = base.arrayNode();
                combined.addAll(mine);
                combined.addAll(defaults);
                base.set(key, combined);
            } else if (existing instanceof ObjectNode eo && value instanceof ObjectNode vo) {
                merge(eo, vo, here);
            } else {
                base.set(key, value);
            }
        }
    }

    private static ObjectNode defaultTree() {
        try {
            return (ObjectNode) Yaml.MAPPER.readTree(DefaultSections.TEXT);
        } catch (IOException e) {
            throw new IllegalStateException("built-in configuration unreadable", e);
        }
    }

    /**
     * {@code default-config.yaml}, and the same cut where each top-level section begins, so that a file that sets
     * one section has only that one of the defaults parsed. The cut is plain: a section runs from its key at the
     * start of a line to the next line that starts with anything but a space or a comment, which is how the file is
     * written. Anything else at the start of a line (a document marker, say) leaves it uncut, and then every section
     * is parsed.
     */
    static final class DefaultSections {
        static final String TEXT = readDefaults();
        private static final Map<String, String> BY_NAME = cut(TEXT);

        private DefaultSections() {
        }

        /**
         * @param names top-level sections
         * @return those sections of the defaults, parsed; empty if one is not there or the file could not be cut
         */
        static Optional<ObjectNode> parse(java.util.Set<String> names) {
            if (names.isEmpty()) {
                // a file of {} sets nothing: nothing to parse (the YAML of no text is not an object)
                return Optional.of(Yaml.MAPPER.createObjectNode());
            }
            StringBuilder text = new StringBuilder();
            for (String name : names) {
                String section = BY_NAME.get(name);
                if (section == null) {
                    return Optional.empty();
                }
                text.append(section);
            }
            try {
                JsonNode tree = Yaml.MAPPER.readTree(text.toString());
                return tree instanceof ObjectNode o && o.size() == names.size() && names.stream().allMatch(o::has)
                        ? Optional.of(o) : Optional.empty();
            } catch (IOException e) {
                return Optional.empty();
            }
        }

        /** @return each top-level section's text, by its name; empty if the text is not laid out to be cut */
        static Map<String, String> cut(String yaml) {
            Map<String, String> sections = new java.util.HashMap<>();
            java.util.regex.Pattern key = java.util.regex.Pattern.compile("([A-Za-z][A-Za-z0-9_-]*):( .*)?");
            String name = null;
            StringBuilder section = new StringBuilder();
            for (String line : yaml.split("\n", -1)) {
                if (!line.isEmpty() && line.charAt(0) != ' ' && line.charAt(0) != '#') {
                    java.util.regex.Matcher m = key.matcher(line.stripTrailing());
                    if (!m.matches() || sections.containsKey(m.group(1)) || m.group(1).equals(name)) {
                        return Map.of();
                    }
                    if (name != null) {
                        sections.put(name, section.toString());
                    }
                    name = m.group(1);
                    section.setLength(0);
                }
                if (name != null) {
                    section.append(line).append('\n');
                }
            }
            if (name != null) {
                sections.put(name, section.toString());
            }
            return Map.copyOf(sections);
        }

        private static String readDefaults() {
            try (InputStream in = ConfigFile.class.getResourceAsStream(DEFAULTS)) {
                if (in == null) {
                    throw new IllegalStateException("missing resource " + DEFAULTS);
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalStateException("built-in configuration unreadable", e);
            }
        }
    }

    /**
     * One mapper for every read: each new one would build the configuration's deserializers again. It is made at
     * the first read of YAML, since commands that use the defaults never need it.
     */
    private static final class Yaml {
        static final ObjectMapper MAPPER = newMapper();
    }

    private static ObjectMapper newMapper() {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(20);
        options.setCodePointLimit(MAX_CONFIG_BYTES);
        options.setAllowDuplicateKeys(false);
        YAMLFactory yaml = YAMLFactory.builder().loaderOptions(options).build();
        return new ObjectMapper(yaml)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    }

    private static String path(JsonProcessingException e) {
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m && !m.getPath().isEmpty()) {
            StringBuilder sb = new StringBuilder();
            for (com.fasterxml.jackson.databind.JsonMappingException.Reference r : m.getPath()) {
                if (r.getFieldName() != null) {
                    sb.append(sb.length() == 0 ? "" : ".").append(r.getFieldName());
                } else if (r.getIndex() >= 0) {
                    sb.append('[').append(r.getIndex()).append(']');
                }
            }
            return sb.toString();
        }
        return "(top level)";
    }

    /**
     * The YAML parser's own words, with the line and column it counts from 1. Jackson's location for an error the
     * YAML scanner raised counts lines from 0, so the scanner's mark is used where there is one.
     */
    static String yamlProblem(JsonProcessingException e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.yaml.snakeyaml.error.MarkedYAMLException m && m.getProblemMark() != null) {
                String problem = m.getProblem() == null ? "unexpected input" : m.getProblem();
                if (m.getContext() != null) {
                    problem = m.getContext() + ", " + problem;
                }
                return "line " + (m.getProblemMark().getLine() + 1) + ", column " + (m.getProblemMark().getColumn() + 1)
                        + ": " + problem.replaceAll("\\s+", " ").strip();
            }
        }
        String where = Optional.ofNullable(e.getLocation()).filter(l -> l.getLineNr() > 0)
                .map(l -> "line " + l.getLineNr() + ": ").orElse("");
        return where + e.getOriginalMessage().replaceAll("\\s+", " ").strip();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t instanceof JsonProcessingException j ? j.getOriginalMessage() : t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m.replaceAll("\\s+", " ");
    }
}
