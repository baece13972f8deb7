package dev.inboxguard.config;

import dev.inboxguard.checks.recurrence.RecurrenceLimits;
import dev.inboxguard.ical.Limits;
import dev.inboxguard.mime.HeaderTrust;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The whole configuration, as read from the built-in defaults and the operator's file.
 *
 * @param limits    size limits for everything read
 * @param structure which RFC 5546 table rows are tolerated
 * @param recurrence limits of the recurrence analysis
 * @param identity  who is who: aliases and proxies
 * @param replies   the sent-by reply routing policy
 * @param content   links and alarms
 * @param senders   the unknown-sender setting per recipient
 * @param rates     rate limits
 * @param imip      iMIP trust settings
 * @param checks    checks added by the operator
 * @param policy    the rules that turn findings into actions
 * @param users     the CalDAV server's accounts
 * @param scheduling how scheduling carries out decisions
 * @param mail      the iMIP gateway: listeners for incoming mail, the relay for outgoing mail
 * @param storage   where the data lives: the embedded database, or PostgreSQL shared by several nodes
 * @param metrics   who may read {@code GET /metrics}
 * @param server    where the HTTP listener binds
 * @param caldav    each user's first collections, and who can look up other users
 * @param retention how long held items, audit rows, receipts and sent mail are kept
 */
