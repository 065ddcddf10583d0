package dev.herald.transport.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.herald.transport.engineio.ProtocolException;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

class SioCodecTest {
  @Test
  void connectWithoutNamespaceOrPayloadIsTheMainNamespace() throws Exception {
    assertThat(SioCodec.decode("0")).isEqualTo(new SioPacket.Connect("/", null));
  }

  @Test
  void namespaceRunsToTheCommaOrTheEnd() throws Exception {
    assertThat(((SioPacket.Connect) SioCodec.decode("0/custom")).nsp()).isEqualTo("/custom");
    assertThat(((SioPacket.Connect) SioCodec.decode("0/custom,{\"token\":\"abc\"}")).data().get("token").asText())
        .isEqualTo("abc");
  }

  @Test
  void eventWithAckIdKeepsTheIdAndArguments() throws Exception {
    SioPacket.Event e = (SioPacket.Event) SioCodec.decode("2/events,12[\"join\",{\"room\":\"a\"}]");
    assertThat(e.nsp()).isEqualTo("/events");
    assertThat(e.id()).isEqualTo(12L);
    assertThat(e.args().get(1).get("room").asText()).isEqualTo("a");
  }

  @Test
  void binaryEventIsReassembledFromItsAttachments() throws Exception {
    SioCodec.Reassembly r = (SioCodec.Reassembly) SioCodec.decode(
        "52-[\"m\",{\"_placeholder\":true,\"num\":1},{\"_placeholder\":true,\"num\":0}]");
    assertThat(r.add(Buffer.buffer(new byte[] {1}))).isNull();
    SioPacket.Event e = (SioPacket.Event) r.add(Buffer.buffer(new byte[] {2}));
    assertThat(e.args().get(1).binaryValue()).containsExactly(2);
    assertThat(e.args().get(2).binaryValue()).containsExactly(1);
  }

  @Test
  void binaryArgumentsAreEncodedAsPlaceholdersInTraversalOrder() {
    ArrayNode args = JsonNodeFactory.instance.arrayNode().add("m")
        .add(BinaryNode.valueOf(new byte[] {1, 2, 3}));
    args.addObject().set("x", BinaryNode.valueOf(new byte[] {4}));
    SioCodec.Encoded enc = SioCodec.event("/", null, args);
    assertThat(enc.text())
        .isEqualTo("52-[\"m\",{\"_placeholder\":true,\"num\":0},{\"x\":{\"_placeholder\":true,\"num\":1}}]");
    assertThat(enc.attachments()).extracting(Buffer::length).containsExactly(3, 1);
  }

  @Test
  void ackInACustomNamespaceKeepsTheCommaBeforeTheId() {
    ArrayNode args = JsonNodeFactory.instance.arrayNode().add(1);
    assertThat(SioCodec.ack("/events", 7, args).text()).isEqualTo("3/events,7[1]");
  }

  @Test
  void malformedPacketsAreProtocolErrors() {
    for (String bad : new String[] {"", "9", "abc", "2{}", "2[]", "2[\"connect\"]", "2abc[\"x\"]", "3[1]",
        "1{}", "0[1]", "5x-[\"m\"]", "51000-[\"m\"]", "2[\"x\""}) {
      assertThatThrownBy(() -> SioCodec.decode(bad)).as(bad).isInstanceOf(ProtocolException.class);
    }
  }

  @Test
  void attachmentIndexOutsideTheReceivedOnesIsRefused() throws Exception {
    SioCodec.Reassembly r = (SioCodec.Reassembly) SioCodec.decode("51-[\"m\",{\"_placeholder\":true,\"num\":3}]");
    assertThatThrownBy(() -> r.add(Buffer.buffer(new byte[] {1}))).isInstanceOf(ProtocolException.class);
  }
}
