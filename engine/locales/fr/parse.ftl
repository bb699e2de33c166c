# Safe XML parsing (engine/inputs/parse.py): what is wrong, and where.

xml-position = ligne { $line }, colonne { $column }
xml-size = { $document } fait { $size } octets, au-delà de la limite de { $limit } octets pour un document XML ; scindez le lot ou envoyez la facture seule
xml-markup = { $document } a { $tags } balises et jusqu'à { $attributes } attributs, au-delà des { $max_tags } et { $max_attributes } qu'une facture peut avoir (son arbre ne tiendrait pas en mémoire sans risque) ; scindez-le
xml-empty = { $document } ne contient aucun élément XML
xml-dtd = { $document } déclare une DTD ; une syntaxe de facture n'en a jamais besoin et les DTD sont refusées (elles portent l'expansion d'entités et les entités externes)
xml-depth = { $document } dépasse les limites de sûreté de l'analyseur XML ({ $detail })
xml-truncated = { $document } s'arrête ligne { $line }, colonne { $column } avant la fin de son XML (l'élément { $element } n'est pas fermé) ; envoyez le fichier complet
xml-ampersand = { $document } contient un « & » non échappé ligne { $line }, colonne { $column } ; en XML, un « & » s'écrit « &amp; » (par exemple « Dupont &amp; Fils »)
xml-entity = { $document } utilise l'entité « &{ $entity }; » ligne { $line }, colonne { $column }, que XML ne connaît pas ; écrivez le caractère lui-même (en UTF-8) ou sa référence numérique (« &#233; » pour « é »)
xml-mismatch = { $document } ferme ligne { $line }, colonne { $column } l'élément { $closing } alors que { $opened }, ouvert ligne { $opened_line }, n'est pas fermé ; corrigez l'imbrication des balises
xml-syntax = { $document } n'est pas du XML bien formé ligne { $line }, colonne { $column } : { $detail }
xml-encoding-latin = { $document } déclare l'encodage { $declared } mais l'octet 0x{ $byte } ligne { $line }, colonne { $column } n'en est pas : le fichier semble écrit en Latin-1 ou Windows-1252 (où cet octet est « { $char } ») ; enregistrez-le en UTF-8, ou déclarez son encodage réel (encoding="ISO-8859-1")
xml-encoding = { $document } déclare l'encodage { $declared } mais l'octet 0x{ $byte } ligne { $line }, colonne { $column } n'en est pas ; enregistrez le fichier dans l'encodage déclaré, ou déclarez son encodage réel
xml-encoding-unknown = { $document } déclare l'encodage { $declared }, que facteur ne connaît pas ; enregistrez le fichier en UTF-8 et déclarez encoding="UTF-8"
xml-encoding-detail = { $document } n'est pas lisible dans l'encodage qu'il déclare ({ $declared }) ligne { $line }, colonne { $column } : { $detail } ; enregistrez-le en UTF-8 ou déclarez son encodage réel
xml-cut = { $document } s'arrête ligne { $line }, colonne { $column } avant la fin de son XML ; envoyez le fichier complet
xml-encoding-default = UTF-8 (l'encodage par défaut, faute de déclaration)
xsd-position = ligne { $line }
