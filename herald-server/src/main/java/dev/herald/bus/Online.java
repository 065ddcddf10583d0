package dev.herald.bus;

/**
 * The port through which the domain asks whether a user is connected right now (a notification
 * type's {@code when: offline}: "the recipient has no live session when the notification is
 * created"). The gateway implements it from its {@code user:<id>} rooms; notify calls it while it
 * plans a create. Only this node's sessions count until presence spans the cluster.
 *
 * <p>Called on any thread; must not block.
 */
public interface Online {
  /** Whether {@code userId} of {@code tenant} has a registered session. */
  boolean hasSession(String tenant, String userId);

  /** For a node without a gateway: nobody is online. */
  Online NONE = (tenant, userId) -> false;

  /**
   * An {@link Online} bound after it is handed out, for a composition root that builds the domain
   * before the gateway that answers for it. Nobody is online until {@link #bind} is called.
   */
  final class Deferred implements Online {
    /** Written once by the composition root, read by any thread. */
    private volatile Online target = NONE;

    public void bind(Online online) {
      this.target = online;
    }

    @Override
    public boolean hasSession(String tenant, String userId) {
      return target.hasSession(tenant, userId);
    }
  }
}
