# The values a business rule compared (engine/terms.py), and the findings that name a value.

value-named = { $name } ({ $term }) = { $value }
value-plain = { $term } = { $value }
value-sum = { $name } ({ $term }), sum of { $count } = { $value }
values-read = Values read:
values-separator = {"; "}
codelist-value = The code "{ $value }" of { $field } is not in the list of { $list }
codelist-value-unnamed = The code "{ $value }" of { $field } is not in the list of codes allowed for this field

# The code lists a code-list rule checks against (engine/terms.py LISTS).
list-allowed-mime-types = allowed MIME types
list-iso-4217-currency-codes = ISO 4217 currency codes
list-units-of-measure-un-ece-rec-20-and-21 = units of measure (UN/ECE Rec. 20 and 21)
list-identification-schemes-iso-6523-eas = identification schemes (ISO 6523, EAS)
list-date-formats = date formats
list-iso-3166-1-country-codes = ISO 3166-1 country codes
list-type-codes-untdid = type codes (UNTDID)
list-invoice-types-untdid-1001 = invoice types (UNTDID 1001)
list-credit-note-types-untdid-1001 = credit note types (UNTDID 1001)
list-payment-means-untdid-4461 = payment means (UNTDID 4461)
list-vat-categories-untdid-5305 = VAT categories (UNTDID 5305)
list-vat-exemption-reasons-vatex = VAT exemption reasons (VATEX)
list-reason-codes-untdid-5189-7161 = reason codes (UNTDID 5189, 7161)
list-reference-types-untdid-1153 = reference types (UNTDID 1153)
list-vat-point-date-codes-untdid-2475 = VAT point date codes (UNTDID 2475)
list-vat-point-date-codes-untdid-2005 = VAT point date codes (UNTDID 2005)
list-note-subject-codes-untdid-4451 = note subject codes (UNTDID 4451)
list-item-classification-schemes-untdid-7143 = item classification schemes (UNTDID 7143)

# A rule set that could not be applied (engine/validation/schematron.py).
rules-error = the business rules ({ $rules }) could not be applied to this document, so it cannot be accepted: { $detail }
