/**
 * Request validation shared by every route and client command: {@link dev.herald.validation.InvalidRequest}
 * (a refusal with its status and one entry per offending field) and {@link dev.herald.validation.Fields}
 * (the name rule, the text-field check, ids and abbreviated echoes). A leaf: it depends on nothing of Herald's.
 */
package dev.herald.validation;
