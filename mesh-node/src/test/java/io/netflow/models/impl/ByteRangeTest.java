package io.netflow.models.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import org.junit.jupiter.api.Test;

class ByteRangeTest {

  @Test
  void theFormsOfOneRange() {
    assertThat(ByteRange.parse(null, 100)).isEqualTo(new ByteRange(0, 99));
    assertThat(ByteRange.parse("bytes=0-9", 100)).isEqualTo(new ByteRange(0, 9));
    assertThat(ByteRange.parse("bytes=90-", 100)).isEqualTo(new ByteRange(90, 99));
    assertThat(ByteRange.parse("bytes=-10", 100)).isEqualTo(new ByteRange(90, 99));
    assertThat(ByteRange.parse("bytes=-500", 100)).isEqualTo(new ByteRange(0, 99));
    assertThat(ByteRange.parse("bytes=50-500", 100)).isEqualTo(new ByteRange(50, 99));
    assertThat(ByteRange.parse("bytes=10-19", 100).contentRange(100)).isEqualTo("bytes 10-19/100");
  }

  @Test
  void badRangesAre416() {
    for (String bad : new String[] {"bytes=100-", "bytes=5-2", "bytes=-0", "bytes=a-b", "items=0-1", "bytes=0-1,5-6", "bytes=7"}) {
      assertThatThrownBy(() -> ByteRange.parse(bad, 100)).as(bad)
        .isInstanceOfSatisfying(MeshException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RANGE_NOT_SATISFIABLE));
    }
  }
}
