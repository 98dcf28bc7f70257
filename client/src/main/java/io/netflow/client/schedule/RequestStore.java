package io.netflow.client.schedule;

import java.util.Collection;
import java.util.Optional;

/**
 * Where a device keeps its data requests until they end, and their receipts after. Bounded: past
 * its bounds {@link #put} refuses ({@link QueueFullException}) and nothing already kept is dropped
 * to make room. Implementations are thread-safe.
 */
public interface RequestStore {

  /**
   * Keeps a request; once this returns it survives a crash of the app.
   *
   * @return false when a request with this id is already kept or already ended (nothing changes)
   * @throws QueueFullException past the store's bounds
   */
  boolean put(DataRequest request);

  /** The requests not yet ended. */
  Collection<DataRequest> pending();

  /** Ends a request: its receipt is kept (durably) and the request leaves {@link #pending()}. */
  void end(Receipt receipt);

  /** The receipt of an ended request, while kept. */
  Optional<Receipt> receipt(String id);

  /** The refusal when a store is full; says which bound. */
  final class QueueFullException extends RuntimeException {
    public QueueFullException(String message) {
      super(message);
    }
  }
}
