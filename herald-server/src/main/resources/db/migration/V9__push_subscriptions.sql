-- Web Push (issue 13): the browsers' PushSubscription.toJSON() per user. One row per endpoint and
-- tenant: the same endpoint subscribed again updates its keys (and its user: a browser shared by
-- two accounts belongs to the last one). p256dh is the browser's uncompressed P-256 public key (65
-- bytes) and auth its 16-byte secret, both base64url as the browser gives them (RFC 8291 §3).
create table push_subscription (
  id              uuid        primary key,
  tenant_id       text        not null,
  user_id         text        not null,
  endpoint        text        not null,
  p256dh          text        not null,
  auth            text        not null,
  expiration_time timestamptz,
  user_agent      text,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  last_success_at timestamptz,
  unique (tenant_id, endpoint)
);
create index push_subscription_user on push_subscription (tenant_id, user_id);

-- A push job goes to one subscription (the create expands a push row per subscription of the
-- recipient, as webhooks per endpoint). A subscription removed later (404/410, the user's DELETE)
-- leaves its jobs' history; a job not yet sent then ends skipped: no-subscription.
alter table delivery_job add column subscription_id uuid references push_subscription (id) on delete set null;
