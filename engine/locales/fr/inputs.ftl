# What arrives: refusals at the door, supporting documents.

door-hardlink = le fichier « { $name } » est un lien physique (son contenu a plusieurs noms) : facteur ne l'a pas lu et l'a mis de côté dans .refused/ ; déposez une copie du fichier, pas un lien
door-foreign-claim = le fichier « { $name } » est apparu dans .claimed/ sans que facteur l'y ait placé : facteur ne l'a pas traité et l'a mis de côté dans .refused/ ; déposez vos fichiers dans le dossier de réception, jamais dans .claimed/

attachment-type = la pièce jointe « { $name } » a l'extension .{ $extension }, que Chorus Pro n'accepte pas ; utilisez l'une de { $known }
attachment-no-extension = la pièce jointe « { $name } » n'a pas d'extension, ce que Chorus Pro n'accepte pas ; utilisez l'une de { $known }
attachment-empty = la pièce jointe « { $name } » est vide
attachment-too-big = la pièce jointe « { $name } » fait { $size } octets, au-delà des { $limit } octets (10 Mo) que Chorus Pro accepte pour une pièce jointe
attachments-too-big = la facture et ses pièces jointes font { $size } octets, au-delà des { $limit } octets (120 Mo) que Chorus Pro accepte pour une facture ; envoyez moins de documents, ou de plus petits

format-profile-unknown = l'identifiant de spécification (BT-24) ne nomme aucun profil que facteur connaisse ; le document a été jugé selon EN 16931
format-specification-note = { $rule } L'identifiant de spécification (BT-24) n'est pas celui que déclare ce profil Factur-X ; le document a tout de même été jugé selon les règles { $rules }
format-zugferd1-no-profile = { $document } est au format ZUGFeRD 1.0 mais ne déclare aucun de ses profils (BASIC, COMFORT, EXTENDED) dans GuidelineSpecifiedDocumentContextParameter ; envoyez-le en Factur-X
format-zugferd1-schema-only = { $document } est au format ZUGFeRD 1.0, antérieur à EN 16931 et sans règles de gestion officielles : il n'a été contrôlé que selon son schéma ; demandez au fournisseur du Factur-X

statusfile-no-timezone = l'Horodatage n'a pas de fuseau horaire dans { $positions } ; un horodatage de statut peut faire courir le délai légal de paiement : écrivez-le avec son décalage (2026-11-23T10:15:00+01:00)
statusfile-bad-time = { $field } « { $value } » n'est pas une date que facteur puisse situer dans le temps

lot-corrupt = le lot { $lot } ne peut pas être lu comme une archive ({ $reason })
lot-empty = le lot { $lot } ne contient aucun document
lot-too-many = le lot { $lot } contient plus de { $limit } documents ; découpez-le
lot-too-big = le lot { $lot } dépasse { $limit } octets une fois décompressé ; découpez-le
lot-member-too-big = le membre « { $member } » du lot { $lot } dépasse { $limit } octets une fois décompressé
lot-path-outside = le lot { $lot } a un membre nommé « { $member } » qui pointe hors du lot (chemin absolu ou « .. »)
lot-path-control = le lot { $lot } a un nom de membre avec des caractères de contrôle : « { $member } »
lot-link = le lot { $lot } a un membre « { $member } » qui est un lien ; les liens sont refusés
lot-encrypted = le membre « { $member } » du lot { $lot } est chiffré ; envoyez des lots sans mot de passe
lot-compression = le membre « { $member } » du lot { $lot } utilise la méthode de compression { $method }, que facteur ne sait pas lire ; utilisez deflate
lot-not-a-file = le lot { $lot } a un membre « { $member } » qui est un lien ou un périphérique ; seuls les fichiers ordinaires sont acceptés

pdf-encrypted = { $name } est chiffré ; envoyez la facture en PDF non protégé
pdf-pages = { $name } a { $pages } pages, plus que les { $limit } qu'une facture peut avoir
pdf-timeout = { $name } n'a pas pu être lu en { $seconds } secondes ; un PDF de facture se lit en bien moins d'une seconde, celui-ci est abîmé ou construit pour épuiser les lecteurs : exportez-le à nouveau en PDF
pdf-limit = { $name } dépasse les limites de sûreté du contenu PDF ({ $reason })
pdf-corrupt = { $name } n'est pas un PDF lisible ({ $reason }) ; exportez à nouveau la facture en PDF

mapping-encoding = { $name } n'est pas dans l'encodage { $encoding } que déclare son mapping ({ $mapping }) ({ $reason })
mapping-expected-amount = un montant
mapping-expected-amount-comma = un montant à virgule décimale
mapping-expected-date = une date au format { $formats }
mapping-value = { $name } ({ $mapping }), { $where } : { $field } « { $value } » n'est pas { $expected } ; corrigez l'export ou le mapping { $source }
mapping-expected-header = un en-tête « { $header } »
mapping-expected-record = « { $header } » ou « { $line } »
mapping-record = { $name } ({ $mapping }), { $where } : un enregistrement de type « { $kind } » là où { $expected } était attendu

recognise-missing = { $name } est un PDF sans données de facture incorporées et facteur n'a pas trouvé sûrement dans son texte : { $fields } ; imprimez-les avec leurs libellés habituels (voir mappings/recognition.toml) ou envoyez la facture en Factur-X
field-unsure = { $field } (lu « { $value } » avec une confiance de { $confidence } %, sous le seuil de { $threshold } %)
field-number = numéro de facture (BT-1)
field-issue-date = date de facture (BT-2)
field-supplier-siret = SIRET du fournisseur (BT-29)
field-supplier-name = nom du fournisseur (BT-27)
field-recipient-siret = SIRET du destinataire (BT-47)
field-service-code = code service (BT-10)
field-engagement = numéro d'engagement (BT-13)
field-total-without-vat = total hors TVA (BT-109)
field-total-vat = total de TVA (BT-110)
field-total-with-vat = total TVA comprise (BT-112)
field-amount-due = montant à payer (BT-115)
field-currency = devise (BT-5)
mapping-line = ligne { $n }
mapping-invoice = facture { $n } ({ $path })
mapping-invoice-line = { $where }, ligne { $n }
