# Extraction: data present in a valid document that cannot be read.

extract-not-decimal = « { $value } » n'est pas un nombre décimal
extract-not-iso-date = « { $value } » n'est pas une date au format AAAA-MM-JJ
extract-not-calendar-date = « { $value } » n'est pas une date du calendrier
extract-not-iso-week = « { $value } » n'est pas une semaine ISO
extract-date-format-unknown = le format de date { $format } n'est pas l'un de ceux que facteur lit ({ $known })
extract-date-format-mismatch = « { $value } » ne suit pas le format de date { $format }
extract-not-base64 = l'objet joint n'est pas du base64 valide ({ $reason })
extract-root-unknown = l'élément racine { $root } n'est d'aucun des formats que facteur lit ({ $known })
