/**
 * Notification templates: logic-less Mustache (JMustache) per name × delivery channel × locale,
 * versioned in PostgreSQL, tenant-scoped with system-wide defaults. Checked at save time with the
 * line and column of the first mistake ({@link TemplateSyntax}); rendered plain for in-app and push
 * text and HTML-escaped for email HTML ({@link Renderer}); picked with the locale fallback
 * {@code de-AT → de → default} ({@link Locales}, {@link TemplateSet}). Compiled templates are cached
 * per node and replaced when this node writes them. Bodies are read in Herald's field names or seed
 * 003's ({@code TemplateBody}).
 */
package dev.herald.templates;
