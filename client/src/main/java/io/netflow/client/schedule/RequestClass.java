package io.netflow.client.schedule;

/** How urgent a device's data request is, and so what it waits for. */
public enum RequestClass {
  /** Goes at once, whatever the device's state and the pay (a player's own data, needed now). */
  REALTIME,
  /** Waits for a well-paid window before its deadline, on an unmetered network or a small enough size, with battery to spare. */
  NORMAL,
  /** Waits for a well-paid window on an unmetered network while charging or well charged (large training data). */
  BULK
}
