// Package export writes and checks archive packages: a year of a supervised
// account handed to the municipality's e-archive, in the E-ARK Common
// Specification for Information Packages (CSIP) structure for a submission
// package (SIP), which Sweden's FGS Paketstruktur 2.0 builds on.
//
// A package is a folder:
//
//	METS.xml                                    the manifest: every file with its size and SHA-256
//	metadata/descriptive/account.xml            the account and the period (and account.json)
//	metadata/preservation/disposals.xml         the disposal log of the account (retention)
//	representations/rep1/data/snapshot/...      the snapshot PDF/A of the year
//	representations/rep1/data/evidence/...      the evidence PDFs of the year's register entries and removals, and their decision addenda
//	representations/rep1/data/register/...      register entries as register.xml and register.json
//	representations/rep1/data/api/...           the platform's original API answers (JSON Lines)
//
// Verify reads METS.xml back, checks the required structure, that every
// listed file exists with its size and SHA-256, and that no file is in the
// package without being listed.
package export
