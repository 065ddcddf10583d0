-- Durable notifications (seeds 000 and 003). Every table is tenant-scoped: the tenant is part of
-- every key and every query. Timestamps are timestamptz (UTC on the wire).

-- One row per recipient of a notification. seq is the recipient's own sequence, assigned when the
-- notification is released to the recipient (at creation, or when a scheduled one falls due), so the
-- order of seq is the order of delivery and "everything after seq N" is exact.
create table notification (
  id            uuid        primary key,
  tenant_id     text        not null,
  recipient     text        not null,
  seq           bigint,
  type          text        not null,
  title         text        not null,
  message       text        not null,
  channel       text        not null,
  priority      text        not null check (priority in ('low', 'medium', 'high', 'urgent')),
  status        text        not null check (status in ('pending', 'delivered', 'read', 'failed')),
  data          jsonb,
  action_url    text,
  actor         text,
  resource_type text,
  resource_id   text,
  requires_ack  boolean     not null default false,
  request_id    uuid        not null,
  scheduled_at  timestamptz,
  created_at    timestamptz not null default now(),
  released_at   timestamptz,
  delivered_at  timestamptz,
  read_at       timestamptz,
  seen_at       timestamptz,
  archived_at   timestamptz,
  constraint notification_seq_released check ((seq is null) = (released_at is null))
);

-- history and replay: newest first, or everything after a sequence
create unique index notification_recipient_seq on notification (tenant_id, recipient, seq) where seq is not null;
-- the badge: unread and not archived
create index notification_recipient_unread on notification (tenant_id, recipient, seq)
  where read_at is null and archived_at is null and seq is not null;
-- retention and operator queries by age
create index notification_created on notification (created_at);
-- the scheduler's queue: what is not released yet, by due time
create index notification_due on notification (scheduled_at) where released_at is null;
-- all rows of one create call (idempotent answers, admin views)
create index notification_request on notification (request_id);

-- The last sequence handed out per recipient.
create table recipient_sequence (
  tenant_id text   not null,
  recipient text   not null,
  last_seq  bigint not null,
  primary key (tenant_id, recipient)
);

-- What happened to each notification on each channel: every attempt, ack and read (seed 003).
create table delivery_log (
  id            bigint generated always as identity primary key,
  notification_id uuid      not null,
  tenant_id     text        not null,
  channel       text        not null,
  status        text        not null,
  detail        text,
  attempt_count integer     not null default 1,
  delivered_at  timestamptz,
  created_at    timestamptz not null default now()
);
create index delivery_log_notification on delivery_log (notification_id);

-- Idempotency-Key records of POST /api/notifications: the request's hash, and the answer once the
-- request committed (state 'done'); 'in_flight' while it runs.
create table idempotency_key (
  tenant_id       text        not null,
  key             text        not null,
  request_hash    bytea       not null,
  state           text        not null check (state in ('in_flight', 'done')),
  response_status integer,
  response_body   text,
  created_at      timestamptz not null default now(),
  primary key (tenant_id, key)
);
create index idempotency_key_created on idempotency_key (created_at);
