/**
 * Time as a dependency: {@link dev.herald.time.Scheduler} (timers) beside {@link java.time.Clock}
 * (the current instant), so that code with re-sends, releases and windows is tested by moving time,
 * not by waiting for it. A leaf: it depends on nothing of Herald's.
 */
package dev.herald.time;
