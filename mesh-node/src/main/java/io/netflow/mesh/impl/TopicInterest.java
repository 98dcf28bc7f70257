package io.netflow.mesh.impl;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which nodes subscribe to which topics, as this node knows it: its own topics and what every peer
 * has told it of theirs ({@link InterestSync}). A publication goes to exactly the nodes listed for
 * its topic; no list is cut to fit.
 *
 * <p>Written only on the data plane's event loop; {@link #nodes} and the counts may be read from any
 * thread. A topic's node set is an immutable array replaced on change, so a publication reads it
 * without a lock while subscriptions come and go.
 */
public final class TopicInterest {

  private static final String[] NONE = new String[0];

  private final ConcurrentHashMap<String, String[]> nodesByTopic = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> topicsByNode = new ConcurrentHashMap<>();
  // One instance of each node id, however many topics name it.
  private final Map<String, String> ids = new HashMap<>();

  /** The nodes that subscribe to {@code topic} (an empty array when none); never modify it. */
  public String[] nodes(String topic) {
    return nodesByTopic.getOrDefault(topic, NONE);
  }

  /** Records that {@code node} subscribes to {@code topic}; true when it is new. */
  public boolean add(String node, String topic) {
    if (!topicsByNode.computeIfAbsent(node, n -> ConcurrentHashMap.newKeySet()).add(topic)) {
      return false;
    }
    String id = ids.computeIfAbsent(node, n -> n);
    nodesByTopic.compute(topic, (t, old) -> {
      if (old == null) {
        return new String[] {id};
      }
      String[] more = java.util.Arrays.copyOf(old, old.length + 1);
      more[old.length] = id;
      return more;
    });
    return true;
  }

  /** Records that {@code node} no longer subscribes to {@code topic}; true when it did. */
  public boolean remove(String node, String topic) {
    Set<String> topics = topicsByNode.get(node);
    if (topics == null || !topics.remove(topic)) {
      return false;
    }
    unlist(node, topic);
    return true;
  }

  /** Makes {@code topics} exactly what {@code node} subscribes to (a peer's full list). */
  public void replace(String node, Collection<String> topics) {
    Set<String> wanted = new HashSet<>(topics);
    Set<String> held = topicsByNode.getOrDefault(node, Set.of());
    for (String gone : Set.copyOf(held)) {
      if (!wanted.contains(gone)) {
        remove(node, gone);
      }
    }
    for (String t : wanted) {
      add(node, t);
    }
  }

  /** Forgets everything {@code node} subscribed to (it left the mesh); returns how many topics that was. */
  public int dropNode(String node) {
    Set<String> topics = topicsByNode.remove(node);
    ids.remove(node);
    if (topics == null) {
      return 0;
    }
    topics.forEach(t -> unlist(node, t));
    return topics.size();
  }

  /** The topics {@code node} subscribes to, as a copy. */
  public Set<String> topicsOf(String node) {
    return Set.copyOf(topicsByNode.getOrDefault(node, Set.of()));
  }

  /** How many topics {@code node} subscribes to. */
  public int count(String node) {
    Set<String> topics = topicsByNode.get(node);
    return topics == null ? 0 : topics.size();
  }

  /** How many distinct topics any node subscribes to. */
  public int topics() {
    return nodesByTopic.size();
  }

  /** How many (node, topic) subscriptions are known in all. */
  public long subscriptions() {
    long n = 0;
    for (Set<String> topics : topicsByNode.values()) {
      n += topics.size();
    }
    return n;
  }

  /** The nodes with at least one topic. */
  public Set<String> nodesWithTopics() {
    return Set.copyOf(topicsByNode.keySet());
  }

  private void unlist(String node, String topic) {
    nodesByTopic.computeIfPresent(topic, (t, old) -> {
      if (old.length == 1) {
        return old[0].equals(node) ? null : old;
      }
      String[] fewer = new String[old.length - 1];
      int i = 0;
      for (String n : old) {
        if (!n.equals(node) && i < fewer.length) {
          fewer[i++] = n;
        }
      }
      return i == fewer.length ? fewer : old;
    });
  }
}
