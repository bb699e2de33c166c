# The hub controls: sender, supplier, recipient, services, engagement, duplicates.

hub-sender-unknown = sender { $sender } is not in the directory; declare it with the suppliers it deposits for
hub-sender-not-allowed = sender { $sender } is not allowed to deposit invoices for supplier { $supplier }; add the supplier to this sender's list in the directory
hub-supplier-siret = the supplier is French but its identifier { $identifier } is not a SIRET (14 digits); give the SIRET as seller legal registration (BT-30, scheme 0009)
hub-recipient-inactive = recipient { $siret } ({ $name }) is no longer active and cannot receive invoices; check the buyer's SIRET with your customer
hub-recipient-missing = the buyer has no SIRET (found: { $identifier }); a public recipient is identified by its 14-digit SIRET in BT-46 or BT-47 (scheme 0009)
hub-recipient-unknown = recipient SIRET { $siret } is not a public structure of the directory; check the buyer's SIRET with your customer
hub-recipient-closed = recipient { $key } ({ $name }) has been disabled since { $since } in the directory as of { $day } and cannot receive invoices; check the buyer's SIRET with your customer
hub-recipient-not-enabled = recipient { $key } ({ $name }) { $status ->
        [upcoming] is not open yet
       *[other] is disabled
    } in the directory as of { $day } and cannot receive invoices; check the buyer's SIRET with your customer
hub-recipient-unaddressable = no addressing line of the directory is in force on { $day } for { $key } ({ $name }): no platform receives its invoices; check its electronic address with your customer
hub-open-recipient = the buyer has no SIRET (found: { $identifier }); the open directory routes it to { $mailbox } with the placeholder identifier { $placeholder }
hub-service-unknown = service code { $code } does not exist at { $name } ({ $siret }); known services: { $known }
hub-service-inactive = service { $code } of { $name } ({ $siret }) is no longer active; ask the buyer for its current service code
hub-services-listed = { $codes }{ $more ->
    [0] {""}
   *[other] {" "}and { $more } more
}
hub-service-closed = service { $code } ({ $service }) of { $name } ({ $siret }) has been closed since { $closed } in the directory; ask the buyer for its current service code
hub-service-engagement-missing = service { $code } ({ $service }) of { $name } ({ $siret }) requires an engagement number in the purchase order reference (BT-13)
hub-service-missing = { $name } ({ $siret }) requires a service code in the buyer reference (BT-10)
hub-engagement-missing = { $name } ({ $siret }) requires an engagement number in the purchase order reference (BT-13)
hub-service-or-engagement = { $name } ({ $siret }) requires a service code (BT-10) or an engagement number (BT-13); the invoice has neither
hub-duplicate-same-flow = in this same flow
hub-duplicate-in-flow = in flow { $flow }
hub-duplicate = supplier { $supplier } already deposited invoice { $number } for { $year } { $where }; an invoice number is used once a year: send a credit note or a new number
