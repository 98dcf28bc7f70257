package io.netflow.client.models;

/** A model version could not be taken: not signed by a trusted key, corrupt from every source, or unreachable. */
public class ModelSyncException extends RuntimeException {

  public ModelSyncException(String message) {
    super(message);
  }

  public ModelSyncException(String message, Throwable cause) {
    super(message, cause);
  }
}
