-- Copies every opportunity written through the services, with its asks, solution links and
-- primary needs, :factor - 1 times under new ids, each copy an hour further back in time, so the
-- lists meet a million rows with the shapes and spread the services wrote (psql -v factor=N).
-- A copy's id is derived from the original's, so its asks and links find it.
BEGIN;

CREATE TEMP TABLE copies AS SELECT generate_series(1, :factor - 1) AS g;

CREATE TEMP TABLE opp_copy AS SELECT o.*, c.g FROM opportunity o, copies c;
UPDATE opp_copy SET
  id = 'opp_' || md5(id || ':' || g),
  client_token = client_token || ':' || g,
  created_at = created_at - g * interval '1 hour',
  last_modified_at = last_modified_at - g * interval '1 hour';
ALTER TABLE opp_copy DROP COLUMN g;

CREATE TEMP TABLE ask_copy AS SELECT a.*, c.g FROM ask a, copies c;
UPDATE ask_copy SET
  id = 'ask_' || md5(id || ':' || g),
  opportunity_id = 'opp_' || md5(opportunity_id || ':' || g),
  created_at = created_at - g * interval '1 hour',
  updated_at = updated_at - g * interval '1 hour';
ALTER TABLE ask_copy DROP COLUMN g;

INSERT INTO opportunity SELECT * FROM opp_copy;
INSERT INTO ask SELECT * FROM ask_copy;
INSERT INTO opportunity_solution
  SELECT 'opp_' || md5(s.opportunity_id || ':' || c.g), s.solution_id, s.created_at
  FROM opportunity_solution s, copies c;
INSERT INTO opportunity_primary_need
  SELECT 'opp_' || md5(n.opportunity_id || ':' || c.g), n.primary_need
  FROM opportunity_primary_need n, copies c;

COMMIT;
VACUUM ANALYZE;
