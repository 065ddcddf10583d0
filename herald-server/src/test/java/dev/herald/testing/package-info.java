/**
 * Test fixtures: a real Herald node in the test process ({@link dev.herald.testing.TestHerald});
 * Herald as an operator runs it, in a JVM of its own ({@link dev.herald.testing.HeraldProcess});
 * and a webhook receiver that can be stopped, slowed or made to hang ({@link dev.herald.testing.WebhookReceiver}).
 */
package dev.herald.testing;
