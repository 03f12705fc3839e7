-- Where an organisation works (NO or DK; NULL: not stated). A patient without a national
-- identifier is taken to live where their team works, so crisis pages show the right
-- emergency numbers. SQLite dialect; same file name and meaning in both trees.

ALTER TABLE organisations ADD COLUMN country TEXT;
