-- Per-partner cursors (issue 13 item 12): each release gets a cursor 1, 2, 3... within its
-- partner, assigned in commit order under the write lock; it is the only cursor a partner sees,
-- so that its cursors count its own releases and nothing released to others. The global
-- `cursor` stays, internal: the hub's order of all releases.
-- Releases already stored are numbered per partner in their order; their `released` audit
-- entries keep the global cursor they were logged with, and `global_cursors_until` tells
-- `audit verify` which entries those are.
ALTER TABLE releases ADD COLUMN partner_cursor BIGINT;
ALTER TABLE releases DISABLE TRIGGER releases_append_only;
UPDATE releases SET partner_cursor = n.n FROM (
    SELECT cursor AS c, ROW_NUMBER() OVER (PARTITION BY partner ORDER BY cursor) AS n FROM releases
) AS n WHERE releases.cursor = n.c;
ALTER TABLE releases ENABLE TRIGGER releases_append_only;
ALTER TABLE releases ALTER COLUMN partner_cursor SET NOT NULL;
DROP INDEX releases_by_partner;
DROP INDEX releases_by_area;
CREATE UNIQUE INDEX releases_by_partner_cursor ON releases (partner, partner_cursor);
CREATE INDEX releases_by_partner_area ON releases (partner, area, partner_cursor);
INSERT INTO meta VALUES
    ('global_cursors_until', (SELECT COALESCE(MAX(cursor), 0)::TEXT FROM releases));
