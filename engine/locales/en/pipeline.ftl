# The pipeline's own findings, and the texts of the reports sent to senders.

lot-nested = { $document } is a lot inside a lot; send lots of documents only
lot-status-file = { $document } is a status file; send status files on their own, not inside a lot of invoices
extract-failed = { $document }: { $reason } (at { $location })
mapping-empty = { $document } ({ $format }) holds no invoice
processing-failed = Processing flow { $name } ({ $flow }) failed { $attempts } times in a row: { $cause }. The flow is rejected without being judged; the operator may replay it once the cause is fixed (facteur replay { $flow }).

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
