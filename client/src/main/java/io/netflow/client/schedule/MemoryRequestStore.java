package io.netflow.client.schedule;

/**
 * A store in memory, with the same bounds as {@link FileRequestStore}: for tests and simulations,
 * or an app that keeps nothing across restarts.
 */
public final class MemoryRequestStore extends BoundedStore {

  public MemoryRequestStore(int maxPending, long maxPendingBytes, int maxReceipts) {
    super(maxPending, maxPendingBytes, maxReceipts);
  }

  @Override
  void savePending(DataRequest request) {
  }

  @Override
  void saveReceipt(Receipt receipt, boolean wasPending) {
  }

  @Override
  void dropReceipt(String id) {
  }
}
