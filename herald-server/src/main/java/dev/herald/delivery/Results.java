package dev.herald.delivery;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.bus.Bus;
import dev.herald.bus.Publication;
import dev.herald.ops.HeraldMetrics;
import dev.herald.store.Timestamps;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the ends of attempts: whatever has ended since the last statement goes in the next one
 * ({@link JobQueue#finish}), so a busy node writes a few statements a second instead of one per job.
 * After each, the recipients' sessions get {@code notificationStatus {notificationId, status,
 * channel, timestamp}} (seed 003) for email and push jobs that delivered or failed, and the engine is woken when a
 * retry was scheduled (its next due time may be sooner than the one it sleeps towards).
 *
 * <p>If PostgreSQL refuses a statement, the batch is kept and written again a second later; should
 * the node die meanwhile, the leases run out and the jobs run again (at least once).
 *
 * <p>Threads: {@link #add} from any thread; the writer on a virtual thread of its own.
 */
final class Results implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Results.class);
  private static final int MAX_BATCH = 1000;
  /** A batch smaller than this waits {@link DeliveryEngine#LINGER} for company. */
  private static final int LINGER_BELOW = 50;

  private final JobQueue queue;
  private final Bus bus;
  private final HeraldMetrics metrics;
  private final Runnable wake;
  private final LinkedBlockingQueue<JobQueue.Result> pending = new LinkedBlockingQueue<>();
  private volatile boolean closed;
  private Thread writer;

  Results(JobQueue queue, Bus bus, HeraldMetrics metrics, Runnable wake) {
    this.queue = queue;
    this.bus = bus;
    this.metrics = metrics;
    this.wake = wake;
  }

  void start() {
    writer = Thread.ofVirtual().name("herald-delivery-results").start(this::write);
  }

  void add(JobQueue.Result result) {
    pending.add(result);
  }

  private void write() {
    List<JobQueue.Result> batch = new ArrayList<>();
    while (!closed || !pending.isEmpty()) {
      try {
        if (batch.isEmpty()) {
          JobQueue.Result first = pending.poll(200, TimeUnit.MILLISECONDS);
          if (first == null) {
            continue;
          }
          batch.add(first);
          pending.drainTo(batch, MAX_BATCH - 1);
          if (batch.size() < LINGER_BELOW) {
            // a quiet moment: the ends of the next few milliseconds share this statement
            Thread.sleep(DeliveryEngine.LINGER.toMillis());
            pending.drainTo(batch, MAX_BATCH - batch.size());
          }
        }
        List<JobQueue.Finished> finished = queue.finish(batch);
        boolean retry = batch.stream().anyMatch(r -> "retrying".equals(r.state()));
        batch.clear();
        tell(finished);
        if (retry) {
          wake.run();
        }
      } catch (InterruptedException e) {
        if (closed) {
          flushOnce(batch);
          return;
        }
      } catch (RuntimeException e) {
        LOG.warn("recording {} delivery results: {}; trying again in 1 s", batch.size(), e.toString());
        if (closed) {
          return;
        }
        try {
          Thread.sleep(1000);
        } catch (InterruptedException ie) {
          if (closed) {
            return;
          }
        }
      }
    }
  }

  private void flushOnce(List<JobQueue.Result> batch) {
    pending.drainTo(batch);
    if (!batch.isEmpty()) {
      try {
        tell(queue.finish(batch));
      } catch (RuntimeException e) {
        LOG.warn("{} delivery results not recorded at close (their leases return the jobs): {}", batch.size(),
            e.toString());
      }
    }
  }

  /** {@code notificationStatus} to the recipients' sessions for what delivered or failed. */
  private void tell(List<JobQueue.Finished> finished) {
    for (JobQueue.Finished f : finished) {
      // the user hears of the channels that reach them (email, push), not of integrations (webhooks)
      if (f.recipient() == null || f.notificationId() == null || "webhook".equals(f.channel())
          || !("delivered".equals(f.state()) || "failed".equals(f.state()))) {
        continue;
      }
      ObjectNode status = JsonNodeFactory.instance.objectNode()
          .put("notificationId", f.notificationId().toString())
          .put("status", f.state())
          .put("channel", f.channel())
          .put("timestamp", Timestamps.iso(f.at()));
      bus.publish(Publication.event(f.tenant(), List.of("user:" + f.recipient()), "notificationStatus",
          status.toString()));
    }
  }

  @Override
  public void close() {
    closed = true;
    if (writer != null) {
      try {
        writer.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
