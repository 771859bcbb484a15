package org.dvgs.l1000;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import org.dvgs.output.ScaleManifest;

/**
 * Peak heap of this JVM while a piece of work runs: the highest heap in use sampled every 20 ms (live objects plus
 * garbage not yet collected, an over-estimate) and the highest heap in use right after a garbage collection
 * (what the work actually kept reachable, plus old garbage a young collection left). In Spark local mode the
 * driver and the executor share this JVM, so both figures bound each of them from above.
 */
final class HeapProbe implements AutoCloseable, NotificationListener {
  private final Thread sampler;
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private volatile boolean running = true;
  private volatile long peakUsed;
  private volatile long peakAfterGc;
  private volatile long collections;

  HeapProbe() {
    System.gc(); // start from the live set, not from the previous stage's garbage
    peakUsed = used();
    peakAfterGc = peakUsed;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter e) {
        e.addNotificationListener(this, null, null);
        emitters.add(e);
      }
    }
    sampler = new Thread(this::sample, "dvgs-heap-probe");
    sampler.setDaemon(true);
    sampler.start();
  }

  private static long used() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private void sample() {
    while (running) {
      long u = used();
      if (u > peakUsed) {
        peakUsed = u;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  @Override
  public void handleNotification(Notification n, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
      return;
    }
    GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
    long after = 0;
    for (MemoryUsage mu : info.getGcInfo().getMemoryUsageAfterGc().values()) {
      after += mu.getUsed();
    }
    // Non-heap pools (metaspace, code cache) are in that map too; subtract them to keep heap only.
    for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
      if (!isHeapPool(e.getKey())) {
        after -= e.getValue().getUsed();
      }
    }
    collections++;
    if (after > peakAfterGc) {
      peakAfterGc = after;
    }
  }

  private static boolean isHeapPool(String name) {
    String n = name.toLowerCase(java.util.Locale.ROOT);
    return n.contains("eden") || n.contains("survivor") || n.contains("old") || n.contains("tenured") || n.contains("humongous");
  }

  /** Peaks in MB, and the JVM's maximum heap. */
  ScaleManifest.Heap result() {
    return new ScaleManifest.Heap(peakUsed / (1024.0 * 1024.0), peakAfterGc / (1024.0 * 1024.0),
        Runtime.getRuntime().maxMemory() / (1024.0 * 1024.0), collections);
  }

  @Override
  public void close() {
    running = false;
    sampler.interrupt();
    for (NotificationEmitter e : emitters) {
      try {
        e.removeNotificationListener(this);
      } catch (ListenerNotFoundException ignored) {
        // already gone
      }
    }
  }
}
