package io.netflow.client.schedule;

/**
 * The device's state as the app sees it now.
 *
 * @param online            any network at all
 * @param unmetered         on an unmetered network (Wi-Fi at home, not mobile data)
 * @param charging          plugged in
 * @param idle              the user is not using the device (no game running)
 * @param battery           charge, 0 to 1
 * @param maxBytesPerSecond the most the app lets the scheduler use now ({@link Long#MAX_VALUE}: no cap)
 */
public record Conditions(boolean online, boolean unmetered, boolean charging, boolean idle, double battery,
                         long maxBytesPerSecond) {

  /** Online, unmetered, charging, idle, full, no cap. */
  public static final Conditions IDEAL = new Conditions(true, true, true, true, 1.0, Long.MAX_VALUE);

  public Conditions {
    if (battery < 0 || battery > 1 || maxBytesPerSecond < 0) {
      throw new IllegalArgumentException("battery is 0 to 1 and maxBytesPerSecond not negative");
    }
  }
}
