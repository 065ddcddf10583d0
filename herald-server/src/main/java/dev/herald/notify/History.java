package dev.herald.notify;

import java.util.List;

/** A user's notification history: what a page asks for and what it holds. */
public final class History {
  private History() {}

  /**
   * Filters and position of a page; null fields do not filter.
   *
   * @param archived {@code false} (the default: not archived), {@code true} (only archived) or {@code all}
   * @param before keyset cursor: only notifications with a lower sequence
   * @param offset rows to skip (page-based paging; ignored with a cursor)
   */
  public record Query(String status, String channel, String type, Boolean unread, String archived, Long before,
      int limit, int offset) {}

  /** One page, newest first, and how many notifications match the filter in all. */
  public record Page(List<Notification> notifications, long total) {}
}
