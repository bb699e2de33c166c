# The pipeline's own findings, and the texts of the reports sent to senders.

lot-nested = { $document } is a lot inside a lot; send lots of documents only
lot-status-file = { $document } is a status file; send status files on their own, not inside a lot of invoices
extract-failed = { $document }: { $reason } (at { $location })
mapping-empty = { $document } ({ $format }) holds no invoice
processing-failed = Processing flow { $name } ({ $flow }) failed { $attempts } times in a row: { $cause }. The flow is rejected without being judged; the operator may replay it once the cause is fixed (facteur replay { $flow }).
flow-abandoned = Flow { $name } ({ $flow }) could not be judged: processing failed { $attempts } times ({ $cause }), then its rejection could not be recorded ({ $failure }). Nothing was decided for it: fix the cause, then submit it again.

# CPPStatut, the flow-level report: its comment, and the parts of each error line.
report-comment = { $n ->
    [one] { $n } invoice integrated out of { $total } in { $name }
   *[other] { $n } invoices integrated out of { $total } in { $name }
}
report-warning = Warning: { $text }
report-location = { $text } (location: { $location })
nature-parse = Syntax
nature-detect = Format
nature-lot = Lot
nature-xsd = XSD schema
nature-schematron = EN 16931 business rule
nature-extract = Data extraction
nature-hub = Platform control
nature-pivot = Chorus Pro pivot
nature-lifecycle = Lifecycle

# Detection and validation: what kind of document, and its schema (the schema's own error, as libxml2 writes it).
detect-empty = { $name } is empty; send the file again
detect-facturx-data-unknown = { $document } is not Factur-X, ZUGFeRD or UBL invoice data ({ $detail }); embed the invoice as Factur-X CII
detect-xmp-mismatch = { $name } declares the profile { $declared } in its XMP metadata but its XML declares { $level } (BT-24); the XML was judged by its own declaration
detect-zugferd1-xmp-absent = { $name } declares no ZUGFeRD profile (ConformanceLevel) in its XMP metadata, which a ZUGFeRD PDF must; its XML declares { $level }
detect-pdf-no-text = { $name } has neither an attached invoice (UBL, CII or ZUGFeRD XML) nor text (a scanned image?); facteur cannot read its header and footer: send it as Factur-X, or as a PDF with its text
detect-pdf-no-text-xml = { $name } has neither an attached invoice (UBL, CII or ZUGFeRD XML) nor text (a scanned image?); { $attached }; facteur cannot read its header and footer: send it as Factur-X, or as a PDF with its text
detect-pdf-attached-xml = its attachment { $file } is { $what }
detect-pdf-xml-not-invoice = { $file }, attached to { $name }, is { $what }: it is passed on as an attachment, and the invoice is read from the PDF's text
detect-format-unknown = { $name } is not a format facteur reads ({ $seen }) and no mapping of mappings/formats/ recognises it; send a UBL 2.1 Invoice or CreditNote, a UN/CEFACT CII invoice or a Factur-X PDF, or describe the format in a mapping
xsd-invalid = the document does not follow the { $schema } schema: { $error }
detect-not-xml = its first bytes are not XML ({ $kind })
detect-no-element = no element
detect-root = root element { $root }
detect-root-in-namespace = root element { $root } in namespace { $namespace }
