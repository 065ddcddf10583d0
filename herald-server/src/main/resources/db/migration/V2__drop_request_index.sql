-- Nothing reads notifications by request id on a hot path, and every create paid for the index.
drop index if exists notification_request;
