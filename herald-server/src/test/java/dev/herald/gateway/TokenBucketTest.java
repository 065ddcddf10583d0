package dev.herald.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
  @Test
  void burstIsAllowedThenRefusalsAreCountedInARow() {
    TokenBucket bucket = new TokenBucket(0.001, 3);
    assertThat(bucket.tryTake()).isTrue();
    assertThat(bucket.tryTake()).isTrue();
    assertThat(bucket.tryTake()).isTrue();
    assertThat(bucket.tryTake()).isFalse();
    assertThat(bucket.tryTake()).isFalse();
    assertThat(bucket.refusedInARow()).isEqualTo(2);
  }
}
