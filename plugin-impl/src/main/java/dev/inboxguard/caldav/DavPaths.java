package dev.inboxguard.caldav;

import org.apache.jackrabbit.webdav.AbstractLocatorFactory;

/**
 * Maps request URLs under the servlet's prefix to resource paths, one to one. The layout is
 * {@code /principals/USER/} and {@code /calendars/USER/...}.
 */
final class DavPaths extends AbstractLocatorFactory {
    static final String PRINCIPALS = "/principals";
    static final String CALENDARS = "/calendars";

    DavPaths(String prefix) {
        super(prefix);
    }

    @Override
    protected String getRepositoryPath(String resourcePath, String workspacePath) {
        return resourcePath;
    }

    @Override
    protected String getResourcePath(String repositoryPath, String workspacePath) {
        return repositoryPath;
    }
}
