-- How the asker looked in chat when the question was sent (colour, entry time, socket id),
-- so the question's later events (receive_question_done, receive_init_data) carry the same
-- values as its receive_question, on whichever node the host is. Older questions have ''.
ALTER TABLE questions ADD COLUMN color VARCHAR(32) NOT NULL DEFAULT '';
ALTER TABLE questions ADD COLUMN entry_time VARCHAR(64) NOT NULL DEFAULT '';
ALTER TABLE questions ADD COLUMN socket_id VARCHAR(64) NOT NULL DEFAULT '';
