-- Delivery beyond the tab (issue 12): the job engine's states, leases and log, notification types,
-- the user directory and webhook endpoints.

-- Notification types (contract part 2): per tenant, '' for the system-wide ones a global key writes.
-- The definition is validated by the API and read whole, so it is kept as json text.
create table notification_type (
  tenant_id  text        not null,
  type       text        not null,
  definition json        not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, type)
);

-- The user directory (Novu's subscribers, Knock's users): how to reach a user. Token claims fill
-- the gaps at connect time (claims_* columns), never overwriting what a service stored.
create table directory_user (
  tenant_id  text        not null,
  user_id    text        not null,
  email      text,
  name       text,
  locale     text,
  time_zone  text,
  data       jsonb,
  claim_email     text,
  claim_name      text,
  claim_locale    text,
  claim_time_zone text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, user_id)
);

-- Webhook endpoints (Standard Webhooks), per tenant. While a secret is rotated the previous one
-- keeps signing beside the new one until previous_secret_until.
create table webhook_endpoint (
  id                    uuid        primary key,
  tenant_id             text        not null,
  url                   text        not null,
  events                text[],
  description           text,
  secret                text        not null,
  previous_secret       text,
  previous_secret_until timestamptz,
  enabled               boolean     not null default true,
  disabled_reason       text,
  created_at            timestamptz not null default now(),
  updated_at            timestamptz not null default now()
);
create index webhook_endpoint_tenant on webhook_endpoint (tenant_id);

-- Delivery jobs become the engine's queue:
--   held -> pending -> running -> delivered | retrying -> running ... | failed (the dead letter)
--   | skipped (reason) | cancelled (an operator's)
-- A running job is leased (lease_until, leased_by = node name): a job whose lease ran out belongs
-- to a process that died and is claimed again (at least once; receivers dedupe by the stable id
-- each channel carries). Jobs of webhook endpoints and test-sends need no recipient; a test-send
-- belongs to no notification.
alter table delivery_job drop constraint delivery_job_delivery_channel_check;
alter table delivery_job drop constraint delivery_job_state_check;
alter table delivery_job alter column notification_id drop not null;
alter table delivery_job alter column recipient drop not null;
alter table delivery_job alter column locale set default '';
alter table delivery_job
  add constraint delivery_job_delivery_channel_check check (delivery_channel in ('email', 'push', 'webhook')),
  add constraint delivery_job_state_check check (state in ('held', 'pending', 'running', 'retrying', 'delivered',
    'failed', 'skipped', 'cancelled')),
  -- 'unread': when it falls due, the job runs only if the notification is still unread (else skipped: read)
  add column condition    text check (condition in ('unread')),
  add column endpoint_id  uuid references webhook_endpoint (id) on delete cascade,
  -- the webhook event (notification.created, notification.read, ..., webhook.test)
  add column event        text,
  -- a body of its own (test-sends); null: built from the notification when it runs
  add column payload      json,
  -- why a job was skipped, cancelled or failed, in the contract's words
  add column reason       text,
  add column last_error   text,
  -- where it went: the address, the URL (shown to operators)
  add column target       text,
  add column lease_until  timestamptz,
  add column leased_by    text,
  add column finished_at  timestamptz;

drop index delivery_job_due;
-- the claim: runnable jobs by due time
create index delivery_job_runnable on delivery_job (run_at) where state in ('pending', 'retrying');
-- held through quiet hours, released by due time
create index delivery_job_held on delivery_job (run_at) where state = 'held';
-- leases of processes that died
create index delivery_job_leased on delivery_job (lease_until) where state = 'running';
-- the operator's list, newest first per tenant (ids are UUIDv7: time-ordered)
create index delivery_job_tenant on delivery_job (tenant_id, id desc);
-- GDPR erasure and a user's deliveries
create index delivery_job_recipient on delivery_job (tenant_id, recipient, id desc);
create index delivery_job_endpoint on delivery_job (endpoint_id) where endpoint_id is not null;

-- The delivery log gets the job and the error of each attempt (seed 003's Notification_Delivery_Log:
-- channel, status, error message, attempt count, delivered at).
alter table delivery_log alter column notification_id drop not null;
alter table delivery_log add column job_id uuid, add column error text;
create index delivery_log_job on delivery_log (job_id) where job_id is not null;

-- Workers LISTEN on herald_delivery; inserting jobs, and a job becoming pending again (released
-- from quiet hours, retried by an operator), wakes them. NOTIFY is delivered at commit, and one per
-- transaction however many rows.
create function herald_delivery_wake() returns trigger language plpgsql as $$
begin
  perform pg_notify('herald_delivery', '');
  return null;
end $$;
create trigger delivery_job_inserted after insert on delivery_job
  for each statement execute function herald_delivery_wake();
create trigger delivery_job_pending after update of state on delivery_job
  for each row when (new.state = 'pending' and old.state is distinct from 'pending')
  execute function herald_delivery_wake();
