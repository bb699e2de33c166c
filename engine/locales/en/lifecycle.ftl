# The lifecycle: a recipient's status file judged against the ledger, disputes.

lifecycle-comment = { $n ->
    [one] { $n } status applied out of { $total } in { $name }
   *[other] { $n } statuses applied out of { $total } in { $name }
}
lifecycle-not-yours = flow status { $code } is the hub's to emit; a recipient acknowledges a delivery with 92 (received) or reports 94 or 95 (delivery errors)
lifecycle-unknown-flow = flow { $flow } delivered no invoice to { $recipient }; check IdFlux against the pivot's envelope (parameter IdFlx)
lifecycle-already = invoice { $number } of flow { $flow } was already made available ({ $state }); its payment delay start is unchanged
lifecycle-unknown-code = invoice status { $code } is not one facteur exchanges; use 04 to 12
lifecycle-set-by-hub = invoice { $number }: status { $status } is set by the hub; acknowledge the delivery with the flow-level status 92 instead
lifecycle-unknown-invoice = no invoice { $number } of supplier { $supplier } was delivered to { $recipient }
lifecycle-unknown-invoice-dated = no invoice { $number } of supplier { $supplier } with the date { $date } was delivered to { $recipient }
lifecycle-ambiguous = invoice { $number } of supplier { $supplier } was delivered to { $recipient } several times (issued in { $years }); give DateFacture to say which
lifecycle-unexplained = status { $status } of invoice { $number }: { $gap } (field Commentaire), so that the supplier can act
lifecycle-only-after = only { $allowed } may follow it
lifecycle-final = it is final
lifecycle-ack-first = the recipient must first acknowledge the delivery (flow-level status 92)
lifecycle-impossible = invoice { $number } is { $state }; { $status } cannot follow: { $after }
lifecycle-before-deposit = Horodatage { $at } is before the invoice was deposited ({ $deposited })
lifecycle-future = Horodatage { $at } is in the future (facteur's clock says { $now })

explanation-empty-reason = the reason "{ $reason }" explains nothing
explanation-no-reason = no reason is given
explanation-gap = { $what }: write at least { $words } words ({ $letters } letters in all) that say what is wrong or missing, for example "Wrong amount" or "Purchase order missing"
dispute-started = the payment delay of invoice { $number } (flow { $flow }) started on { $start } (rule { $rule }); a delay's start never changes
dispute-will-start = the payment delay of invoice { $number } (flow { $flow }) will start on { $start } (rule { $rule }); a delay's start never changes
dispute-unexplained = say why the invoice is disputed (--reason): { $gap }
