-- Whether the notification went to the recipient's live sessions: false when the recipient's
-- preferences switch the in-app channel off for it (it is stored for history, not pushed or replayed).
alter table notification add column live boolean not null default true;
