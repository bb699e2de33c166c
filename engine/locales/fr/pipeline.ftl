# The pipeline's own findings, and the texts of the reports sent to senders.

lot-nested = { $document } est un lot dans un lot ; n'envoyez que des lots de documents
lot-status-file = { $document } est un fichier de statuts ; envoyez les fichiers de statuts seuls, pas dans un lot de factures
extract-failed = { $document } : { $reason } (à { $location })
mapping-empty = { $document } ({ $format }) ne contient aucune facture
processing-failed = Le traitement du flux { $name } ({ $flow }) a échoué { $attempts } fois de suite : { $cause }. Le flux est rejeté sans avoir été jugé ; l'opérateur peut le rejouer une fois la cause corrigée (facteur replay { $flow }).

# CPPStatut, the flow-level report: its comment, and the parts of each error line.
report-comment = { $n ->
    [one] { $n } facture intégrée sur { $total } dans { $name }
   *[other] { $n } factures intégrées sur { $total } dans { $name }
}
report-warning = Avertissement : { $text }
report-location = { $text } (emplacement : { $location })
nature-parse = Syntaxe
nature-detect = Format
nature-lot = Lot
nature-xsd = Schéma XSD
nature-schematron = Règle de gestion EN 16931
nature-extract = Extraction des données
nature-hub = Contrôle plateforme
nature-pivot = Pivot Chorus Pro
nature-lifecycle = Cycle de vie
