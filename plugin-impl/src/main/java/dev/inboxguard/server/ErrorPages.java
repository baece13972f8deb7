package dev.inboxguard.server;

import java.io.IOException;
import javax.servlet.RequestDispatcher;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee8.nested.ErrorHandler;
import org.eclipse.jetty.ee8.nested.Request;
import org.eclipse.jetty.http.HttpStatus;

/**
 * Jetty's error pages without the exception. Jetty's own handler, even with stacks off, puts an uncaught
 * exception's text in the page's title and message and one row for each cause, in HTML, plain text and JSON
 * alike: class names of the server and whatever data the exception carried. Here such a page says only its status;
 * the log has the exception. Refusals the server makes itself keep their reason.
 */
final class ErrorPages extends ErrorHandler {
    ErrorPages() {
        setShowStacks(false);
        setShowServlet(false);
    }

    @Override
    protected void generateAcceptableResponse(Request baseRequest, HttpServletRequest request,
                                              HttpServletResponse response, int code, String message)
            throws IOException {
        String shown = message;
        if (request.getAttribute(RequestDispatcher.ERROR_EXCEPTION) != null) {
            request.removeAttribute(RequestDispatcher.ERROR_EXCEPTION);
            request.removeAttribute(RequestDispatcher.ERROR_EXCEPTION_TYPE);
            request.setAttribute(RequestDispatcher.ERROR_MESSAGE, null);
            shown = HttpStatus.getMessage(code);
        }
        super.generateAcceptableResponse(baseRequest, request, response, code, shown);
    }
}
