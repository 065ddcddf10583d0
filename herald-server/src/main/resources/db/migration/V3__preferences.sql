-- A user's notification preferences (seed 003's document, with Herald's extensions), one row per
-- user and tenant. json, not jsonb: the document comes back exactly as it was stored, keys in order.
create table notification_preference (
  tenant_id  text        not null,
  user_id    text        not null,
  document   json        not null,
  updated_at timestamptz not null default now(),
  primary key (tenant_id, user_id)
);
