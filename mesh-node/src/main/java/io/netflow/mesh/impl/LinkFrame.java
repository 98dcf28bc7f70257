package io.netflow.mesh.impl;

import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.EnvelopeCodec;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.ImmutableCodec;
import io.netflow.gateway.protocol.MeshException;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What one node's links to another send in one turn of their event loop, as one event-bus request
 * to the other's frames address ({@link FrameSender}). Each envelope carries a sequence number its
 * answer comes back with, in the frame's reply or, when the node answers it later, in a reply
 * further along the frame's conversation ({@link FrameReceiver}).
 *
 * <pre>
 * byte    version (1)
 * int     item count, then per item:
 *   long  sequence number
 *   int   envelope length, then the envelope ({@link EnvelopeCodec})
 * </pre>
 */
public record LinkFrame(List<Item> items) {

  /**
   * One envelope of a frame, or (on the receiving side) the reason it could not be read: one
   * corrupt envelope is answered MALFORMED and does not cost the others their answers.
   */
  public record Item(long seq, Envelope envelope, MeshException unreadable) {

    public Item(long seq, Envelope envelope) {
      this(seq, envelope, null);
    }
  }

  /** The frame's binary form; within one node the frame is passed as is. */
  public static final class Codec extends ImmutableCodec<LinkFrame> {

    /** The codec's registered name: part of the protocol between nodes, never changed. */
    public static final String NAME = "netflow.link-frame";
    private static final byte VERSION = 1;

    public Codec() {
      super(NAME);
    }
    private final EnvelopeCodec envelopes = new EnvelopeCodec();

    @Override
    public void encodeToWire(Buffer buffer, LinkFrame frame) {
      buffer.appendByte(VERSION).appendInt(frame.items().size());
      for (Item item : frame.items()) {
        buffer.appendLong(item.seq());
        int lengthAt = buffer.length();
        buffer.appendInt(0);
        envelopes.encodeToWire(buffer, item.envelope());
        buffer.setInt(lengthAt, buffer.length() - lengthAt - 4);
      }
    }

    /**
     * Reads a frame a peer sent.
     *
     * @throws MeshException MALFORMED when the frame itself is truncated or corrupt
     */
    @Override
    public LinkFrame decodeFromWire(int pos, Buffer buffer) {
      try {
        if (buffer.getByte(pos) != VERSION) {
          throw new MeshException(ErrorCode.MALFORMED, "link frame wire version " + buffer.getByte(pos) + " is not supported");
        }
        int[] at = {pos + 5};
        int count = buffer.getInt(pos + 1);
        if (count < 0 || count > (buffer.length() - at[0]) / 12) {
          throw new MeshException(ErrorCode.MALFORMED, "link frame claims " + count + " items");
        }
        List<Item> items = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          long seq = buffer.getLong(at[0]);
          int length = buffer.getInt(at[0] + 8);
          int start = at[0] + 12;
          if (length < 0 || length > buffer.length() - start) {
            throw new MeshException(ErrorCode.MALFORMED, "link frame item of " + length + " bytes overruns the frame");
          }
          at[0] = start + length;
          items.add(read(seq, buffer.slice(start, start + length)));
        }
        return new LinkFrame(items);
      } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
        throw new MeshException(ErrorCode.MALFORMED, "truncated or corrupt link frame: " + e.getClass().getSimpleName());
      }
    }

    private Item read(long seq, Buffer envelope) {
      try {
        return new Item(seq, envelopes.decodeFromWire(0, envelope));
      } catch (MeshException unreadable) {
        return new Item(seq, null, unreadable);
      }
    }
  }

  /** Strings of the frames' wire forms. */
  static final class Wire {

    static void appendString(Buffer buffer, String s) {
      byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
      buffer.appendInt(bytes.length).appendBytes(bytes);
    }

    static String readString(Buffer buffer, int[] at) {
      int length = buffer.getInt(at[0]);
      if (length < 0 || length > buffer.length() - at[0] - 4) {
        throw new MeshException(ErrorCode.MALFORMED, "string of " + length + " bytes overruns the frame");
      }
      String s = buffer.getString(at[0] + 4, at[0] + 4 + length, StandardCharsets.UTF_8.name());
      at[0] += 4 + length;
      return s;
    }

    private Wire() {
    }
  }
}
