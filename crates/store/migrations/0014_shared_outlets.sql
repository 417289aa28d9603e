-- Outlets several agencies track (the provincial newspaper, the radio-TV
-- station) can be shared: one record, owner '' (the empty code, which no
-- agency can have), that every agency reads and none changes; the
-- installation shares and maintains it (`canhgiac outlet share`). An
-- agency's own records may refer to its own outlets or to shared ones, so
-- a reference to an outlet carries the owner of the outlet it names
-- (`parent_owner`, `outlet_owner`, filled by the store) and the composite
-- foreign keys point through it. The agency's records themselves stay its
-- own. SQLite rebuilds the tables after this script
-- (schema::shared_outlets_sqlite).

ALTER TABLE outlets ADD COLUMN parent_owner TEXT;
ALTER TABLE programmes ADD COLUMN outlet_owner TEXT;
ALTER TABLE media_items ADD COLUMN outlet_owner TEXT;
UPDATE outlets SET parent_owner = owner WHERE parent IS NOT NULL;
UPDATE programmes SET outlet_owner = owner;
UPDATE media_items SET outlet_owner = owner;

-- @postgres
DO $$
DECLARE r record;
BEGIN
    FOR r IN
        SELECT c.conrelid::regclass::text AS tbl, c.conname
        FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
        WHERE n.nspname = current_schema() AND c.contype = 'f'
          AND c.confrelid::regclass::text = 'outlets'
    LOOP
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', r.tbl, r.conname);
    END LOOP;
END $$;
ALTER TABLE outlets ADD FOREIGN KEY (parent_owner, parent) REFERENCES outlets (owner, "key");
ALTER TABLE programmes ADD FOREIGN KEY (outlet_owner, outlet) REFERENCES outlets (owner, "key");
ALTER TABLE media_items ADD FOREIGN KEY (outlet_owner, outlet) REFERENCES outlets (owner, "key");

-- Every agency reads its own outlets and the shared ones; it writes only
-- its own.
DROP POLICY outlets_agency ON outlets;
CREATE POLICY outlets_read ON outlets FOR SELECT
    USING (canhgiac_scope() IS NULL OR owner = canhgiac_scope() OR owner = '');
CREATE POLICY outlets_insert ON outlets FOR INSERT
    WITH CHECK (canhgiac_scope() IS NULL OR owner = canhgiac_scope());
CREATE POLICY outlets_update ON outlets FOR UPDATE
    USING (canhgiac_scope() IS NULL OR owner = canhgiac_scope())
    WITH CHECK (canhgiac_scope() IS NULL OR owner = canhgiac_scope());
CREATE POLICY outlets_delete ON outlets FOR DELETE
    USING (canhgiac_scope() IS NULL OR owner = canhgiac_scope());
-- @both

CREATE INDEX media_items_outlet_owner ON media_items (outlet_owner, outlet);
CREATE INDEX programmes_outlet_owner ON programmes (outlet_owner, outlet);
