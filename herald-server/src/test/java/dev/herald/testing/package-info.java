/** Test fixtures: a real Herald node in the test process ({@link dev.herald.testing.TestHerald}). */
package dev.herald.testing;
