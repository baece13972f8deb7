package dev.inboxguard.it;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test class that asserts on wall-clock time (an answer within a second, a stop within its deadline) or loads the
 * whole machine on purpose. The build runs the other classes in two JVMs at once, and these afterwards, one at a
 * time, so that no other test's load stretches the times they measure (integration-tests/pom.xml).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("wall-clock")
@interface WallClock {
}
