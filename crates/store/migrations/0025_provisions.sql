-- The legal catalogue's versions of one rule (a provision replaces
-- another from its first day), and a sanction decision's provision from the
-- catalogue with the day of the violation, whose version applies.
ALTER TABLE legal_bases ADD COLUMN replaces TEXT;
ALTER TABLE sanction_decisions ADD COLUMN provision TEXT;
ALTER TABLE sanction_decisions ADD COLUMN violation_on TEXT;
