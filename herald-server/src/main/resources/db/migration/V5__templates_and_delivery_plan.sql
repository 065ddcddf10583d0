-- Templates (issue 5): a template is one (tenant, name, delivery channel, locale); its content is
-- versioned, every save a new version, the newest one current. tenant_id '' holds the system-wide
-- defaults a global API key writes; locale '' is the fallback for every locale.
create table template (
  id               uuid        primary key,
  tenant_id        text        not null,
  name             text        not null,
  delivery_channel text        not null check (delivery_channel in ('default', 'inApp', 'email', 'push')),
  locale           text        not null,
  version          integer     not null,
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  unique (tenant_id, name, delivery_channel, locale)
);

create table template_version (
  template_id uuid        not null references template (id) on delete cascade,
  version     integer     not null,
  content     json        not null,
  created_at  timestamptz not null default now(),
  primary key (template_id, version)
);

-- Why each delivery channel of a notification was used, held or suppressed, and which locale and
-- template version rendered it: {inApp: {decision, rule}, email: {...}, push: {...}, locale, template}.
-- json, not jsonb: written with every row and only ever read whole, so it is kept as text.
alter table notification add column explain json;

-- The locale of the user's last token that carried a `locale` claim (the row may hold no
-- preferences of the user's own: document '{}'). The tenant's default preferences live in the same
-- table under user_id '' (user ids are never empty).
alter table notification_preference add column token_locale text;

-- Email and push deliveries of notifications: created with the notification in one commit, 'held'
-- until the recipient's quiet hours end (run_at), then 'pending' for the delivery workers. Deleting
-- the notification deletes its jobs: what the user deleted is not sent.
create table delivery_job (
  id              uuid        primary key,
  notification_id uuid        not null references notification (id) on delete cascade,
  tenant_id       text        not null,
  recipient       text        not null,
  delivery_channel text       not null check (delivery_channel in ('email', 'push')),
  state           text        not null check (state in ('held', 'pending')),
  run_at          timestamptz not null,
  locale          text        not null,
  attempts        integer     not null default 0,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now()
);
create index delivery_job_due on delivery_job (state, run_at);
create index delivery_job_notification on delivery_job (notification_id);
