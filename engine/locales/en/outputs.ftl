# The pivot: what a valid invoice must also be for Chorus Pro to carry it, and what was mapped by default.

pivot-supplier-id-type = the supplier's identifier type "{ $value }" is not a Chorus Pro type (1 SIRET, 2 EU outside France, 3 outside the EU, 4 RIDET, 5 TAHITI, 6 being registered, 7 individual)
pivot-supplier-country = the supplier's country "{ $value }" is not a two-letter upper-case ISO 3166-1 code
pivot-buyer-id = the buyer's identifier "{ $value }" has { $length } characters; a public recipient is identified by its SIRET, { $expected } characters
pivot-number-missing = the invoice has no number
pivot-issue-date-missing = the invoice has no issue date
pivot-currency = the currency "{ $value }" is not a three-letter upper-case ISO 4217 code
pivot-total-missing = the invoice has no { $term } amount
pivot-amount-invalid = the amount { $value } is not a number
pivot-what-number = the invoice number
pivot-what-contract = the contract reference
pivot-what-engagement = the engagement number
pivot-what-service = the service code
pivot-what-attachment = the attachment name
pivot-too-long = { $what } "{ $value }" has { $length } characters; Chorus Pro accepts at most { $limit }
pivot-invalid-character = { $value } holds a control character that XML cannot carry
pivot-type-mapped-invoice = the document type "{ $source }" is carried as { $carried } (invoice), the only types Chorus Pro knows
pivot-type-mapped-credit = the document type "{ $source }" is carried as { $carried } (credit note), the only types Chorus Pro knows
pivot-cadre-default = the billing frame "{ $value }" is not a Chorus Pro cadre; the invoice is carried as { $cadre } (supplier's invoice)
pivot-payment-means-absent = the invoice gives no payment means; the pivot says credit transfer (30), Chorus Pro's default
pivot-payment-means-unmapped = the payment means "{ $value }" has no Chorus Pro equivalent; the pivot says credit transfer (30) and names the source code in its label
pivot-preceding-too-long = the credited invoice "{ $value }" has { $length } characters, more than the { $limit } Chorus Pro accepts; the pivot leaves it out
