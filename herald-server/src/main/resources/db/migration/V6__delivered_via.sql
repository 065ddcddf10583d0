-- Honest delivery (issue 11): a notification is 'delivered' once a session of its recipient had it
-- written (or acked it), recorded after the fact instead of guessed at insert; delivered_via lists
-- the delivery channels that delivered it (seed 000's deliveredVia: inApp, later email, push, webhook).
alter table notification add column delivered_via text[] not null default '{}';

-- Every released notification is now updated once more right after its insert (pending → delivered).
-- Leave room in each page so that update is a HOT one (status, delivered_at and delivered_via are in
-- no index): without it, a full page moves the new row version and adds an entry to every index.
alter table notification set (fillfactor = 85);
