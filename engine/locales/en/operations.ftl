# The use cases (engine/operations): a request that names nothing, or cannot be asked that way.

ops-sender-not-an-id = --sender "{ $sender }" must be a partner id of 3 to 8 letters, digits, - or _
ops-sender-unknown = sender { $sender } is not in the directory { $directory } (known partners: { $known }); add it there, or use --open-directory
ops-oversized = { $name } is above the { $limit }-byte limit of a flow; it was not read, split it
ops-collect-edi = { $mailbox } ({ $name }) receives by EDI and acknowledges each delivery with a 92 status; collect is for portal and service recipients (delivery = "portal" or "service" in the directory)
ops-no-structure = no structure "{ $recipient }" in the directory; give its mailbox id or SIRET
ops-invoice-reference = flow { $flow } has { $n ->
    [one] { $n } delivered invoice
   *[other] { $n } delivered invoices
} matching "{ $reference }"; write FLOW:N with N the invoice's place in the flow (see "facteur flows show")
ops-replay-ids-or-status = give flow ids, or --status (with --since, --until) to choose them, not both
ops-bad-date = unreadable date "{ $value }": write a date YYYY-MM-DD (for example { $example }), "today" (aujourd'hui), "yesterday" (hier) or a number of days back such as -7d (-7j)
ops-unknown-status = unknown status "{ $status }"; choose among: { $accepted }
ops-choices = { $shown }{ $more ->
    [0] {""}
   *[other] {" "}(and { $more } more)
}
ops-no-structure-at-all = the directory has none
ops-unknown-recipient = unknown recipient "{ $recipient }": neither the directory ({ $directory }) nor the ledger knows it; give the mailbox or SIRET of a structure: { $shown }
ops-unknown-flow = no flow has the id "{ $reference }", or several start so; see "facteur flows list" and give a whole id or a unique prefix
