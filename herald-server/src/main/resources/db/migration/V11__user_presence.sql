-- Presence (issue 14): when each user was last seen (seed 000's UserPresence.lastSeenAt), written
-- in batches when users go offline and when a node stops; live status is in memory.
create table user_presence (
  tenant_id    text        not null,
  user_id      text        not null,
  last_seen_at timestamptz not null,
  primary key (tenant_id, user_id)
);
