package dev.herald.transport.engineio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class EnginePacketTest {
  @Test
  void payloadSplitsOnRecordSeparatorAndDecodesBinary() throws Exception {
    List<EnginePacket> packets = EnginePacket.decodePayload("4hello\u001ebAQIDBA==\u001e3");
    assertThat(packets).hasSize(3);
    assertThat(packets.get(0).text()).isEqualTo("hello");
    assertThat(packets.get(1).binary().getBytes()).containsExactly(1, 2, 3, 4);
    assertThat(packets.get(2).type()).isEqualTo(EnginePacket.Type.PONG);
  }

  @Test
  void pollingFormOfBinaryIsBPlusBase64() {
    StringBuilder sb = new StringBuilder();
    EnginePacket.binaryMessage(Buffer.buffer(new byte[] {1, 2, 3, 4})).appendPollingForm(sb);
    assertThat(sb).hasToString("bAQIDBA==");
  }

  @Test
  void invalidPayloadsAreProtocolErrors() {
    for (String bad : new String[] {"", "abc", "4a\u001e", "7", "b!!!"}) {
      assertThatThrownBy(() -> EnginePacket.decodePayload(bad)).as(bad).isInstanceOf(ProtocolException.class);
    }
  }
}
