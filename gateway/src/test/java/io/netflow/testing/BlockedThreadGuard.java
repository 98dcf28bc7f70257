package io.netflow.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Fails a test during which Vert.x warned that an event loop was blocked: code that blocks a loop
 * (disk, a cluster call, hashing) must move to {@code executeBlocking}, and this keeps it so.
 * Registered for every test by the JUnit service file beside it (extension auto-detection).
 */
public final class BlockedThreadGuard implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {

  /** The logger of Vert.x's blocked-thread checker. */
  static final String CHECKER = "io.vertx.core.impl.BlockedThreadChecker";

  private static final Catcher CATCHER = new Catcher();

  static {
    Logger checker = (Logger) LoggerFactory.getLogger(CHECKER);
    CATCHER.setContext(checker.getLoggerContext());
    CATCHER.start();
    checker.addAppender(CATCHER);
  }

  /** Keeps the blocked-thread warnings logged since it was last drained. */
  private static final class Catcher extends AppenderBase<ILoggingEvent> {
    private final List<String> warnings = new ArrayList<>();

    @Override
    protected synchronized void append(ILoggingEvent event) {
      if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
        warnings.add(event.getFormattedMessage() + where(event.getThrowableProxy()));
      }
    }

    /** The project's frames of the blocked loop's stack, when Vert.x logged it: CI keeps only the failure's message. */
    private static String where(IThrowableProxy stack) {
      if (stack == null) {
        return "";
      }
      StackTraceElementProxy[] frames = stack.getStackTraceElementProxyArray();
      StringBuilder out = new StringBuilder(frames.length == 0 ? "" : ", in " + frames[0].getStackTraceElement() + ";");
      Arrays.stream(frames).map(f -> f.getStackTraceElement().toString()).filter(f -> f.contains("io.netflow."))
        .limit(4).forEach(f -> out.append(" ").append(f));
      return out.toString();
    }

    synchronized List<String> drain() {
      List<String> out = List.copyOf(warnings);
      warnings.clear();
      return out;
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    // What an earlier class left behind after its last check (its nodes closing) is not this class's.
    CATCHER.drain();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    check(context);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    check(context);
  }

  private static void check(ExtensionContext context) {
    List<String> warnings = CATCHER.drain();
    if (!warnings.isEmpty()) {
      throw new AssertionError("Vert.x reported a blocked event loop during " + context.getDisplayName() + " ("
        + warnings.size() + " warning(s)); the first: " + warnings.get(0)
        + " (the whole stack is in the test's log, after 'Thread blocked')");
    }
  }
}
