-- Webhook lifecycle events (issue 12): notification.delivered, notification.read and
-- notification.failed go to the endpoints subscribed to them (events null or naming the event), for
-- the notifications that were sent to webhooks at all (those with a notification.created job): an
-- integration follows the notifications routed to it, not every notification of the tenant. The
-- statements that make the change (a read, an in-app receipt, a delivery job's end) call
-- herald_webhook_event in the same statement, so the event's job commits with the change.

-- A UUIDv7 (RFC 9562 §5.7: 48-bit Unix milliseconds, version 7, variant 10) from gen_random_uuid's
-- random bits; PostgreSQL 18 has uuidv7() but Herald runs on 15-17 too. Job ids are time-ordered
-- like the ones Java makes (store.Uuids.v7), so the operator's list pages in time order.
create function herald_uuid_v7() returns uuid language sql volatile as $$
  select encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing
    substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3) from 1 for 6),
    52, 1), 53, 1), 'hex')::uuid
$$;

create function herald_webhook_event(ids uuid[], ev text) returns integer language sql volatile as $$
  with ins as (
    insert into delivery_job (id, notification_id, tenant_id, recipient, delivery_channel, state, run_at, locale,
      event, endpoint_id)
    select herald_uuid_v7(), n.id, n.tenant_id, n.recipient, 'webhook', 'pending', now(), '', ev, e.id
    from notification n
    join webhook_endpoint e on e.tenant_id = n.tenant_id and e.enabled and (e.events is null or ev = any(e.events))
    where n.id = any(ids)
      and exists (select 1 from delivery_job c where c.notification_id = n.id and c.delivery_channel = 'webhook'
        and c.event = 'notification.created')
    returning 1)
  select count(*)::integer from ins
$$;