public record GuardConfig(Limits limits, Structure structure, RecurrenceLimits recurrence, Identity identity,
                          Replies replies, Content content, Senders senders, Rates rates, Imip imip, Checks checks,
                          PolicySettings policy, List<User> users, Scheduling scheduling, Mail mail,
                          Storage storage, Metrics metrics, Server server, Caldav caldav, Retention retention) {

    /** Defaults the account list to empty and scheduling to its defaults. */
    public GuardConfig {
        retention = retention == null ? new Retention(0, 0, 0, 0, 0, 0) : retention;
        metrics = metrics == null ? new Metrics(null, null, null) : metrics;
        server = server == null ? new Server(null) : server;
        caldav = caldav == null ? new Caldav(null, null, null, null) : caldav;
        users = users == null ? List.of() : List.copyOf(users);
        scheduling = scheduling == null ? new Scheduling(null) : scheduling;
        mail = mail == null ? new Mail(null, null, null, 0, 0, null, null) : mail;
        storage = storage == null ? new Storage(null, null, null, null, 0, null) : storage;
    }

    /**
     * A configuration with the default metrics access.
     *
     * @param limits     size limits
     * @param structure  RFC 5546 structure rules
     * @param recurrence recurrence limits
     * @param identity   aliases and proxies
     * @param replies    reply routing
     * @param content    links and alarms
     * @param senders    unknown senders
     * @param rates      rate limits
     * @param imip       iMIP trust settings
     * @param checks     checks added by the operator
     * @param policy     the rules
     * @param users      the accounts
     * @param scheduling how scheduling carries out decisions
     * @param mail       the iMIP gateway
     * @param storage    where the data lives
     */
    public GuardConfig(Limits limits, Structure structure, RecurrenceLimits recurrence, Identity identity,
                       Replies replies, Content content, Senders senders, Rates rates, Imip imip, Checks checks,
                       PolicySettings policy, List<User> users, Scheduling scheduling, Mail mail, Storage storage) {
        this(limits, structure, recurrence, identity, replies, content, senders, rates, imip, checks, policy, users,
                scheduling, mail, storage, null, null, null, null);
    }

    /** A configuration with the default CalDAV settings (the parameters are those of the canonical constructor). */
    public GuardConfig(Limits limits, Structure structure, RecurrenceLimits recurrence, Identity identity,
                       Replies replies, Content content, Senders senders, Rates rates, Imip imip, Checks checks,
                       PolicySettings policy, List<User> users, Scheduling scheduling, Mail mail, Storage storage,
                       Metrics metrics, Server server) {
        this(limits, structure, recurrence, identity, replies, content, senders, rates, imip, checks, policy, users,
                scheduling, mail, storage, metrics, server, null, null);
    }

    /** A configuration with the default retention (the parameters are those of the canonical constructor). */
    public GuardConfig(Limits limits, Structure structure, RecurrenceLimits recurrence, Identity identity,
                       Replies replies, Content content, Senders senders, Rates rates, Imip imip, Checks checks,
                       PolicySettings policy, List<User> users, Scheduling scheduling, Mail mail, Storage storage,
                       Metrics metrics, Server server, Caldav caldav) {
        this(limits, structure, recurrence, identity, replies, content, senders, rates, imip, checks, policy, users,
                scheduling, mail, storage, metrics, server, caldav, null);
    }

    /**
     * The CalDAV tree.
     *
     * @param defaultCollections whether every user gets a calendar and a task list on their first request (true)
     * @param defaultCalendar    the calendar's name and display name; it is also the default calendar for
     *                           scheduling (RFC 6638 §9.2)
     * @param defaultTaskList    the task list's name and display name
     * @param directory          {@code users} (the default): signed-in users can read other users' display names and
     *                           calendar-user addresses and search for them, as clients do to complete attendees;
     *                           {@code hidden}: a user sees only their own principal, and a free-busy query answers
     *                           another user as an unknown address; SCHEDULE-STATUS reports a message to another
     *                           user as sent (1.1), as to a remote address. Calendars stay private either way.
     */
    public record Caldav(Boolean defaultCollections, Collection defaultCalendar, Collection defaultTaskList,
                         String directory) {
        /** Fills in defaults and checks the names. */
        public Caldav {
            defaultCollections = defaultCollections == null || defaultCollections;
            defaultCalendar = defaultCalendar == null ? new Collection("calendar", "Calendar") : defaultCalendar;
            defaultTaskList = defaultTaskList == null ? new Collection("tasks", "Tasks") : defaultTaskList;
            if (defaultCalendar.name().equals(defaultTaskList.name())) {
                throw new ConfigException("caldav.defaultTaskList.name: must differ from caldav.defaultCalendar.name");
            }
            directory = directory == null ? "users" : directory.strip().toLowerCase(java.util.Locale.ROOT);
            if (!java.util.Set.of("users", "hidden").contains(directory)) {
                throw new ConfigException("caldav.directory: must be users or hidden, got " + directory);
            }
        }

        /** @return true if users can look each other up */
        public boolean directoryVisible() {
            return directory.equals("users");
        }
    }

    /**
     * A collection the server makes for every user.
     *
     * @param name        its URL segment
     * @param displayName what clients show
     */
    public record Collection(String name, String displayName) {
        /** Checks that the name can be a URL segment. */
        public Collection {
            if (name == null || name.isBlank() || name.contains("/") || name.startsWith(".") || name.length() > 200
                    || name.equals("inbox") || name.equals("outbox") || name.chars().anyMatch(ch -> ch < 0x20)) {
                throw new ConfigException("caldav: a collection name must be 1 to 200 characters, with no slash, no "
                        + "control characters, no leading dot, and not inbox or outbox; got " + name);
            }
            displayName = displayName == null || displayName.isBlank() ? name : displayName.strip();
        }
    }

    /**
     * The HTTP listener (CalDAV, the approval page, {@code /metrics}, {@code /health}).
     *
     * @param bind           the address to listen on: {@code 0.0.0.0} (the default: every interface),
     *                       {@code 127.0.0.1} behind a proxy on the same machine, or one interface's address; the
     *                       port is {@code --http-port}
     * @param trustedProxies the addresses of TLS-terminating reverse proxies whose Forwarded and X-Forwarded-*
     *                       headers are believed: the scheme (so the sign-in cookie is Secure) and the client's
     *                       address; from anyone else these headers change nothing
     * @param requestLog     one log line per HTTP request (logger {@code dev.inboxguard.requests}, NCSA extended
     *                       format): method, path, status, size, referrer and user agent. Off by default, since
     *                       paths name users and calendars
     * @param connections    what HTTP clients may hold open
     * @param publicUrl      the address people reach this server at ({@code https://calendar.example.com}), for the
     *                       links in mail about held items; empty: {@code http://} + {@code mail.hostname} + the port
     * @param hstsSeconds    the max-age of a Strict-Transport-Security header (RFC 6797) on answers to requests that
     *                       came over HTTPS, as a trusted proxy reports it; 0 (the default) sends none, since a
     *                       browser would then refuse plain HTTP to the host for that long
     */
    public record Server(String bind, List<String> trustedProxies, Boolean requestLog, Connections connections,
                         String publicUrl, Long hstsSeconds) {
        /** Defaults to every interface and no trusted proxy; each proxy must be an IP address, never a name. */
        public Server {
            hstsSeconds = hstsSeconds == null ? 0L : hstsSeconds;
            if (hstsSeconds < 0 || hstsSeconds > 2L * 365 * 24 * 3600) {
                throw new ConfigException("server.hstsSeconds: 0 (no header) up to two years, 63072000; got "
                        + hstsSeconds);
            }
            publicUrl = publicUrl == null ? "" : publicUrl.strip();
            if (!publicUrl.isEmpty() && !publicUrl.matches("https?://[A-Za-z0-9.\\-\\[\\]:]+(/[A-Za-z0-9._~/-]*)?")) {
                throw new ConfigException("server.publicUrl: an http:// or https:// address such as "
                        + "https://calendar.example.com, got " + publicUrl);
            }
            if (publicUrl.endsWith("/")) {
                publicUrl = publicUrl.substring(0, publicUrl.length() - 1);
            }
            requestLog = requestLog != null && requestLog;
            connections = connections == null ? new Connections(0, 0, 0, 0, 0) : connections;
            bind = bind == null || bind.isBlank() ? "0.0.0.0" : bind.strip();
            trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
            for (String proxy : trustedProxies) {
                if (proxy == null || proxy.isBlank() || !proxy.strip().matches("[0-9A-Fa-f:.]{2,45}")) {
                    throw new ConfigException("server.trustedProxies: an IP address, such as 127.0.0.1 or ::1; got "
                            + proxy);
                }
            }
        }

        /** Where to listen, trusting no proxy. */
        public Server(String bind) {
            this(bind, null, null, null, null, null);
        }

        /** The listener as before public URLs were configurable. */
        public Server(String bind, List<String> trustedProxies, Boolean requestLog, Connections connections) {
            this(bind, trustedProxies, requestLog, connections, null, null);
        }

        /** The listener as before HSTS was configurable. */
        public Server(String bind, List<String> trustedProxies, Boolean requestLog, Connections connections,
                      String publicUrl) {
            this(bind, trustedProxies, requestLog, connections, publicUrl, null);
        }

        /** Where to listen and whom to trust, without a request log. */
        public Server(String bind, List<String> trustedProxies) {
            this(bind, trustedProxies, null, null, null, null);
        }
    }

    /**
     * What HTTP clients may hold open, so that slow or greedy ones cannot take the server from everyone else.
     *
     * @param max           connections in all; past it, new ones wait in the operating system's queue and idle
     *                      ones are closed after 5 s
     * @param perAddress    connections from one client address; more are closed at once. Trusted proxies are not
     *                      counted: every client behind them shares their address
     * @param headerSeconds a request's headers must be complete this long after the connection opened or the
     *                      previous request finished; a client that trickles them (slowloris) is disconnected
     * @param requestsPerAddress requests from one client address handled at once; more get 503 at once. Each holds
     *                      one of the server's 64 request threads while it is handled, a slow body included, so
     *                      the default, 16, leaves the rest to everyone else. Trusted proxies are not counted
     * @param minBodyRate   a request body must have come within 20 s of its first read plus a second for each
     *                      this many bytes (Apache's mod_reqtimeout shape); one still behind at a read is refused
     *                      with 408, so that a trickled body gives its request thread back rather than keeping it
     *                      for hours. The default, 512, is far below any real client's upload
     */
    public record Connections(int max, int perAddress, int headerSeconds, int requestsPerAddress, int minBodyRate) {
        /** Fills in defaults and checks the settings. */
        public Connections {
            max = max == 0 ? 1000 : max;
            perAddress = perAddress == 0 ? 100 : perAddress;
            headerSeconds = headerSeconds == 0 ? 15 : headerSeconds;
            requestsPerAddress = requestsPerAddress == 0 ? 16 : requestsPerAddress;
            minBodyRate = minBodyRate == 0 ? 512 : minBodyRate;
            if (max < 1 || perAddress < 1 || perAddress > max || headerSeconds < 1 || headerSeconds > 3600
                    || requestsPerAddress < 1 || requestsPerAddress > 64 || minBodyRate < 1
                    || minBodyRate > 1_000_000) {
                throw new ConfigException("server.connections: max and perAddress must be positive, perAddress at "
                        + "most max, headerSeconds 1 to 3600, requestsPerAddress 1 to 64, and minBodyRate 1 to "
                        + "1000000 bytes a second");
            }
        }
    }

    /**
     * Who may read {@code GET /metrics}, which tells how many messages were held or refused, for whom and why.
     *
     * @param access    {@code loopback} (the default: only from this machine), {@code token} (a bearer token, from
     *                  anywhere) or {@code open}
     * @param token     the bearer token, if not in a file
     * @param tokenFile a file whose first line is the token; better than token above
     */
    public record Metrics(String access, String token, String tokenFile) {
        /** Fills in defaults and checks that token access has a token. */
        public Metrics {
            access = access == null ? "loopback" : access.strip().toLowerCase(java.util.Locale.ROOT);
            token = token == null ? "" : token;
            tokenFile = tokenFile == null ? "" : tokenFile;
            if (!List.of("loopback", "token", "open").contains(access)) {
                throw new ConfigException("metrics.access must be loopback, token or open, got " + access);
            }
            if (access.equals("token") && token.isEmpty() && tokenFile.isEmpty()) {
                throw new ConfigException("metrics.access is token, but neither metrics.token nor "
                        + "metrics.tokenFile is set");
            }
        }

        /** @return the bearer token for {@code token} access */
        public String bearerToken() {
            return ConfigFile.secret("metrics.token", token, tokenFile);
        }
    }

    /**
     * Where the data lives.
     *
     * @param url            empty for the embedded database under {@code --data}; {@code jdbc:postgresql://...} for
     *                       PostgreSQL, which several nodes can share
     * @param user           the database user
     * @param password       its password, if not in a file
     * @param passwordFile   a file holding the password (its first line)
     * @param maxConnections connections each node keeps to the database at most
     * @param migrate        {@code auto}: bring the schema up to date at start; {@code validate}: refuse to start
     *                       unless it is (the operator runs the migrations)
     * @param compress       the embedded database only: whether it compresses its pages (LZF); unset means yes for
     *                       the embedded database. For 200-byte events the file is then about half as large under
     *                       churn and at rest (2.1-2.7 times the events during a full-speed churn, against 4.2-5.1
     *                       uncompressed), for less throughput: 3-14 % more CPU per scheduling PUT in one
     *                       session; on a slow host at steady state, in paired rounds, 337-361 against 352-620 PUT/s
     *                       with one local attendee (docs/benchmarks.md)
     */
    public record Storage(String url, String user, String password, String passwordFile, int maxConnections,
                          String migrate, Boolean compress) {
        /** Fills in defaults and checks the settings. */
        public Storage {
            url = url == null ? "" : url.strip();
            if (!url.isEmpty() && !url.startsWith("jdbc:postgresql:")) {
                throw new ConfigException("storage.url must be empty (embedded) or a jdbc:postgresql: URL");
            }
            if (url.matches("jdbc:postgresql://[^/]*@.*")) {
                // the PostgreSQL driver does not take user:password@host, and the URL is shown in messages
                throw new ConfigException("storage.url: put the user and password in storage.user and "
                        + "storage.passwordFile, not in the URL");
            }
            user = user == null ? "" : user;
            password = password == null ? "" : password;
            passwordFile = passwordFile == null ? "" : passwordFile;
            maxConnections = maxConnections == 0 ? 16 : maxConnections;
            // migrations hold one connection for their lock and use another
            if (maxConnections < 2 || maxConnections > 1000) {
                throw new ConfigException("storage.maxConnections must be 2 to 1000, got " + maxConnections);
            }
            migrate = migrate == null ? "auto" : migrate.strip().toLowerCase(java.util.Locale.ROOT);
            if (!java.util.Set.of("auto", "validate").contains(migrate)) {
                throw new ConfigException("storage.migrate must be auto or validate, got " + migrate);
            }
            if (Boolean.TRUE.equals(compress) && !url.isEmpty()) {
                throw new ConfigException("storage.compress is for the embedded database; with storage.url set, "
                        + "PostgreSQL stores the data and compresses large values itself");
            }
            // compressed by default: the embedded file then stays within three times the events under churn
            compress = compress == null ? url.isEmpty() : compress;
        }

        /** Settings with the default for compression: the embedded database's pages compressed. */
        public Storage(String url, String user, String password, String passwordFile, int maxConnections,
                       String migrate) {
            this(url, user, password, passwordFile, maxConnections, migrate, null);
        }

        /** @return true for PostgreSQL, false for the embedded database */
        public boolean shared() {
            return !url.isEmpty();
        }

        /**
         * @param text a JDBC URL, or a message that may quote one
         * @return the text with passwords in it replaced by {@code ***}
         */
        public static String withoutSecrets(String text) {
            return text.replaceAll("(?i)(password|sslpassword)=[^&;\\s]*", "$1=***")
                    .replaceAll("//[^/@\\s]*@", "//***@");
        }

        /** Without the password, which a record would otherwise print. */
        @Override
        public String toString() {
            return "Storage[url=" + withoutSecrets(url) + ", user=" + user
                    + ", maxConnections=" + maxConnections + ", migrate=" + migrate + ", compress=" + compress + "]";
        }
    }

    /**
     * The iMIP gateway (RFC 6047).
     *
     * @param hostname           the name the listeners greet with; empty for this machine's name
     * @param lmtp               the LMTP listener (RFC 2033), for the local MTA
     * @param smtp               the SMTP listener, for setups without a local MTA
     * @param maxConnections     connections served at once by each listener; more are turned away with 421
     * @param idleTimeoutSeconds how long a client may stay silent
     * @param nonCalendar        mail without a calendar part: {@code reject} (550) or {@code accept} (250, and
     *                           dropped: for MTAs that copy all mail here)
     * @param relay              where outgoing iMIP goes
     */
    public record Mail(String hostname, Listener lmtp, Listener smtp, int maxConnections, int idleTimeoutSeconds,
                       String nonCalendar, Relay relay) {
        /** Fills in defaults and checks the settings. */
        public Mail {
            hostname = hostname == null ? "" : hostname.strip();
            if (!hostname.isEmpty() && !hostname.matches("[A-Za-z0-9.-]{1,253}")) {
                throw new ConfigException("mail.hostname: not a host name: " + hostname);
            }
            lmtp = lmtp == null ? new Listener("127.0.0.1", 2424) : lmtp;
            smtp = smtp == null ? new Listener("0.0.0.0", -1) : smtp;
            maxConnections = maxConnections == 0 ? 64 : maxConnections;
            idleTimeoutSeconds = idleTimeoutSeconds == 0 ? 300 : idleTimeoutSeconds;
            if (maxConnections < 1 || idleTimeoutSeconds < 1) {
                throw new ConfigException("mail.maxConnections and mail.idleTimeoutSeconds must be positive");
            }
            nonCalendar = nonCalendar == null ? "reject" : nonCalendar.strip().toLowerCase(java.util.Locale.ROOT);
            if (!java.util.Set.of("reject", "accept").contains(nonCalendar)) {
                throw new ConfigException("mail.nonCalendar: must be reject or accept, got " + nonCalendar);
            }
            relay = relay == null ? new Relay(null, 0, null, null, null, null, 0, null, 0) : relay;
        }

        /**
         * @param replacement new relay settings
         * @return these settings with them
         */
        public Mail withRelay(Relay replacement) {
            return new Mail(hostname, lmtp, smtp, maxConnections, idleTimeoutSeconds, nonCalendar, replacement);
        }

        /** @return these settings with both listeners on loopback (the demo's public passwords stay local) */
        public Mail onLoopback() {
            return new Mail(hostname, new Listener("127.0.0.1", lmtp.port()), new Listener("127.0.0.1", smtp.port()),
                    maxConnections, idleTimeoutSeconds, nonCalendar, relay);
        }

        /**
         * @param lmtpPort the LMTP port; 0 picks a free one, -1 turns the listener off
         * @return these settings with it
         */
        public Mail withLmtpPort(int lmtpPort) {
            return new Mail(hostname, new Listener(lmtp.bind(), lmtpPort), smtp, maxConnections, idleTimeoutSeconds,
                    nonCalendar, relay);
        }
    }

    /**
     * A mail listener.
     *
     * @param bind the address to listen on
     * @param port the port; 0 picks a free one, -1 turns it off
     */
    public record Listener(String bind, int port) {
        /** Checks the port. */
        public Listener {
            bind = bind == null || bind.isBlank() ? "127.0.0.1" : bind.strip();
            if (port < -1 || port > 65_535) {
                throw new ConfigException("a listener port must be -1 (off), 0 (any) or 1 to 65535, got " + port);
            }
        }

        /** @return true if it is on */
        public boolean enabled() {
            return port >= 0;
        }
    }

    /**
     * The SMTP relay (smarthost) that outgoing iMIP is handed to, and how the durable queue retries.
     *
     * @param host           the relay; empty: outgoing iMIP is recorded and logged, not sent
     * @param port           its port (587 for submission)
     * @param tls            {@code starttls} (required), {@code tls} (implicit, port 465) or {@code none}
     * @param username       for SMTP AUTH; empty for none
     * @param password       the password, if not in a file
     * @param passwordFile   a file holding the password (its first line)
     * @param timeoutSeconds connect, read and write timeout
     * @param retrySeconds   the waits between attempts; the last repeats
     * @param giveUpHours    a message still not accepted after this long is given up
     * @param trustCertificates a PEM file of certificates to trust for the relay instead of the JVM's public CAs:
     *                       a private CA, or the relay's own self-signed certificate (pinned); its host name is
     *                       checked all the same. Empty: the JVM's CAs
     */
    public record Relay(String host, int port, String tls, String username, String password, String passwordFile,
                        int timeoutSeconds, List<Integer> retrySeconds, int giveUpHours, String trustCertificates) {
        /** Fills in defaults and checks the settings. */
        public Relay {
            host = host == null ? "" : host.strip();
            port = port == 0 ? 587 : port;
            if (port < 1 || port > 65_535) {
                throw new ConfigException("mail.relay.port must be 1 to 65535, got " + port);
            }
            tls = tls == null ? "starttls" : tls.strip().toLowerCase(java.util.Locale.ROOT);
            if (!java.util.Set.of("starttls", "tls", "none").contains(tls)) {
                throw new ConfigException("mail.relay.tls must be starttls, tls or none, got " + tls);
            }
            username = username == null ? "" : username;
            password = password == null ? "" : password;
            passwordFile = passwordFile == null ? "" : passwordFile;
            timeoutSeconds = timeoutSeconds == 0 ? 30 : timeoutSeconds;
            retrySeconds = retrySeconds == null || retrySeconds.isEmpty()
                    ? List.of(60, 300, 1800, 7200, 21600) : List.copyOf(retrySeconds);
            giveUpHours = giveUpHours == 0 ? 48 : giveUpHours;
            trustCertificates = trustCertificates == null ? "" : trustCertificates.strip();
            if (!trustCertificates.isEmpty() && tls.equals("none")) {
                throw new ConfigException("mail.relay.trustCertificates needs tls: starttls or tls");
            }
            if (timeoutSeconds < 1 || giveUpHours < 1 || retrySeconds.stream().anyMatch(r -> r == null || r < 1)) {
                throw new ConfigException("mail.relay: timeoutSeconds, retrySeconds and giveUpHours must be positive");
            }
        }

        /** The relay, trusting the JVM's CAs (the parameters are those of the canonical constructor). */
        public Relay(String host, int port, String tls, String username, String password, String passwordFile,
                     int timeoutSeconds, List<Integer> retrySeconds, int giveUpHours) {
            this(host, port, tls, username, password, passwordFile, timeoutSeconds, retrySeconds, giveUpHours, null);
        }

        /** @return true if outgoing iMIP is sent */
        public boolean configured() {
            return !host.isEmpty();
        }
    }

    /**
     * How scheduling carries out decisions.
     *
     * @param deniedCrasher what a party crasher learns when the organizer denies them: {@code status} (their own
     *                      copy shows SCHEDULE-STATUS 3.8, for a local crasher), {@code cancel} (they are sent a
     *                      CANCEL) or {@code silent}
     */
    public record Scheduling(String deniedCrasher) {
        /** Checks the setting. */
        public Scheduling {
            deniedCrasher = deniedCrasher == null ? "status" : deniedCrasher.strip().toLowerCase(java.util.Locale.ROOT);
            if (!java.util.Set.of("status", "cancel", "silent").contains(deniedCrasher)) {
                throw new ConfigException("scheduling.deniedCrasher: must be status, cancel or silent, got "
                        + deniedCrasher);
            }
        }
    }

    /**
     * One account of the CalDAV server.
     *
     * @param name        the login name, also its URL segment
     * @param password    a PBKDF2 hash ({@code pbkdf2-sha256$ITERATIONS$SALT$HASH}); never the password itself
     * @param displayName shown to clients
     * @param addresses   the calendar-user addresses it owns, the primary one first
     * @param operator    may read the whole audit trail
     * @param administrator may read and change every user's calendars through CalDAV, as that user would, for
     *                      scripted clean-up and support; each such request is audited, in the owner's trail too
     */
    public record User(String name, String password, String displayName, List<String> addresses,
                       Boolean operator, Boolean administrator) {
        /** A user who administers no one else's calendars (the parameters are those of the canonical one). */
        public User(String name, String password, String displayName, List<String> addresses, Boolean operator) {
            this(name, password, displayName, addresses, operator, null);
        }
    }

    /**
     * @param replacement new iMIP settings
     * @return this configuration with them
     */
    public GuardConfig withImip(Imip replacement) {
        return new GuardConfig(limits, structure, recurrence, identity, replies, content, senders, rates, replacement,
                checks, policy, users, scheduling, mail, storage, metrics, server, caldav, retention);
    }

    /**
     * @param replacement new mail settings
     * @return this configuration with them
     */
    public GuardConfig withMail(Mail replacement) {
        return new GuardConfig(limits, structure, recurrence, identity, replies, content, senders, rates, imip,
                checks, policy, users, scheduling, replacement, storage, metrics, server, caldav, retention);
    }

    /**
     * @param replacement new storage settings
     * @return this configuration with them
     */
    public GuardConfig withStorage(Storage replacement) {
        return new GuardConfig(limits, structure, recurrence, identity, replies, content, senders, rates, imip,
                checks, policy, users, scheduling, mail, replacement, metrics, server, caldav, retention);
    }

    /**
     * @param replacement new check settings
     * @return this configuration with them
     */
    public GuardConfig withChecks(Checks replacement) {
        return new GuardConfig(limits, structure, recurrence, identity, replies, content, senders, rates, imip,
                replacement, policy, users, scheduling, mail, storage, metrics, server, caldav, retention);
    }

    /**
     * @param replacement new HTTP listener settings
     * @return this configuration with them
     */
    public GuardConfig withServer(Server replacement) {
        return new GuardConfig(limits, structure, recurrence, identity, replies, content, senders, rates, imip,
                checks, policy, users, scheduling, mail, storage, metrics, replacement, caldav, retention);
    }

    /**
     * @param replacement new CalDAV settings
     * @return this configuration with them
     */
    public GuardConfig withCaldav(Caldav replacement) {
        return new GuardConfig(limits, structure, recurrence, identity, replies, content, senders, rates, imip,
                checks, policy, users, scheduling, mail, storage, metrics, server, replacement, retention);
    }

    /**
     * @param replacement new retention settings
     * @return this configuration with them
     */
    public GuardConfig withRetention(Retention replacement) {
        return new GuardConfig(limits, structure, recurrence, identity, replies, content, senders, rates, imip,
                checks, policy, users, scheduling, mail, storage, metrics, server, caldav, replacement);
    }

    /**
     * @param replacement new rate limits
     * @return this configuration with them
     */
    public GuardConfig withRates(Rates replacement) {
        return new GuardConfig(limits, structure, recurrence, identity, replies, content, senders, replacement, imip,
                checks, policy, users, scheduling, mail, storage, metrics, server, caldav, retention);
    }

    /**
     * How long things are kept. A sweep runs every hour; every value is in days and at least 1.
     *
     * @param heldDays    an item still held this long is expired: denied without telling anyone, as if its
     *                    decider had let it lapse; decided items are removed this long after their decision
     * @param auditDays   audit rows older than this are removed
     * @param receiptDays receipts of incoming mail, which make an MTA's retry count once; keep at least the MTA's
     *                    own retry time (Postfix: 5 days)
     * @param mailDays    sent and given-up outgoing mail is removed this long after it settled; a bounce (DSN) that
     *                    comes later no longer finds its message
     * @param tombstoneDays a calendar remembers a deleted object's name this long for sync reports (RFC 6578); a
     *                    client whose sync token is older lists the calendar again
     * @param inboxDays   scheduling-inbox items are removed this long after they arrived: their invitations are in
     *                    the calendar already, and a client that never clears its inbox would otherwise keep every
     *                    message ever delivered
     */
    public record Retention(int heldDays, int auditDays, int receiptDays, int mailDays, int tombstoneDays,
                            int inboxDays) {
        /** Fills in defaults and checks the settings. */
        public Retention {
            heldDays = heldDays == 0 ? 30 : heldDays;
            auditDays = auditDays == 0 ? 365 : auditDays;
            receiptDays = receiptDays == 0 ? 7 : receiptDays;
            mailDays = mailDays == 0 ? 30 : mailDays;
            tombstoneDays = tombstoneDays == 0 ? 60 : tombstoneDays;
            inboxDays = inboxDays == 0 ? 30 : inboxDays;
            if (receiptDays < 5) {
                throw new ConfigException("retention.receiptDays: at least 5, an MTA's retry time (Postfix: "
                        + "maximal_queue_lifetime, 5 days); a shorter time would deliver a retried message twice");
            }
            if (java.util.stream.IntStream.of(heldDays, auditDays, receiptDays, mailDays, tombstoneDays, inboxDays)
                    .anyMatch(days -> days < 1 || days > 36_500)) {
                throw new ConfigException("retention: heldDays, auditDays, receiptDays, mailDays, tombstoneDays and "
                        + "inboxDays are days, 1 to 36500");
            }
        }
    }

    /** @param tolerate table rows not enforced ({@code COMPONENT.PROPERTY} or {@code COMPONENT}) */
    public record Structure(List<String> tolerate) {
        /** Copies the list. */
        public Structure {
            tolerate = List.copyOf(tolerate);
        }
    }

    /**
     * @param riskySchemes  URL schemes never safe in an invitation
     * @param blocklist     blocked domains (a domain blocks its subdomains)
     * @param blocklistFile a file of blocked domains, one a line, or empty
     * @param alarms        incoming VALARMs: strip (all), keep-display (strip AUDIO, EMAIL, PROCEDURE), keep
     */
    public record Content(List<String> riskySchemes, List<String> blocklist, String blocklistFile, String alarms) {
        /** Copies the lists and checks the alarm setting. */
        public Content {
            riskySchemes = riskySchemes == null ? List.of() : List.copyOf(riskySchemes);
            blocklist = blocklist == null ? List.of() : List.copyOf(blocklist);
            blocklistFile = blocklistFile == null ? "" : blocklistFile;
            alarms = alarms == null ? "strip" : alarms.strip().toLowerCase(java.util.Locale.ROOT);
            if (!List.of("strip", "keep-display", "keep").contains(alarms)) {
                throw new IllegalArgumentException("content.alarms must be strip, keep-display or keep, got "
                        + alarms);
            }
        }
    }

    /**
     * @param policy     for invitations: everyone, known (senders only) or never (add automatically)
     * @param recipients the same setting per recipient address
     * @param domains    the same setting per recipient domain
     * @param allow      senders known to everyone: addresses or {@code @domain}s
     */
    public record Senders(String policy, Map<String, String> recipients, Map<String, String> domains,
                          List<String> allow) {
        /** Copies the collections. */
        public Senders {
            recipients = recipients == null ? Map.of() : Map.copyOf(recipients);
            domains = domains == null ? Map.of() : Map.copyOf(domains);
            allow = allow == null ? List.of() : List.copyOf(allow);
        }
    }

    /**
     * @param perSender       per sender address
     * @param perSenderDomain per sender domain
     * @param perRecipient    per recipient
     * @param perPair         per sender and recipient
     * @param local           for local users who signed in to schedule (CalDAV), in place of the sender and pair
     *                        limits above; their domain has no limit of its own
     */
    public record Rates(Rate perSender, Rate perSenderDomain, Rate perRecipient, Rate perPair, Local local) {
        /** Defaults the local limits. */
        public Rates {
            local = local == null ? new Local(null, null) : local;
        }

        /** Local users counted as everyone else: their sender and pair limits are {@code perSender}, {@code perPair}. */
        public Rates(Rate perSender, Rate perSenderDomain, Rate perRecipient, Rate perPair) {
            this(perSender, perSenderDomain, perRecipient, perPair, new Local(perSender, perPair));
        }
    }

    /**
     * Limits for a local user's own scheduling. They are far larger than a stranger's because the user signed in
     * and an ordinary day's work (rescheduling a series, cancelling a run of meetings) sends dozens of messages at
     * once; they still bound a compromised account.
     *
     * @param perSender per local user: 200 at once, 1,000 an hour by default; also the size of each of the user's
     *                  buckets for what no guard here judges at once (remote mail; every message with the directory
     *                  hidden), one each for CANCELs, REPLYs and the rest
     * @param perPair   per local user and recipient: 50 at once, 300 an hour by default
     */
    public record Local(Rate perSender, Rate perPair) {
        /** Fills in the defaults. */
        public Local {
            perSender = perSender == null ? new Rate(200, 1000) : perSender;
            perPair = perPair == null ? new Rate(50, 300) : perPair;
        }
    }

    /**
     * A token bucket: up to {@code burst} messages at once, refilled at {@code perHour}.
     *
     * @param burst   the bucket's size
     * @param perHour the refill rate
     */
    public record Rate(int burst, int perHour) {
        /** Both must be positive. */
        public Rate {
            if (burst <= 0 || perHour <= 0) {
                throw new IllegalArgumentException("a rate needs a positive burst and perHour");
            }
        }
    }

    /**
     * @param users              alias sets: each entry is the addresses of one calendar user
     * @param proxies            who may act for whom (CalDAV proxies, trusted SENT-BY pairs)
     * @param maxDelegationDepth how long a chain of delegations may be
     * @param publicDomains      mailbox providers (gmail.com, …) whose users share a domain without being colleagues
     */
    public record Identity(List<List<String>> users, List<Proxy> proxies, int maxDelegationDepth,
                           List<String> publicDomains) {
        /** Copies the lists. */
        public Identity {
            users = users == null ? List.of() : users.stream().map(List::copyOf).toList();
            proxies = proxies == null ? List.of() : List.copyOf(proxies);
            publicDomains = publicDomains == null ? List.of() : List.copyOf(publicDomains);
            if (maxDelegationDepth <= 0) {
                throw new IllegalArgumentException("identity.maxDelegationDepth must be positive");
            }
        }
    }

    /**
     * @param delegate who acts, e.g. an assistant
     * @param actsFor  for whom: addresses, or {@code @domain}s
     */
    public record Proxy(String delegate, List<String> actsFor) {
        /** Copies the list. */
        public Proxy {
            actsFor = actsFor == null ? List.of() : List.copyOf(actsFor);
        }
    }

    /**
     * @param sentBy  where replies go when the ORGANIZER has a SENT-BY: organizer, sent-by or both
     * @param domains the same setting per organizer domain
     * @param users   the same setting per organizer address
     */
    public record Replies(String sentBy, Map<String, String> domains, Map<String, String> users) {
        /** Copies the maps. */
        public Replies {
            domains = domains == null ? Map.of() : Map.copyOf(domains);
            users = users == null ? Map.of() : Map.copyOf(users);
        }
    }

    /**
     * @param trustedAuthservIds  authserv-ids whose Authentication-Results headers are believed
     * @param trustedReceivedHops how many Received: fields of your own hosts may stand above a believed header
     * @param dkim                the guard's own DKIM verification: {@code off}, {@code dns} or {@code keys}
     * @param dkimKeys            with {@code keys}: TXT records by name ({@code selector._domainkey.domain})
     * @param calendarServices    DKIM signing domains of calendar services that send their users' invitations and
     *                            answers from their own servers; their pass vouches for the From address weakly
     */
    public record Imip(List<String> trustedAuthservIds, int trustedReceivedHops, String dkim,
                       Map<String, String> dkimKeys, List<String> calendarServices) {
        /** Copies the collections and checks the mode and the header trust. */
        public Imip {
            trustedAuthservIds = List.copyOf(trustedAuthservIds);
            calendarServices = calendarServices == null ? List.of() : calendarServices.stream()
                    .map(d -> d.strip().toLowerCase(java.util.Locale.ROOT)).toList();
            headerTrust(trustedAuthservIds, trustedReceivedHops); // refuses a bad id or hop count at start
            dkim = dkim == null ? "off" : dkim.strip().toLowerCase(java.util.Locale.ROOT);
            if (dkim.equals("false")) {
                dkim = "off"; // YAML 1.1 reads an unquoted off as false
            }
            if (!List.of("off", "dns", "keys").contains(dkim)) {
                throw new IllegalArgumentException("imip.dkim must be off, dns or keys, got " + dkim);
            }
            dkimKeys = dkimKeys == null ? Map.of() : Map.copyOf(dkimKeys);
        }

        /**
         * @param ids the trusted authserv-ids
         * @return these settings with other ids
         */
        public Imip withTrustedAuthservIds(List<String> ids) {
            return new Imip(ids, trustedReceivedHops, dkim, dkimKeys, calendarServices);
        }

        /** @return which Authentication-Results headers to believe on mail handed over by your MTA */
        public HeaderTrust headerTrust() {
            return headerTrust(trustedAuthservIds, trustedReceivedHops);
        }

        private static HeaderTrust headerTrust(List<String> ids, int hops) {
            return new HeaderTrust(Set.copyOf(ids), hops);
        }
    }

    /**
     * @param modules Guice module classes that add checks
     * @param jars    jar files or class folders to load them from
     */
    public record Checks(List<String> modules, List<String> jars) {
        /** Copies the lists. */
        public Checks {
            modules = List.copyOf(modules);
            jars = List.copyOf(jars);
        }
    }

    /**
     * @param rules              rules in order, first match wins
     * @param unlisted           the action per severity for findings no rule matches
     * @param flaggedTransparent true: a flagged invitation is delivered {@code TRANSP:TRANSPARENT} until the
     *                           recipient accepts it, so a doubtful invitation never blocks their free-busy time
     */
    public record PolicySettings(List<PolicyRuleSettings> rules, Map<String, String> unlisted,
                                 Boolean flaggedTransparent) {
        /** Copies the collections; an absent flaggedTransparent is true. */
        public PolicySettings {
            rules = List.copyOf(rules);
            unlisted = Map.copyOf(unlisted);
            flaggedTransparent = flaggedTransparent == null || flaggedTransparent;
        }

        /**
         * @param rules    rules in order
         * @param unlisted the action per severity
         */
        public PolicySettings(List<PolicyRuleSettings> rules, Map<String, String> unlisted) {
            this(rules, unlisted, true);
        }
    }

    /**
     * One policy rule as written in the file; {@link dev.inboxguard.policy.RulePolicy} validates it.
     *
     * @param code          finding code, {@code prefix.*} or {@code *}
     * @param methods       iTIP methods it applies to; empty for all
     * @param transports    {@code caldav} and/or {@code imip}; empty for both
     * @param recipients    recipient addresses or {@code @domain}s; empty for all
     * @param severities    the findings' severities it applies to; empty for all
     * @param action        deliver, flag, hold or reject
     * @param approver      recipient or organizer, for hold
     * @param requestStatus the REQUEST-STATUS for reject, e.g. {@code 3.8;No authority}
     * @param monitor       true: only watch the rule (report and audit what it would do), do not enforce it
     */
    public record PolicyRuleSettings(String code, List<String> methods, List<String> transports,
                                     List<String> recipients, List<String> severities, String action,
                                     String approver, String requestStatus, Boolean monitor) {
        /** Treats absent lists as empty. */
        public PolicyRuleSettings {
            methods = methods == null ? List.of() : List.copyOf(methods);
            transports = transports == null ? List.of() : List.copyOf(transports);
            recipients = recipients == null ? List.of() : List.copyOf(recipients);
            severities = severities == null ? List.of() : List.copyOf(severities);
        }
    }
}
