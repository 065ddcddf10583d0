package dev.herald.http;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Every log event of the process from {@link #start} to {@link #close}, from a Logback
 * {@link ListAppender} on the root logger: what an operator's log would have received. Reads lock the
 * appender, which {@code AppenderBase.doAppend} holds while adding.
 */
final class CapturedLogs implements AutoCloseable {
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  private CapturedLogs() {
    appender.start();
    root.addAppender(appender);
  }

  static CapturedLogs start() {
    return new CapturedLogs();
  }

  /** The events of a level above {@code level}, as {@code LEVEL logger - message} lines. */
  List<String> above(Level level) {
    synchronized (appender) {
      return appender.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(level) && e.getLevel() != level)
          .map(e -> e.getLevel() + " " + e.getLoggerName() + " - " + e.getFormattedMessage()
              + (e.getThrowableProxy() == null ? "" : " (" + e.getThrowableProxy().getClassName() + ")"))
          .toList();
    }
  }

  /** The events at exactly {@code level}. */
  List<ILoggingEvent> at(Level level) {
    synchronized (appender) {
      return appender.list.stream().filter(e -> e.getLevel() == level).toList();
    }
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
  }
}
