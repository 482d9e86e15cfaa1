-- A bloated etl_file, as production makes one: autovacuum turned off for the table (set
-- during a bulk load, "it slowed the load down", and never set back), then the changes the
-- worker and the re-queues make, with nothing to vacuum them. Every UPDATE writes a new
-- version of each row and leaves the old one dead until a VACUUM; updated_at is indexed, so
-- none is a HOT update that a page could prune on its own. Four passes over every file: a
-- re-queue and a reload after an outage, twice. The timestamps end where they began.
ALTER TABLE etl_file SET (autovacuum_enabled = false);
UPDATE etl_file SET updated_at = updated_at + interval '1 microsecond';
UPDATE etl_file SET updated_at = updated_at - interval '1 microsecond';
UPDATE etl_file SET updated_at = updated_at + interval '1 microsecond';
UPDATE etl_file SET updated_at = updated_at - interval '1 microsecond';
