package io.netflow.client.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import io.netflow.client.MeshError;
import java.time.Duration;

/** Does one kind of data request (a contribution, an upload, a download); called on the scheduler's thread. */
@FunctionalInterface
public interface Carrier {

  /** What came of one try. */
  sealed interface Result {
  }

  /** Done: the receipt is kept (a contribution's credit, say). */
  record Done(JsonNode receipt) implements Result {
  }

  /**
   * Not now: the mesh is busy (429, 503) or out of reach; try again no sooner than {@code after}
   * (null: after the scheduler's own {@link SchedulerOptions#retry()}).
   */
  record Later(Duration after, String why) implements Result {
  }

  /** The request itself is wrong (a 4xx but 429): kept with the error as its receipt, never tried again. */
  record Refused(MeshError error) implements Result {
  }

  Result carry(DataRequest request);
}
