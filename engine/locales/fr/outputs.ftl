# The pivot: what a valid invoice must also be for Chorus Pro to carry it, and what was mapped by default.

pivot-supplier-id-type = le type d'identifiant du fournisseur « { $value } » n'est pas un type Chorus Pro (1 SIRET, 2 UE hors France, 3 hors UE, 4 RIDET, 5 TAHITI, 6 en cours d'immatriculation, 7 particulier)
pivot-supplier-country = le pays du fournisseur « { $value } » n'est pas un code ISO 3166-1 de deux lettres majuscules
pivot-buyer-id = l'identifiant de l'acheteur « { $value } » a { $length } caractères ; un destinataire public est identifié par son SIRET, de { $expected } caractères
pivot-number-missing = la facture n'a pas de numéro
pivot-issue-date-missing = la facture n'a pas de date d'émission
pivot-currency = la devise « { $value } » n'est pas un code ISO 4217 de trois lettres majuscules
pivot-total-missing = la facture n'a pas de montant { $term }
pivot-amount-invalid = le montant { $value } n'est pas un nombre
pivot-what-number = le numéro de facture
pivot-what-contract = la référence de marché
pivot-what-engagement = le numéro d'engagement
pivot-what-service = le code service
pivot-what-attachment = le nom de pièce jointe
pivot-too-long = { $what } « { $value } » a { $length } caractères ; Chorus Pro en accepte au plus { $limit }
pivot-invalid-character = { $value } contient un caractère de contrôle que XML ne peut pas porter
pivot-type-mapped-invoice = le type de document « { $source } » est porté comme { $carried } (facture), l'un des seuls types que Chorus Pro connaisse
pivot-type-mapped-credit = le type de document « { $source } » est porté comme { $carried } (avoir), l'un des seuls types que Chorus Pro connaisse
pivot-cadre-default = le cadre de facturation « { $value } » n'est pas un cadre Chorus Pro ; la facture est portée en { $cadre } (facture de fournisseur)
pivot-payment-means-absent = la facture ne donne pas de moyen de paiement ; le pivot indique virement (30), le défaut de Chorus Pro
pivot-payment-means-unmapped = le moyen de paiement « { $value } » n'a pas d'équivalent Chorus Pro ; le pivot indique virement (30) et nomme le code d'origine dans son libellé
pivot-preceding-too-long = la facture créditée « { $value } » a { $length } caractères, plus que les { $limit } que Chorus Pro accepte ; le pivot l'omet
