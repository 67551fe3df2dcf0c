"""The names of organisations read from affiliation entries: this module gathers the public names
of the modules that do the work (folding, vocabulary, organisation_table, affiliation_entries,
organisation_rules), so that `pipeline.names.institutions.X` keeps working for the stages and the tests."""

from __future__ import annotations

from .affiliation_entries import affiliation_text, entry_parts
from .folding import FOLD_CACHE, fold
from .organisation_rules import (
    EntryReading,
    company_labs,
    explain_organisations,
    looks_like_affiliation,
    organisation_of,
    organisations,
    read_entry,
    reads_as_organisation,
    stands_alone,
)
from .organisation_table import KnownOrganisation, chinese_names, known, registry_forms, usual_forms
from .vocabulary import (
    companies_in,
    has_organisation_word,
    institute_of_academy,
    is_place,
    is_placeholder,
    is_unit_or_generic,
    reads_as_prose,
)

__all__ = [
    "FOLD_CACHE", "fold", "companies_in", "has_organisation_word", "institute_of_academy", "is_place", "is_placeholder",
    "is_unit_or_generic", "reads_as_prose", "KnownOrganisation", "chinese_names", "known", "registry_forms", "usual_forms",
    "affiliation_text", "entry_parts", "EntryReading", "company_labs", "explain_organisations",
    "looks_like_affiliation", "organisation_of", "organisations", "read_entry", "reads_as_organisation", "stands_alone",
]
