-- Honest delivery (issue 11): a notification is 'delivered' once a session of its recipient had it
-- written (or acked it), recorded after the fact instead of guessed at insert; delivered_via lists
-- the delivery channels that delivered it (seed 000's deliveredVia: inApp, later email, push, webhook).
alter table notification add column delivered_via text[] not null default '{}';

-- Every released notification is now updated once more right after its insert (pending -> delivered,
-- issue 11). That update must be a HOT one (status, delivered_at and delivered_via are in no index;
-- otherwise every one of the table's five indexes gets a new entry per notification): the new row
-- version has to fit in the page of the old one. Receipts come in batches of consecutive rows, so a
-- page's rows are updated together; measured with 445-byte rows updated 100 at a time in insertion
-- order, HOT updates were 19 % at fillfactor 85, 42 % at 70, 66 % at 60 and 100 % at 50, and the
-- table ended smaller at 50 (17 MB for 20,000 rows) than at 85 (18 MB, dead versions elsewhere).
alter table notification set (fillfactor = 50);
