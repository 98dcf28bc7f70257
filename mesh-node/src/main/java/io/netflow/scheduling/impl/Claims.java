package io.netflow.scheduling.impl;

import io.netflow.scheduling.WorkClass;
import io.netflow.scheduling.WorkItem;
import io.netflow.scheduling.WorkState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * Which of the waiting items a node claims now, given its room: REALTIME first, then NORMAL,
 * then BULK; within a class the earliest deadline first (then the oldest). BULK waits while the
 * mesh is busy unless its deadline is near, and then runs a few at a time.
 */
public final class Claims {

  /** The order work is taken in. */
  public static final Comparator<WorkItem> ORDER = Comparator.comparing(WorkItem::workClass)
    .thenComparingLong(WorkItem::deadline)
    .thenComparingLong(WorkItem::submittedAt)
    .thenComparing(WorkItem::id);

  /**
   * A node's room for more work.
   *
   * @param realtimeSlots items it may still start of class REALTIME (its whole concurrency)
   * @param otherSlots    items of other classes (its adaptive limit, less what runs)
   * @param bulkSlots     BULK items it may still start (fewer while the mesh is busy)
   * @param cost          cost units free
   * @param idle          whether nothing runs now (an item dearer than the whole budget may then run alone)
   */
  public record Room(int realtimeSlots, int otherSlots, int bulkSlots, double cost, boolean idle) {

    public boolean none() {
      return realtimeSlots <= 0 || cost <= 0 && !idle;
    }
  }

  private Claims() {
  }

  /**
   * @param waiting   queued (or lapsed) items this node has handlers for
   * @param placeable whether this node may run an item (role, region, model)
   * @param quiet     whether the mesh is quiet enough for BULK
   */
  public static List<WorkItem> choose(List<WorkItem> waiting, Predicate<WorkItem> placeable, Room room, boolean quiet,
                                      long now, long bulkUrgencyMs) {
    List<WorkItem> sorted = new ArrayList<>(waiting);
    sorted.sort(ORDER);
    List<WorkItem> chosen = new ArrayList<>();
    int realtime = room.realtimeSlots();
    int other = room.otherSlots();
    int bulk = room.bulkSlots();
    double cost = room.cost();
    for (WorkItem item : sorted) {
      if (realtime <= 0) {
        break;
      }
      if (item.state() == WorkState.QUEUED && item.notBefore() > now) {
        continue; // waiting out its retry backoff
      }
      boolean isRealtime = item.workClass() == WorkClass.REALTIME;
      if (!isRealtime && other <= 0) {
        continue;
      }
      boolean isBulk = item.workClass() == WorkClass.BULK;
      if (isBulk && (bulk <= 0 || !quiet && item.deadline() - now > bulkUrgencyMs)) {
        continue;
      }
      boolean alone = room.idle() && chosen.isEmpty();
      if (item.cost() > cost && !alone || !placeable.test(item)) {
        continue;
      }
      chosen.add(item);
      realtime--;
      other--;
      bulk -= isBulk ? 1 : 0;
      cost -= item.cost();
    }
    return chosen;
  }
}
