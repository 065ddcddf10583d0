-- Honest delivery (issue 11): a notification is 'delivered' once a session of its recipient had it
-- written (or acked it), recorded after the fact instead of guessed at insert; delivered_via lists
-- the delivery channels that delivered it (seed 000's deliveredVia: inApp, later email, push, webhook).
alter table notification add column delivered_via text[] not null default '{}';
