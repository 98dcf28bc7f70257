package io.netflow.client.schedule;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The bookkeeping both stores share: pending requests within their bounds, receipts kept oldest
 * first up to theirs. Subclasses make each change durable in the hooks, which run before the
 * change is visible (a hook that throws leaves the store as it was).
 */
abstract class BoundedStore implements RequestStore {

  private final int maxPending;
  private final long maxPendingBytes;
  private final int maxReceipts;
  private final Map<String, DataRequest> pending = new LinkedHashMap<>();
  private final LinkedHashMap<String, Receipt> receipts = new LinkedHashMap<>();
  private long pendingBytes;

  BoundedStore(int maxPending, long maxPendingBytes, int maxReceipts) {
    if (maxPending < 1 || maxPendingBytes < 1 || maxReceipts < 0) {
      throw new IllegalArgumentException("bounds must be positive");
    }
    this.maxPending = maxPending;
    this.maxPendingBytes = maxPendingBytes;
    this.maxReceipts = maxReceipts;
  }

  /** Makes a new pending request durable. */
  abstract void savePending(DataRequest request);

  /** Makes a receipt durable, then lets go of its pending request. */
  abstract void saveReceipt(Receipt receipt, boolean wasPending);

  /** Lets go of a receipt past {@code maxReceipts}. */
  abstract void dropReceipt(String id);

  /** Loads what a previous run kept (no bounds checked: it was accepted then). */
  final synchronized void restore(Collection<DataRequest> waiting, Collection<Receipt> ended) {
    ended.forEach(r -> receipts.put(r.id(), r));
    for (DataRequest r : waiting) {
      pending.put(r.id(), r);
      pendingBytes += r.size();
    }
  }

  @Override
  public final synchronized boolean put(DataRequest request) {
    if (pending.containsKey(request.id()) || receipts.containsKey(request.id())) {
      return false;
    }
    if (pending.size() >= maxPending) {
      throw new QueueFullException("the device already holds " + pending.size() + " pending requests (maxPending); "
        + "request " + request.id() + " is not kept");
    }
    if (pendingBytes + request.size() > maxPendingBytes) {
      throw new QueueFullException("request " + request.id() + " of " + request.size() + " bytes would take the pending "
        + "requests past maxPendingBytes (" + maxPendingBytes + "); it is not kept");
    }
    savePending(request);
    pending.put(request.id(), request);
    pendingBytes += request.size();
    return true;
  }

  @Override
  public final synchronized Collection<DataRequest> pending() {
    return new ArrayList<>(pending.values());
  }

  @Override
  public final synchronized void end(Receipt receipt) {
    saveReceipt(receipt, pending.containsKey(receipt.id()));
    receipts.remove(receipt.id());
    receipts.put(receipt.id(), receipt);
    DataRequest r = pending.remove(receipt.id());
    if (r != null) {
      pendingBytes -= r.size();
    }
    while (receipts.size() > maxReceipts) {
      String oldest = receipts.keySet().iterator().next();
      dropReceipt(oldest);
      receipts.remove(oldest);
    }
  }

  @Override
  public final synchronized Optional<Receipt> receipt(String id) {
    return Optional.ofNullable(receipts.get(id));
  }
}
