package dev.herald.gateway;

/**
 * Inbound rate limit of one connection: {@code burst} tokens, refilled at {@code ratePerSecond}.
 * Counts refusals in a row so a persistent flood can be told from a burst.
 *
 * <p>Not thread-safe: owned by the connection's event loop.
 */
public final class TokenBucket {
  private final double ratePerNano;
  private final int burst;
  private double tokens;
  private long last;
  private int refusedInARow;

  public TokenBucket(double ratePerSecond, int burst) {
    this.ratePerNano = ratePerSecond / 1e9;
    this.burst = burst;
    this.tokens = burst;
    this.last = System.nanoTime();
  }

  /** Takes one token; false when none is left. */
  public boolean tryTake() {
    long now = System.nanoTime();
    tokens = Math.min(burst, tokens + (now - last) * ratePerNano);
    last = now;
    if (tokens >= 1) {
      tokens -= 1;
      refusedInARow = 0;
      return true;
    }
    refusedInARow++;
    return false;
  }

  /** Refusals since the last accepted message. */
  public int refusedInARow() {
    return refusedInARow;
  }
}
