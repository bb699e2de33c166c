# The values a business rule compared (engine/terms.py), and the findings that name a value.

value-named = { $name } ({ $term }) = { $value }
value-plain = { $term } = { $value }
value-sum = { $name } ({ $term }), somme de { $count } = { $value }
values-read = Valeurs lues :
values-separator = {" ; "}
codelist-value = Le code « { $value } » de { $field } n'est pas dans la liste des { $list }
codelist-value-unnamed = Le code « { $value } » de { $field } n'est pas dans la liste des codes autorisés pour ce champ

# The code lists a code-list rule checks against (engine/terms.py LISTS).
list-allowed-mime-types = types MIME autorisés
list-iso-4217-currency-codes = codes de devise ISO 4217
list-units-of-measure-un-ece-rec-20-and-21 = codes d'unité de mesure (UN/ECE Rec. 20 et 21)
list-identification-schemes-iso-6523-eas = identifiants de schéma d'identification (ISO 6523, EAS)
list-date-formats = formats de date
list-iso-3166-1-country-codes = codes pays ISO 3166-1
list-type-codes-untdid = codes de type (UNTDID)
list-invoice-types-untdid-1001 = types de facture (UNTDID 1001)
list-credit-note-types-untdid-1001 = types d'avoir (UNTDID 1001)
list-payment-means-untdid-4461 = moyens de paiement (UNTDID 4461)
list-vat-categories-untdid-5305 = catégories de TVA (UNTDID 5305)
list-vat-exemption-reasons-vatex = motifs d'exonération de TVA (VATEX)
list-reason-codes-untdid-5189-7161 = codes de motif (UNTDID 5189, 7161)
list-reference-types-untdid-1153 = types de référence (UNTDID 1153)
list-vat-point-date-codes-untdid-2475 = codes de date d'exigibilité (UNTDID 2475)
list-vat-point-date-codes-untdid-2005 = codes de date d'exigibilité (UNTDID 2005)
list-note-subject-codes-untdid-4451 = codes de sujet de note (UNTDID 4451)
list-item-classification-schemes-untdid-7143 = identifiants de classification d'article (UNTDID 7143)

# A rule set that could not be applied (engine/validation/schematron.py).
rules-error = les règles de gestion ({ $rules }) n'ont pas pu être appliquées à ce document, qui ne peut donc pas être accepté : { $detail }
