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
