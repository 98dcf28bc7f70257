package io.netflow.client.schedule;

/** What the app tells the scheduler about the device, asked at every tick (keep it cheap). */
@FunctionalInterface
public interface DeviceConditions {
  Conditions now();
}
