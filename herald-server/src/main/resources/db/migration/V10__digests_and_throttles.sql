-- Digests and throttling (issue 13; contract part 2, "Notification types": digest, throttle).
--
-- A digest gathers the email or push messages of one recipient under one key (`type:<type>` for a
-- type's digest window, `channel:<notification channel>` for the user's hourly/daily preference)
-- and is sent as one message when it falls due. While it is open, new items join it; the claim of
-- its send job closes it (JobQueue), and a later item opens the next one. Items are the jobs of
-- the notifications it gathered, ended `skipped: digested` with digest_id set; the send job is the
-- job with digest_id set and no notification (one per push subscription for push).
create table digest (
  id               uuid        primary key,
  tenant_id        text        not null,
  recipient        text        not null,
  delivery_channel text        not null check (delivery_channel in ('email', 'push')),
  key              text        not null,
  state            text        not null default 'open' check (state in ('open', 'closed')),
  -- when the send job falls due (it may be held past it by quiet hours)
  due_at           timestamptz not null,
  -- how many items the message lists (the total is always given)
  max_items        int         not null check (max_items between 1 and 500),
  -- the template the message renders from (`<type>.digest`), the built-in layout when it has none
  template         text,
  item_count       int         not null default 0,
  created_at       timestamptz not null default now(),
  closed_at        timestamptz
);
-- one open digest per recipient, channel and key: the create's upsert joins it
create unique index digest_open on digest (tenant_id, recipient, delivery_channel, key) where state = 'open';
create index digest_recipient on digest (tenant_id, recipient);

alter table delivery_job add column digest_id uuid references digest (id) on delete cascade;
create index delivery_job_digest on delivery_job (digest_id) where digest_id is not null;

-- Throttling: per recipient, delivery channel and type, how many email/push messages the window
-- that opened at window_start has let through. A window lasts the type's `per`; the first message
-- after it opens the next. Reserved by the create before its insert (one row lock per key).
create table throttle_window (
  tenant_id        text        not null,
  recipient        text        not null,
  delivery_channel text        not null,
  type             text        not null,
  window_start     timestamptz not null,
  sent             int         not null,
  primary key (tenant_id, recipient, delivery_channel, type)
);
