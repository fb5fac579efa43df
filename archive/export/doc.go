// Package export writes and checks archive packages: a year of a supervised
// account handed to the municipality's e-archive as an E-ARK submission
// information package (SIP 2.2, on the Common Specification for Information
// Packages, CSIP 2.2), which Sweden's FGS Paketstruktur builds on.
//
// A package is a folder with a root METS.xml (Dublin Core descriptive and
// PREMIS 3 preservation metadata, documentation in the municipality's
// language, the XML schemas) and one representation, rep1, with its own
// METS.xml and the year's data: the snapshot PDF/A, every evidence file of
// the year, the register entries and the platform's original answers.
// docs/archive-package.md shows the layout.
//
// Verify reads the package back and checks each CSIP and SIP MUST it can
// read from the METS files, by its id; every listed file (size and
// SHA-256) and that nothing unlisted is in the package; and every XML file
// against the schema of its namespace from the package's schemas, with
// xmllint. A package is written with the official schemas the schema folder
// holds; Verify fails CSIP113 and XSD for the namespaces of those missing.
package export
